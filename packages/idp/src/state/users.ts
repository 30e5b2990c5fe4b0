/**
 * The IdP's users, whatever the backend: UPNs are kept as given (NFC) for display and unique in
 * their canonical form (`canonicalUsername`: NFC, case-folded, the domain as an IDNA A-label),
 * which every lookup uses: `Bücher`, its NFD spelling and `xn--bcher-kva` name one user. The
 * checks, hashing and derived operations live here; a backend supplies five row operations.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { IdpError } from 'psso-wstrust';
import { canonicalUsername, isUpnShaped } from '../auth/username.js';
import { type PasswordHasher, scryptHasher } from './password.js';
import type { StoredUser, UserRecord } from './records.js';
import type { UserStore } from './types.js';
import { CONTROL } from './validate.js';

/** Options of a user store. */
export interface UserStoreOptions {
  /** How passwords are hashed and checked. Default: scrypt ({@link scryptHasher}). */
  readonly hasher?: PasswordHasher;
  /** The clock for `createdAt`. */
  readonly now?: () => Date;
}

/** Longest UPN accepted (UTF-16 code units), as the STS's limit on a UsernameToken. */
export const MAX_UPN_LENGTH = 256;
/** Longest password accepted by `add` (the STS refuses longer ones). */
export const MAX_PASSWORD_LENGTH = 1024;
/** The demo user {@link UserStoreBase.ensureDemoUser} creates by default. */
export const DEMO_UPN = 'demo@federated.example';

/** A user as a backend stores it (`upn_key`, the canonical UPN, is its key). */
export interface UserRow {
  readonly upn: string;
  readonly password_hash: string;
  readonly immutable_id: string;
  readonly created_at: string;
}

/**
 * Checks a UPN given by an operator or a caller and returns it NFC-normalized.
 *
 * @throws {TypeError} when it is not a string, is empty, is longer than 256 characters or holds a
 *   control character.
 * @example
 * ```ts
 * validateUpn('alice@example.com'); // 'alice@example.com'
 * validateUpn('bad\nname'); // throws TypeError
 * ```
 */
export function validateUpn(upn: unknown): string {
  if (typeof upn !== 'string') throw new TypeError('the UPN must be a string');
  const normalized = upn.normalize('NFC');
  if (normalized === '') throw new TypeError('the UPN must not be empty');
  if (normalized.length > MAX_UPN_LENGTH)
    throw new TypeError(`the UPN must be at most ${MAX_UPN_LENGTH} characters`);
  if (CONTROL.test(normalized)) throw new TypeError('the UPN must not contain control characters');
  return normalized;
}

/**
 * Checks that a name given for a new user is a UPN (`local@domain`, the domain with a dot) and
 * returns it NFC-normalized.
 *
 * @throws {TypeError} as {@link validateUpn}, or when the name is not shaped as a UPN.
 * @example
 * ```ts
 * requireUpn('alice@example.com'); // 'alice@example.com'
 * requireUpn('alice'); // throws TypeError
 * ```
 */
export function requireUpn(upn: unknown): string {
  const name = validateUpn(upn);
  if (!isUpnShaped(name))
    throw new TypeError('the name must be a UPN: local@domain, the domain with a dot');
  return name;
}

/**
 * A {@link UserStore} over five row operations of a backend, keyed by the canonical UPN.
 *
 * @example
 * ```ts
 * class MyUserStore extends UserStoreBase {
 *   protected async findRow(key: string) { … }
 *   // insertRow, deleteUser, updatePassword, allRows
 * }
 * ```
 */
export abstract class UserStoreBase implements UserStore {
  readonly #hasher: PasswordHasher;
  readonly #now: () => Date;

  constructor(options: UserStoreOptions = {}) {
    this.#hasher = options.hasher ?? scryptHasher;
    this.#now = options.now ?? (() => new Date());
  }

  /** The row of canonical UPN `key`. */
  protected abstract findRow(key: string): Promise<UserRow | undefined>;
  /** Inserts a row; `false` when the key (or immutable id) is taken. */
  protected abstract insertRow(key: string, row: UserRow): Promise<boolean>;
  /** Deletes the user, its lockout state, refresh tokens and keys; `false` when absent. */
  protected abstract deleteUser(key: string): Promise<boolean>;
  /** Sets the hash and revokes the user's refresh tokens; the row, or `undefined` when absent. */
  protected abstract updatePassword(key: string, hash: string): Promise<UserRow | undefined>;
  /** Every row, sorted by key. */
  protected abstract allRows(): Promise<UserRow[]>;

  async add(upn: string, password: string): Promise<StoredUser> {
    const name = requireUpn(upn);
    checkPassword(password);
    const key = canonicalUsername(name);
    if ((await this.findRow(key)) !== undefined) throw exists();
    const row: UserRow = {
      upn: name,
      password_hash: await this.#hasher.hash(password),
      immutable_id: randomBytes(16).toString('base64'),
      created_at: this.#now().toISOString(),
    };
    if (!(await this.insertRow(key, row))) throw exists();
    return userRecord(row);
  }

  async remove(upn: string): Promise<void> {
    if (!(await this.deleteUser(canonicalUsername(validateUpn(upn))))) throw notFound();
  }

  async setPassword(upn: string, password: string): Promise<StoredUser> {
    const name = validateUpn(upn);
    checkPassword(password);
    const hash = await this.#hasher.hash(password);
    const row = await this.updatePassword(canonicalUsername(name), hash);
    if (row === undefined) throw notFound();
    return userRecord(row);
  }

  async list(): Promise<StoredUser[]> {
    return (await this.allRows()).map(userRecord);
  }

  async get(upn: string): Promise<StoredUser | undefined> {
    const name = wellFormed(upn);
    const row = name === undefined ? undefined : await this.findRow(canonicalUsername(name));
    return row === undefined ? undefined : userRecord(row);
  }

  async verify(
    upn: string,
    password: string,
  ): Promise<{ readonly user: UserRecord | undefined; readonly known: boolean }> {
    const name = wellFormed(upn);
    const row = name === undefined ? undefined : await this.findRow(canonicalUsername(name));
    const ok = await this.#hasher.verify(
      row?.password_hash ?? this.#hasher.dummyHash,
      typeof password === 'string' ? password : '',
    );
    return {
      user: ok && row !== undefined ? { upn: row.upn, immutableId: row.immutable_id } : undefined,
      known: row !== undefined,
    };
  }

  async authenticate(upn: string, password: string): Promise<UserRecord | undefined> {
    return (await this.verify(upn, password)).user;
  }

  async burnPasswordCheck(password = ''): Promise<void> {
    await this.#hasher.verify(this.#hasher.dummyHash, password);
  }

  async ensureDemoUser(upn: string = DEMO_UPN): Promise<{ created: boolean; password?: string }> {
    if ((await this.get(upn)) !== undefined) return { created: false };
    const password = randomBytes(18).toString('base64url');
    try {
      await this.add(upn, password);
    } catch (e) {
      if (e instanceof IdpError && e.code === 'PSSO_ERR_IDP_USER_EXISTS') return { created: false };
      throw e;
    }
    return { created: true, password };
  }
}

function wellFormed(upn: unknown): string | undefined {
  try {
    return validateUpn(upn);
  } catch {
    return undefined;
  }
}

function checkPassword(password: unknown): void {
  if (typeof password !== 'string' || password === '')
    throw new TypeError('the password must be a non-empty string');
  if (password.length > MAX_PASSWORD_LENGTH)
    throw new TypeError(`the password must be at most ${MAX_PASSWORD_LENGTH} characters`);
}

function userRecord(row: UserRow): StoredUser {
  return { upn: row.upn, immutableId: row.immutable_id, createdAt: row.created_at };
}

function exists(): IdpError {
  return new IdpError('PSSO_ERR_IDP_USER_EXISTS', 'A user with this UPN already exists');
}

function notFound(): IdpError {
  return new IdpError('PSSO_ERR_IDP_USER_NOT_FOUND', 'There is no user with this UPN');
}
