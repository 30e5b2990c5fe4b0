/**
 * Server nonces for Platform SSO (`POST /psso/nonce`): random, single use, expiring after five
 * minutes. Kept as SHA-256 digests in the IdP database, so every process on the data folder
 * (`--workers`) accepts a nonce another issued; consumed atomically. Bounded: a full table
 * refuses to issue (fails closed).
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { IdpError } from '../../errors.js';
import type { IdpDatabase } from '../store/database.js';

/** Issued server nonces. */
export class ServerNonceStore {
  constructor(
    private readonly db: IdpDatabase,
    private readonly ttlMs = 5 * 60_000,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A fresh nonce (base64url of 32 random bytes), remembered for the TTL.
   *
   * @example
   * ```ts
   * reply.send({ Nonce: nonces.issue() });
   * ```
   */
  issue(): string {
    const t = this.now();
    const nonce = randomBytes(32).toString('base64url');
    this.db.guard(() => {
      const count = (
        this.db.statement('SELECT count(*) AS n FROM server_nonces').get() as { n: number }
      ).n;
      if (count >= this.maxEntries) {
        this.db.statement('DELETE FROM server_nonces WHERE expires <= ?').run(t);
        const left = (
          this.db.statement('SELECT count(*) AS n FROM server_nonces').get() as { n: number }
        ).n;
        if (left >= this.maxEntries)
          throw new IdpError(
            'PSSO_ERR_IDP_REPLAY_CACHE_FULL',
            'Too many outstanding server nonces',
          );
      } else if (Math.random() < 0.01) {
        this.db.statement('DELETE FROM server_nonces WHERE expires <= ?').run(t);
      }
      this.db
        .statement('INSERT INTO server_nonces (digest, expires) VALUES (?, ?)')
        .run(digest(nonce), t + this.ttlMs);
    });
    return nonce;
  }

  /** Whether `nonce` was issued, is unexpired and unused; it is consumed either way. */
  consume(nonce: string): boolean {
    const row = this.db.guard(() =>
      this.db
        .statement('DELETE FROM server_nonces WHERE digest = ? RETURNING expires')
        .get(digest(nonce)),
    ) as { expires: number } | undefined;
    return row !== undefined && row.expires > this.now();
  }
}

function digest(nonce: string): string {
  return createHash('sha256').update(nonce).digest('base64');
}
