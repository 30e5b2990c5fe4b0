/**
 * The IdP's users: UPN, scrypt password hash, immutable id. UPNs are kept as given (NFC) for
 * display and unique in their canonical form (`canonicalUsername`: NFC, case-folded, the domain as
 * an IDNA A-label), which every lookup uses: `Bücher`, its NFD spelling and `xn--bcher-kva` name
 * one user.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { IdpError } from '../../errors.js';
import { canonicalUsername, isUpnShaped } from '../auth/username.js';
import type { IdpDatabase } from './database.js';
import { type PasswordHasher, scryptHasher } from './password.js';
import type { UserRecord } from './types.js';

/** A user as stored, with when it was added (ISO-8601). */
export interface StoredUser extends UserRecord {
  readonly createdAt: string;
}

/** Options of {@link UserStore}. */
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
/** The demo user {@link UserStore.ensureDemoUser} creates by default. */
export const DEMO_UPN = 'demo@federated.example';

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

interface Row {
  upn: string;
  password_hash: string;
  immutable_id: string;
  created_at: string;
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
 * Users in the IdP database.
 *
 * @example
 * ```ts
 * const users = new UserStore(IdpDatabase.open(dataDir));
 * await users.add('alice@example.com', 'correct horse battery staple');
 * const user = await users.authenticate('ALICE@example.com', 'correct horse battery staple');
 * ```
 */
export class UserStore {
  readonly #db: IdpDatabase;
  readonly #hasher: PasswordHasher;
  readonly #now: () => Date;

  constructor(db: IdpDatabase, options: UserStoreOptions = {}) {
    this.#db = db;
    this.#hasher = options.hasher ?? scryptHasher;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Adds a user with a new immutable id.
   *
   * @throws {TypeError} for an invalid UPN (not `local@domain`), or a password that is empty or
   *   over 1024 characters.
   * @throws {IdpError} `PSSO_ERR_IDP_USER_EXISTS` when the UPN (in any spelling) is taken.
   * @example
   * ```ts
   * const { immutableId } = await users.add('alice@example.com', password);
   * ```
   */
  async add(upn: string, password: string): Promise<StoredUser> {
    const name = requireUpn(upn);
    checkPassword(password);
    if (this.#row(name) !== undefined) throw exists();
    const row: Row = {
      upn: name,
      password_hash: await this.#hasher.hash(password),
      immutable_id: randomBytes(16).toString('base64'),
      created_at: this.#now().toISOString(),
    };
    this.#db.guard(() => {
      try {
        this.#db
          .statement(
            `INSERT INTO users (upn, upn_key, password_hash, immutable_id, created_at)
             VALUES (?, ?, ?, ?, ?)`,
          )
          .run(
            row.upn,
            canonicalUsername(row.upn),
            row.password_hash,
            row.immutable_id,
            row.created_at,
          );
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE')
          throw exists();
        throw e;
      }
    });
    return record(row);
  }

  /**
   * Removes a user (and its lockout state and refresh tokens).
   *
   * @throws {IdpError} `PSSO_ERR_IDP_USER_NOT_FOUND` when there is no such user.
   * @example
   * ```ts
   * users.remove('alice@example.com');
   * ```
   */
  remove(upn: string): void {
    const name = canonicalUsername(validateUpn(upn));
    const removed = this.#db.guard(() =>
      this.#db.transaction(() => {
        const row = this.#db.statement('SELECT upn FROM users WHERE upn_key = ?').get(name) as
          | { upn: string }
          | undefined;
        if (row === undefined) return 0;
        this.#db.statement('DELETE FROM lockout_counters WHERE user_key = ?').run(name);
        this.#db.statement('DELETE FROM lockout_sources WHERE user_key = ?').run(name);
        // Removing a user revokes the Platform SSO refresh tokens issued to it.
        this.#db.statement('DELETE FROM refresh_tokens WHERE upn = ?').run(row.upn);
        this.#db.statement('DELETE FROM refresh_families WHERE upn = ?').run(row.upn);
        return this.#db.statement('DELETE FROM users WHERE upn_key = ?').run(name).changes;
      }),
    );
    if (removed === 0)
      throw new IdpError('PSSO_ERR_IDP_USER_NOT_FOUND', 'There is no user with this UPN');
  }

  /**
   * Sets a new password (a new scrypt hash) and revokes the user's Platform SSO refresh tokens, so
   * that sessions opened with the old password end.
   *
   * @throws {TypeError} for an invalid UPN, or a password that is empty or over 1024 characters.
   * @throws {IdpError} `PSSO_ERR_IDP_USER_NOT_FOUND` when there is no such user.
   * @example
   * ```ts
   * await users.setPassword('alice@example.com', newPassword);
   * ```
   */
  async setPassword(upn: string, password: string): Promise<StoredUser> {
    const name = validateUpn(upn);
    checkPassword(password);
    const hash = await this.#hasher.hash(password);
    const row = this.#db.guard(() =>
      this.#db.transaction(() => {
        const found = this.#row(name);
        if (found === undefined) return undefined;
        this.#db.statement('UPDATE users SET password_hash = ? WHERE upn = ?').run(hash, found.upn);
        this.#db.statement('DELETE FROM refresh_tokens WHERE upn = ?').run(found.upn);
        this.#db.statement('DELETE FROM refresh_families WHERE upn = ?').run(found.upn);
        return found;
      }),
    );
    if (row === undefined)
      throw new IdpError('PSSO_ERR_IDP_USER_NOT_FOUND', 'There is no user with this UPN');
    return record(row);
  }

  /**
   * Every user, sorted by UPN.
   *
   * @example
   * ```ts
   * for (const u of users.list()) console.log(u.upn, u.immutableId);
   * ```
   */
  list(): StoredUser[] {
    const rows = this.#db.guard(() =>
      this.#db
        .statement(
          'SELECT upn, password_hash, immutable_id, created_at FROM users ORDER BY upn_key, upn',
        )
        .all(),
    ) as Row[];
    return rows.map(record);
  }

  /**
   * The user with this UPN (any case), or `undefined` (also for a malformed UPN).
   *
   * @example
   * ```ts
   * users.get('Alice@Example.com')?.immutableId;
   * ```
   */
  get(upn: string): StoredUser | undefined {
    const name = wellFormed(upn);
    const row = name === undefined ? undefined : this.#row(name);
    return row === undefined ? undefined : record(row);
  }

  /**
   * The user when `password` is theirs, else `undefined`. Costs one password check whether or not
   * the user exists (an unknown UPN is checked against the dummy hash), compared in constant time.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when the database fails.
   * @example
   * ```ts
   * const user = await users.authenticate(username, password);
   * if (user === undefined) await lockout.recordFailure(username, now, policy);
   * ```
   */
  async authenticate(upn: string, password: string): Promise<UserRecord | undefined> {
    return (await this.verify(upn, password)).user;
  }

  /**
   * As {@link authenticate}, also telling whether the user exists (so a caller can keep lockout
   * state for real users only). The cost is the same either way.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when the database fails.
   * @example
   * ```ts
   * const { user, known } = await users.verify(username, password);
   * if (user === undefined && known) await lockout.recordFailure(username, source, now, policy);
   * ```
   */
  async verify(
    upn: string,
    password: string,
  ): Promise<{ readonly user: UserRecord | undefined; readonly known: boolean }> {
    const name = wellFormed(upn);
    const row = name === undefined ? undefined : this.#row(name);
    const ok = await this.#hasher.verify(
      row?.password_hash ?? this.#hasher.dummyHash,
      typeof password === 'string' ? password : '',
    );
    return {
      user: ok && row !== undefined ? { upn: row.upn, immutableId: row.immutable_id } : undefined,
      known: row !== undefined,
    };
  }

  /**
   * Costs what {@link authenticate} costs and checks nothing: for a locked account, so that its
   * refusal takes as long as any other.
   *
   * @example
   * ```ts
   * if (await lockout.isLocked(username, now)) await users.burnPasswordCheck(password);
   * ```
   */
  async burnPasswordCheck(password = ''): Promise<void> {
    await this.#hasher.verify(this.#hasher.dummyHash, password);
  }

  /**
   * Creates the demo user with a random password when it does not exist. The password is returned
   * once, only when the user was created: show it to the operator, it is not kept anywhere.
   *
   * @example
   * ```ts
   * const demo = await users.ensureDemoUser();
   * if (demo.created) console.log(`demo@federated.example / ${demo.password}`);
   * ```
   */
  async ensureDemoUser(upn: string = DEMO_UPN): Promise<{ created: boolean; password?: string }> {
    if (this.get(upn) !== undefined) return { created: false };
    const password = randomBytes(18).toString('base64url');
    try {
      await this.add(upn, password);
    } catch (e) {
      if (e instanceof IdpError && e.code === 'PSSO_ERR_IDP_USER_EXISTS') return { created: false };
      throw e;
    }
    return { created: true, password };
  }

  #row(name: string): Row | undefined {
    return this.#db.guard(
      () =>
        this.#db
          .statement(
            'SELECT upn, password_hash, immutable_id, created_at FROM users WHERE upn_key = ?',
          )
          .get(canonicalUsername(name)) as Row | undefined,
    );
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

function record(row: Row): StoredUser {
  return { upn: row.upn, immutableId: row.immutable_id, createdAt: row.created_at };
}

function exists(): IdpError {
  return new IdpError('PSSO_ERR_IDP_USER_EXISTS', 'A user with this UPN already exists');
}
