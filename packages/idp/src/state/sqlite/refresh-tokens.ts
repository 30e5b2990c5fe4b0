/**
 * Refresh tokens in the IdP's SQLite database (`refresh_tokens`, `refresh_families`): the consume
 * is one `UPDATE … RETURNING` under the write lock, inside the transaction that issues the next
 * token (see ../refresh-tokens.ts for the rules).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { LookupResult, PresentingDevice, RefreshGrant, RotateResult } from '../records.js';
import {
  DEFAULT_REFRESH_LIFETIME_MS,
  lookupResult,
  newRefreshToken,
  refreshDigest,
  refusalOf,
} from '../refresh-tokens.js';
import type { RefreshTokenStore } from '../types.js';
import type { IdpDatabase } from './database.js';

interface ConsumedRow {
  upn: string;
  family: string;
  expires: number;
}

interface SeenRow {
  used: number;
  device_kid: string;
  client_id: string;
  family: string;
  revoked: number | null;
}

const CONSUME =
  'UPDATE refresh_tokens SET used = 1 WHERE digest = ? AND device_kid = ? AND client_id = ? ' +
  'AND used = 0 AND expires > ? AND family IN (SELECT id FROM refresh_families WHERE revoked = 0) ' +
  'RETURNING upn, family, expires';
const SEEN =
  'SELECT t.upn, t.used, t.device_kid, t.client_id, t.expires, t.family, f.revoked ' +
  'FROM refresh_tokens t LEFT JOIN refresh_families f ON f.id = t.family WHERE t.digest = ?';

/**
 * A {@link RefreshTokenStore} over the IdP database.
 *
 * @example
 * ```ts
 * const refreshTokens = new SqliteRefreshTokenStore(db);
 * const token = await refreshTokens.issue({ upn, clientId, deviceKid });
 * const r = await refreshTokens.rotate(token, { clientId, deviceKid });
 * ```
 */
export class SqliteRefreshTokenStore implements RefreshTokenStore {
  constructor(
    private readonly db: IdpDatabase,
    readonly lifetimeMs = DEFAULT_REFRESH_LIFETIME_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(grant: Omit<RefreshGrant, 'expires' | 'family'>): Promise<string> {
    return this.db.guard(() =>
      this.db.transaction(() => {
        if (Math.random() < 0.01) this.#sweep();
        return this.#insert(grant, randomUUID());
      }),
    );
  }

  async rotate(token: string, device: PresentingDevice): Promise<RotateResult> {
    const d = refreshDigest(token);
    return this.db.guard(() =>
      this.db.transaction((): RotateResult => {
        const t = this.now();
        const row = this.db.statement(CONSUME).get(d, device.deviceKid, device.clientId, t) as
          | ConsumedRow
          | undefined;
        if (row !== undefined) {
          const grant = { upn: row.upn, clientId: device.clientId, deviceKid: device.deviceKid };
          const next = this.#insert(grant, row.family);
          return {
            ok: true,
            grant: { ...grant, expires: row.expires, family: row.family },
            token: next,
          };
        }
        const seen = this.#seen(d);
        const reason = refusalOf(seen, device);
        if (reason === 'reuse' && seen !== undefined)
          this.db
            .statement('UPDATE refresh_families SET revoked = 1 WHERE id = ? AND revoked = 0')
            .run(seen.family);
        return { ok: false, reason };
      }),
    );
  }

  async lookup(token: string, device: PresentingDevice): Promise<LookupResult> {
    const d = refreshDigest(token);
    return this.db.guard(() => lookupResult(this.#seen(d), device, this.now()));
  }

  async revoke(upn: string): Promise<number> {
    return this.db.guard(() => this.db.transaction(() => revokeRefreshTokens(this.db, upn)));
  }

  #seen(d: string) {
    const row = this.db.statement(SEEN).get(d) as (SeenRow & ConsumedRow) | undefined;
    if (row === undefined) return undefined;
    return {
      upn: row.upn,
      used: row.used === 1,
      deviceKid: row.device_kid,
      clientId: row.client_id,
      revoked: row.revoked !== 0,
      family: row.family,
      expires: row.expires,
    };
  }

  /** Inserts a token of `family`, extending the family's expiry to the token's. */
  #insert(grant: Omit<RefreshGrant, 'expires' | 'family'>, family: string): string {
    const token = newRefreshToken();
    const expires = this.now() + this.lifetimeMs;
    this.db
      .statement(
        `INSERT INTO refresh_families (id, upn, expires) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET expires = max(expires, excluded.expires)`,
      )
      .run(family, grant.upn, expires);
    this.db
      .statement(
        'INSERT INTO refresh_tokens (digest, upn, client_id, device_kid, expires, family) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(refreshDigest(token), grant.upn, grant.clientId, grant.deviceKid, expires, family);
    return token;
  }

  /** Forgets families (and their tokens, used or not) that have expired. */
  #sweep(): void {
    const t = this.now();
    this.db
      .statement(
        'DELETE FROM refresh_tokens WHERE family IN (SELECT id FROM refresh_families WHERE expires <= ?)',
      )
      .run(t);
    this.db.statement('DELETE FROM refresh_families WHERE expires <= ?').run(t);
  }
}

/**
 * Deletes every refresh token and family of `upn` (call inside a transaction); returns how many
 * tokens went. The user store calls it too: removing a user or changing a password revokes them.
 *
 * @example
 * ```ts
 * db.transaction(() => revokeRefreshTokens(db, 'alice@example.com'));
 * ```
 */
export function revokeRefreshTokens(db: IdpDatabase, upn: string): number {
  db.statement('DELETE FROM refresh_families WHERE upn = ?').run(upn);
  return db.statement('DELETE FROM refresh_tokens WHERE upn = ?').run(upn).changes;
}
