/**
 * Refresh tokens in PostgreSQL (`refresh_tokens`, `refresh_families`; see ../refresh-tokens.ts
 * for the rules). Single use comes from the database: the consume is one `UPDATE … RETURNING`
 * whose conditions (unused, unexpired, this device, a live family) are re-checked on the row
 * under its lock, so among concurrent presentations of one token on any number of hosts exactly
 * one gets a row back; the next token is inserted in the same transaction. Expired families are
 * swept in bounded batches now and then on issue.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { canonicalUsername } from '../../auth/username.js';
import type { LookupResult, PresentingDevice, RefreshGrant, RotateResult } from '../records.js';
import {
  DEFAULT_REFRESH_LIFETIME_MS,
  lookupResult,
  newRefreshToken,
  refreshDigest,
  refusalOf,
  type StoredToken,
} from '../refresh-tokens.js';
import type { RefreshTokenStore } from '../types.js';
import type { PgDatabase, Query } from './database.js';
import { revokeRefreshTokens } from './users.js';

/** $1 digest, $2 device kid, $3 client id, $4 now. */
const CONSUME = `UPDATE refresh_tokens t SET used = true FROM refresh_families f
  WHERE t.digest = $1 AND t.device_kid = $2 AND t.client_id = $3 AND NOT t.used
    AND t.expires > $4 AND f.id = t.family AND NOT f.revoked
  RETURNING t.upn, t.family, t.expires`;
const SEEN = `SELECT t.upn, t.used, t.device_kid, t.client_id, t.expires, t.family,
    coalesce(f.revoked, true) AS revoked
  FROM refresh_tokens t LEFT JOIN refresh_families f ON f.id = t.family WHERE t.digest = $1`;

interface SeenRow {
  upn: string;
  used: boolean;
  device_kid: string;
  client_id: string;
  expires: string;
  family: string;
  revoked: boolean;
}

/**
 * A {@link RefreshTokenStore} over PostgreSQL.
 *
 * @example
 * ```ts
 * const refreshTokens = new PgRefreshTokenStore(db);
 * const token = await refreshTokens.issue({ upn, clientId, deviceKid });
 * ```
 */
export class PgRefreshTokenStore implements RefreshTokenStore {
  constructor(
    private readonly db: PgDatabase,
    readonly lifetimeMs = DEFAULT_REFRESH_LIFETIME_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(grant: Omit<RefreshGrant, 'expires' | 'family'>): Promise<string> {
    if (Math.random() < 0.01) await this.#sweep().catch(() => undefined);
    // A new family and its first token in one statement (one round trip, atomic).
    const token = newRefreshToken();
    const expires = this.now() + this.lifetimeMs;
    await this.db.query(
      `WITH f AS (INSERT INTO refresh_families (id, user_key, expires) VALUES ($1, $2, $3)
         RETURNING id)
       INSERT INTO refresh_tokens (digest, family, upn, client_id, device_kid, expires)
         SELECT $4, f.id, $5, $6, $7, $3 FROM f`,
      [
        randomUUID(),
        canonicalUsername(grant.upn),
        expires,
        refreshDigest(token),
        grant.upn,
        grant.clientId,
        grant.deviceKid,
      ],
    );
    return token;
  }

  async rotate(token: string, device: PresentingDevice): Promise<RotateResult> {
    const d = refreshDigest(token);
    return this.db.transaction(async (q): Promise<RotateResult> => {
      const { rows } = await q<{ upn: string; family: string; expires: string }>(CONSUME, [
        d,
        device.deviceKid,
        device.clientId,
        this.now(),
      ]);
      const row = rows[0];
      if (row !== undefined) {
        const grant = { upn: row.upn, clientId: device.clientId, deviceKid: device.deviceKid };
        const next = await this.#insert(q, grant, row.family);
        return {
          ok: true,
          grant: { ...grant, expires: Number(row.expires), family: row.family },
          token: next,
        };
      }
      const seen = await seenToken(q, d);
      const reason = refusalOf(seen, device);
      if (reason === 'reuse' && seen !== undefined)
        await q('UPDATE refresh_families SET revoked = true WHERE id = $1 AND NOT revoked', [
          seen.family,
        ]);
      return { ok: false, reason };
    });
  }

  async lookup(token: string, device: PresentingDevice): Promise<LookupResult> {
    return lookupResult(await seenToken(this.db.query, refreshDigest(token)), device, this.now());
  }

  async revoke(upn: string): Promise<number> {
    return this.db.transaction((q) => revokeRefreshTokens(q, canonicalUsername(upn)));
  }

  /** Inserts a token of `family`, extending the family's expiry to the token's. */
  async #insert(
    q: Query,
    grant: Omit<RefreshGrant, 'expires' | 'family'>,
    family: string,
  ): Promise<string> {
    const token = newRefreshToken();
    const expires = this.now() + this.lifetimeMs;
    await q(
      `INSERT INTO refresh_families (id, user_key, expires) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET expires = greatest(refresh_families.expires, EXCLUDED.expires)`,
      [family, canonicalUsername(grant.upn), expires],
    );
    await q(
      `INSERT INTO refresh_tokens (digest, family, upn, client_id, device_kid, expires)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [refreshDigest(token), family, grant.upn, grant.clientId, grant.deviceKid, expires],
    );
    return token;
  }

  /** Forgets up to 1000 expired families (their tokens go by foreign key). */
  async #sweep(): Promise<void> {
    await this.db.query(
      `DELETE FROM refresh_families WHERE id IN
         (SELECT id FROM refresh_families WHERE expires <= $1 LIMIT 1000)`,
      [this.now()],
    );
  }
}

async function seenToken(q: Query, digest: string): Promise<StoredToken | undefined> {
  const row = (await q<SeenRow>(SEEN, [digest])).rows[0];
  if (row === undefined) return undefined;
  return {
    upn: row.upn,
    used: row.used,
    deviceKid: row.device_kid,
    clientId: row.client_id,
    revoked: row.revoked,
    family: row.family,
    expires: Number(row.expires),
  };
}
