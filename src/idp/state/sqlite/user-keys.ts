/**
 * Users' Secure Enclave keys (docs/PLATFORM-SSO.md §3.9): P-256 public keys registered to a user, keyed
 * by their `kid` (standard base64 of SHA-256 over the X9.63 point, as the embedded assertion's
 * header carries it). A key belongs to one user; removing the user removes its keys.
 *
 * @module
 */
import { IdpError } from '../../errors.js';
import { canonicalUsername } from '../auth/username.js';
import type { IdpDatabase } from './database.js';
import { p256Kid, p256PublicKey } from './devices.js';

/** A registered user key. */
export interface UserKeyRecord {
  /** The user's UPN as stored. */
  readonly upn: string;
  readonly kid: string;
  readonly publicKey: import('node:crypto').KeyObject;
  readonly createdAt: string;
}

interface Row {
  kid: string;
  upn: string;
  jwk: string;
  created_at: string;
}

/** User keys over the IdP database. */
export class UserKeyStore {
  constructor(private readonly db: IdpDatabase) {}

  /**
   * Registers a P-256 public key (JWK object or text; private members refused) to an existing
   * user. Registering the same key again for the same user changes nothing.
   *
   * @throws {TypeError} when the JWK is not a P-256 public key, or the key is another user's.
   * @throws {IdpError} `PSSO_ERR_IDP_USER_NOT_FOUND` when there is no such user.
   * @example
   * ```ts
   * const key = userKeys.add('alice@example.com', { kty: 'EC', crv: 'P-256', x, y });
   * ```
   */
  add(upn: string, jwk: unknown): UserKeyRecord {
    const publicKey = p256PublicKey(jwk);
    const kid = p256Kid(publicKey);
    const key = canonicalUsername(upn);
    return this.db.guard(() =>
      this.db.transaction(() => {
        const user = this.db.statement('SELECT upn FROM users WHERE upn_key = ?').get(key) as
          | { upn: string }
          | undefined;
        if (user === undefined)
          throw new IdpError('PSSO_ERR_IDP_USER_NOT_FOUND', 'There is no user with this UPN');
        const existing = this.row(kid);
        if (existing !== undefined) {
          if (canonicalUsername(existing.upn) !== key)
            throw new TypeError('this key is registered to another user');
          return toRecord(existing);
        }
        const row: Row = {
          kid,
          upn: user.upn,
          jwk: JSON.stringify(publicKey.export({ format: 'jwk' })),
          created_at: new Date().toISOString(),
        };
        this.db
          .statement(
            'INSERT INTO user_keys (kid, upn, user_key, jwk, created_at) VALUES (?, ?, ?, ?, ?)',
          )
          .run(row.kid, row.upn, key, row.jwk, row.created_at);
        return toRecord(row);
      }),
    );
  }

  /**
   * The key with this `kid`, whoever it belongs to.
   *
   * @example
   * ```ts
   * const key = userKeys.get(header.kid);
   * ```
   */
  get(kid: string): UserKeyRecord | undefined {
    const row = this.db.guard(() => this.row(kid));
    return row === undefined ? undefined : toRecord(row);
  }

  /**
   * Every key, or a user's keys (any spelling of the UPN).
   *
   * @example
   * ```ts
   * userKeys.list('Alice@Example.com').map((k) => k.kid);
   * ```
   */
  list(upn?: string): UserKeyRecord[] {
    const rows = this.db.guard(() =>
      upn === undefined
        ? this.db.statement('SELECT * FROM user_keys ORDER BY user_key, created_at').all()
        : this.db
            .statement('SELECT * FROM user_keys WHERE user_key = ? ORDER BY created_at')
            .all(canonicalUsername(upn)),
    ) as Row[];
    return rows.map(toRecord);
  }

  /**
   * Removes a key by its `kid`.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_USER_NOT_FOUND` when there is no such key.
   * @example
   * ```ts
   * userKeys.remove('WMPGy7o9k+Wh7DB3V7oXBPh3QCP4xuTXtMANwfzn6+k=');
   * ```
   */
  remove(kid: string): void {
    const { changes } = this.db.guard(() =>
      this.db.statement('DELETE FROM user_keys WHERE kid = ?').run(kid),
    );
    if (changes === 0) throw new IdpError('PSSO_ERR_IDP_USER_NOT_FOUND', 'No such user key');
  }

  private row(kid: string): Row | undefined {
    return this.db.statement('SELECT * FROM user_keys WHERE kid = ?').get(kid) as Row | undefined;
  }
}

function toRecord(row: Row): UserKeyRecord {
  return {
    upn: row.upn,
    kid: row.kid,
    publicKey: p256PublicKey(row.jwk),
    createdAt: row.created_at,
  };
}
