/**
 * Refresh tokens: random, stored only as SHA-256 digests in the IdP database (so they survive a
 * restart and are shared by several processes), expiring, single use (each refresh rotates the
 * token), revocable per user.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IdpDatabase } from '../store/database.js';

/** What a refresh token stands for. */
export interface RefreshGrant {
  readonly upn: string;
  readonly clientId: string;
  readonly deviceKid: string;
  readonly expires: number;
}

interface Row {
  upn: string;
  client_id: string;
  device_kid: string;
  expires: number;
}

/** Refresh tokens over the IdP database. */
export class RefreshTokenStore {
  constructor(
    private readonly db: IdpDatabase,
    readonly lifetimeMs = 14 * 24 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A new refresh token for the grant (expired ones are swept now and then).
   *
   * @example
   * ```ts
   * const token = refreshTokens.issue({ upn, clientId, deviceKid });
   * ```
   */
  issue(grant: Omit<RefreshGrant, 'expires'>): string {
    const t = this.now();
    const token = randomBytes(32).toString('base64url');
    this.db.guard(() => {
      if (Math.random() < 0.01)
        this.db.statement('DELETE FROM refresh_tokens WHERE expires <= ?').run(t);
      this.db
        .statement(
          'INSERT INTO refresh_tokens (digest, upn, client_id, device_kid, expires) VALUES (?, ?, ?, ?, ?)',
        )
        .run(digest(token), grant.upn, grant.clientId, grant.deviceKid, t + this.lifetimeMs);
    });
    return token;
  }

  /** The grant of an unexpired, unused token; the token is consumed (atomically). */
  consume(token: string): RefreshGrant | undefined {
    const row = this.db.guard(() =>
      this.db
        .statement(
          'DELETE FROM refresh_tokens WHERE digest = ? RETURNING upn, client_id, device_kid, expires',
        )
        .get(digest(token)),
    ) as Row | undefined;
    if (row === undefined || row.expires <= this.now()) return undefined;
    return {
      upn: row.upn,
      clientId: row.client_id,
      deviceKid: row.device_kid,
      expires: row.expires,
    };
  }

  /** Revokes every token of a user. */
  revoke(upn: string): number {
    return this.db.guard(
      () => this.db.statement('DELETE FROM refresh_tokens WHERE upn = ?').run(upn).changes,
    );
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}
