/**
 * Users' Secure Enclave keys (docs/PLATFORM-SSO.md §3.9), whatever the backend: P-256 public keys
 * registered to a user, keyed by their `kid` (standard base64 of SHA-256 over the X9.63 point, as
 * the embedded assertion's header carries it). A key belongs to one user; removing the user
 * removes its keys. The checks live here; a backend supplies four row operations.
 *
 * @module
 */
import { IdpError } from 'psso-wstrust';
import { canonicalUsername } from '../auth/username.js';
import { invalidRegistration } from './device-encryption.js';
import { p256Kid, p256PublicKey } from './devices.js';
import type { UserKeyRecord } from './records.js';
import type { UserKeyStore } from './types.js';

/** A user key as a backend stores it. */
export interface UserKeyRow {
  readonly kid: string;
  /** The owner's UPN as stored. */
  readonly upn: string;
  readonly jwk: string;
  readonly created_at: string;
}

/**
 * A {@link UserKeyStore} over four row operations of a backend.
 *
 * @example
 * ```ts
 * const key = await userKeys.add('alice@example.com', { kty: 'EC', crv: 'P-256', x, y });
 * ```
 */
export abstract class UserKeyStoreBase implements UserKeyStore {
  /**
   * Inserts the key for the user of canonical UPN `userKey` unless `kid` is registered already;
   * gives the row now holding `kid` (this one or the earlier one), or `'no-user'`.
   */
  protected abstract insertRow(
    userKey: string,
    row: Omit<UserKeyRow, 'upn'>,
  ): Promise<UserKeyRow | 'no-user'>;
  protected abstract findRow(kid: string): Promise<UserKeyRow | undefined>;
  /** Every row, or those of the user of canonical UPN `userKey`, sorted by user then age. */
  protected abstract allRows(userKey?: string): Promise<UserKeyRow[]>;
  /** `false` when there was no such row. */
  protected abstract deleteRow(kid: string): Promise<boolean>;

  async add(upn: string, jwk: unknown): Promise<UserKeyRecord> {
    const publicKey = p256PublicKey(jwk);
    const userKey = canonicalUsername(upn);
    const row = await this.insertRow(userKey, {
      kid: p256Kid(publicKey),
      jwk: JSON.stringify(publicKey.export({ format: 'jwk' })),
      created_at: new Date().toISOString(),
    });
    if (row === 'no-user')
      throw new IdpError('PSSO_ERR_IDP_USER_NOT_FOUND', 'There is no user with this UPN');
    if (canonicalUsername(row.upn) !== userKey)
      throw invalidRegistration('this key is registered to another user');
    return userKeyRecord(row);
  }

  async get(kid: string): Promise<UserKeyRecord | undefined> {
    if (typeof kid !== 'string') return undefined;
    const row = await this.findRow(kid);
    return row === undefined ? undefined : userKeyRecord(row);
  }

  async list(upn?: string): Promise<UserKeyRecord[]> {
    const rows = await this.allRows(upn === undefined ? undefined : canonicalUsername(upn));
    return rows.map(userKeyRecord);
  }

  async remove(kid: string): Promise<void> {
    if (!(await this.deleteRow(kid)))
      throw new IdpError('PSSO_ERR_IDP_USER_NOT_FOUND', 'No such user key');
  }
}

function userKeyRecord(row: UserKeyRow): UserKeyRecord {
  return {
    upn: row.upn,
    kid: row.kid,
    publicKey: p256PublicKey(row.jwk),
    createdAt: row.created_at,
  };
}
