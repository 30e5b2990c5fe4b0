/**
 * Refresh tokens: random, stored only as SHA-256 digests in the IdP database (so they survive a
 * restart and are shared by several processes), expiring, bound to the device that received them,
 * single use, and grouped in families for reuse detection (OAuth 2.0 Security BCP, RFC 9700
 * §4.14.2):
 *
 * - a login starts a family; each refresh rotates the token: the presented one is marked used (its
 *   digest kept until the family expires) and a new one of the same family is issued, in one
 *   transaction, so a store failure half-way leaves the presented token valid;
 * - presenting a used token again means two parties hold the family (a stolen token, or a client
 *   that lost an answer): the whole family is revoked and every token of it refused afterwards;
 * - the device binding is part of the atomic consume, so a token presented by another device is
 *   refused, changes nothing, and stays valid for its own device (nobody can revoke a family they
 *   cannot present from its device).
 *
 * @module
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IdpDatabase } from '../store/database.js';

/** What a refresh token stands for. */
export interface RefreshGrant {
  readonly upn: string;
  readonly clientId: string;
  readonly deviceKid: string;
  readonly expires: number;
  /** The family: every token rotated from one login. */
  readonly family: string;
}

/** The device presenting a token. */
export interface PresentingDevice {
  readonly clientId: string;
  readonly deviceKid: string;
}

/** Why a presented token was refused. */
export type RefreshRefusal =
  /** Never issued, or swept after its family expired. */
  | 'unknown'
  /** Unused, but past its lifetime. */
  | 'expired'
  /** Issued to another device (or client id): refused, nothing changed. */
  | 'other-device'
  /** Already rotated: the whole family is now revoked. */
  | 'reuse'
  /** Its family was revoked earlier. */
  | 'revoked';

/** The outcome of {@link RefreshTokenStore.rotate}. */
export type RotateResult =
  | { readonly ok: true; readonly grant: RefreshGrant; readonly token: string }
  | { readonly ok: false; readonly reason: RefreshRefusal };

/** The outcome of {@link RefreshTokenStore.lookup} (read-only: `used` revokes nothing). */
export type LookupResult =
  | { readonly ok: true; readonly grant: RefreshGrant }
  | { readonly ok: false; readonly reason: Exclude<RefreshRefusal, 'reuse'> | 'used' };

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
  'SELECT t.used, t.device_kid, t.client_id, t.family, f.revoked FROM refresh_tokens t ' +
  'LEFT JOIN refresh_families f ON f.id = t.family WHERE t.digest = ?';
('LEFT JOIN refresh_families f ON f.id = t.family WHERE t.digest = ?');
const LOOKUP =
  'SELECT t.upn, t.used, t.device_kid, t.client_id, t.expires, t.family, f.revoked ' +
  'FROM refresh_tokens t LEFT JOIN refresh_families f ON f.id = t.family WHERE t.digest = ?';

/** Refresh tokens over the IdP database. */
export class RefreshTokenStore {
  constructor(
    private readonly db: IdpDatabase,
    readonly lifetimeMs = 14 * 24 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A new refresh token starting a new family (after a login). Expired families are swept now and
   * then.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when the database fails.
   * @example
   * ```ts
   * const token = refreshTokens.issue({ upn, clientId, deviceKid });
   * ```
   */
  issue(grant: Omit<RefreshGrant, 'expires' | 'family'>): string {
    return this.db.guard(() =>
      this.db.transaction(() => {
        if (Math.random() < 0.01) this.sweep();
        return this.insert(grant, randomUUID());
      }),
    );
  }

  /**
   * Presents `token` from `device`: when it is unused, unexpired, of a live family and issued to
   * this device, it is marked used and a new token of the same family is issued, atomically.
   * Presenting a used token revokes its family.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when the database fails (nothing changed).
   * @example
   * ```ts
   * const r = refreshTokens.rotate(claims.refresh_token, { clientId, deviceKid });
   * if (!r.ok) refuse(`refresh-token-${r.reason}`);
   * else respond(r.grant.upn, r.token);
   * ```
   */
  rotate(token: string, device: PresentingDevice): RotateResult {
    const d = digest(token);
    return this.db.guard(() =>
      this.db.transaction((): RotateResult => {
        const t = this.now();
        const row = this.db.statement(CONSUME).get(d, device.deviceKid, device.clientId, t) as
          | ConsumedRow
          | undefined;
        if (row !== undefined) {
          const grant = { upn: row.upn, clientId: device.clientId, deviceKid: device.deviceKid };
          const next = this.insert(grant, row.family);
          return {
            ok: true,
            grant: { ...grant, expires: row.expires, family: row.family },
            token: next,
          };
        }
        return { ok: false, reason: this.refusal(d, device) };
      }),
    );
  }

  /**
   * Looks `token` up for `device` WITHOUT consuming or rotating it (Platform SSO 2.0 key requests
   * carry the refresh token as proof of the session, §3.11; so does a user key registration): it
   * must be unused, unexpired, of a live family and issued to this device. Read-only: a used token
   * is refused (`used`), its family left as it is.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when the database fails.
   * @example
   * ```ts
   * const r = refreshTokens.lookup(claims.refresh_token, { clientId, deviceKid });
   * if (!r.ok) refuse(`key-refresh-token-${r.reason}`);
   * ```
   */
  lookup(token: string, device: PresentingDevice): LookupResult {
    const d = digest(token);
    return this.db.guard((): LookupResult => {
      const row = this.db.statement(LOOKUP).get(d) as (SeenRow & ConsumedRow) | undefined;
      if (row === undefined) return { ok: false, reason: 'unknown' };
      if (row.device_kid !== device.deviceKid || row.client_id !== device.clientId)
        return { ok: false, reason: 'other-device' };
      if (row.revoked !== 0) return { ok: false, reason: 'revoked' };
      if (row.used === 1) return { ok: false, reason: 'used' };
      if (row.expires <= this.now()) return { ok: false, reason: 'expired' };
      const { upn, family, expires } = row;
      return {
        ok: true,
        grant: { upn, clientId: device.clientId, deviceKid: device.deviceKid, expires, family },
      };
    });
  }

  /**
   * Revokes every token of a user (every family).
   *
   * @example
   * ```ts
   * refreshTokens.revoke('alice@example.com');
   * ```
   */
  revoke(upn: string): number {
    return this.db.guard(() =>
      this.db.transaction(() => {
        this.db.statement('DELETE FROM refresh_families WHERE upn = ?').run(upn);
        return this.db.statement('DELETE FROM refresh_tokens WHERE upn = ?').run(upn).changes;
      }),
    );
  }

  /** Why `d` was not consumed; revokes the family of a used token. */
  private refusal(d: string, device: PresentingDevice): RefreshRefusal {
    const seen = this.db.statement(SEEN).get(d) as SeenRow | undefined;
    if (seen === undefined) return 'unknown';
    if (seen.device_kid !== device.deviceKid || seen.client_id !== device.clientId)
      return 'other-device';
    if (seen.used === 1) {
      this.db
        .statement('UPDATE refresh_families SET revoked = 1 WHERE id = ? AND revoked = 0')
        .run(seen.family);
      return 'reuse';
    }
    if (seen.revoked !== 0) return 'revoked';
    return 'expired';
  }

  /** Inserts a token of `family`, extending the family's expiry to the token's. */
  private insert(grant: Omit<RefreshGrant, 'expires' | 'family'>, family: string): string {
    const token = randomBytes(32).toString('base64url');
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
      .run(digest(token), grant.upn, grant.clientId, grant.deviceKid, expires, family);
    return token;
  }

  /** Forgets families (and their tokens, used or not) that have expired. */
  private sweep(): void {
    const t = this.now();
    this.db
      .statement(
        'DELETE FROM refresh_tokens WHERE family IN (SELECT id FROM refresh_families WHERE expires <= ?)',
      )
      .run(t);
    this.db.statement('DELETE FROM refresh_families WHERE expires <= ?').run(t);
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}
