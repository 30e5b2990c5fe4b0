/**
 * Server nonces for Platform SSO (`POST /psso/nonce`): random, single use, expiring after five
 * minutes. Kept as SHA-256 digests, bounded; a full store refuses to issue (fails closed).
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { IdpError } from '../../errors.js';

/** Issued server nonces. */
export class ServerNonceStore {
  private readonly live = new Map<string, number>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh nonce (base64url of 32 random bytes), remembered for the TTL. */
  issue(): string {
    const t = this.now();
    if (this.live.size >= this.maxEntries) {
      for (const [k, expires] of this.live) if (expires <= t) this.live.delete(k);
      if (this.live.size >= this.maxEntries)
        throw new IdpError('PSSO_ERR_IDP_REPLAY_CACHE_FULL', 'Too many outstanding server nonces');
    }
    const nonce = randomBytes(32).toString('base64url');
    this.live.set(digest(nonce), t + this.ttlMs);
    return nonce;
  }

  /** Whether `nonce` was issued, is unexpired and unused; it is consumed either way. */
  consume(nonce: string): boolean {
    const k = digest(nonce);
    const expires = this.live.get(k);
    this.live.delete(k);
    return expires !== undefined && expires > this.now();
  }
}

function digest(nonce: string): string {
  return createHash('sha256').update(nonce).digest('base64');
}
