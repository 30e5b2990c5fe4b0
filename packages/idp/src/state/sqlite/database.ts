/**
 * The IdP's SQLite database (`idp.sqlite` in the data folder, through better-sqlite3): WAL,
 * foreign keys on, a `user_version` migration, prepared statements cached per SQL text.
 *
 * @module
 */
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { IdpError } from 'psso-wstrust';
import { canonicalUsername } from '../../auth/username.js';
import { dataDirError, ensureDataDir } from '../../store/data-dir.js';
import { DEFAULT_RELYING_PARTY } from '../relying-parties.js';

/** The database file's name inside the data folder. */
export const DATABASE_FILE = 'idp.sqlite';

/** Schema migrations; `user_version` is the number applied. Append, never edit. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     upn TEXT PRIMARY KEY COLLATE NOCASE,
     password_hash TEXT NOT NULL,
     immutable_id TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL
   ) STRICT;
   CREATE TABLE relying_parties (
     identifier TEXT PRIMARY KEY,
     saml_version TEXT NOT NULL CHECK (saml_version IN ('1.1', '2.0'))
   ) STRICT;
   CREATE TABLE lockout (
     upn TEXT PRIMARY KEY COLLATE NOCASE,
     failures INTEGER NOT NULL,
     window_start INTEGER NOT NULL,
     locked_until INTEGER
   ) STRICT;
   INSERT INTO relying_parties (identifier, saml_version)
     VALUES ('${DEFAULT_RELYING_PARTY.identifier}', '${DEFAULT_RELYING_PARTY.samlVersion}');`,
  // 2: Platform SSO devices (issue 4).
  `CREATE TABLE devices (
     signing_kid TEXT PRIMARY KEY,
     client_id TEXT NOT NULL,
     signing_jwk TEXT NOT NULL,
     encryption_kid TEXT NOT NULL,
     encryption_jwk TEXT NOT NULL,
     created_at TEXT NOT NULL
   ) STRICT;`,
  // 3: Platform SSO refresh tokens (SHA-256 digests only).
  `CREATE TABLE refresh_tokens (
     digest TEXT PRIMARY KEY,
     upn TEXT NOT NULL COLLATE NOCASE,
     client_id TEXT NOT NULL,
     device_kid TEXT NOT NULL,
     expires INTEGER NOT NULL
   ) STRICT;
   CREATE INDEX refresh_tokens_upn ON refresh_tokens (upn);`,
  // 4: Platform SSO server nonces, shared by every IdP process on the data folder.
  `CREATE TABLE server_nonces (
     digest TEXT PRIMARY KEY,
     expires INTEGER NOT NULL
   ) STRICT;`,
  // 5: the replay cache without Redis (issue 7): digests of recorded UsernameToken nonces,
  // assertion ids and consumed server nonces, shared by every process on the data folder and kept
  // across restarts. Server nonces are sealed now (nothing stored at issue): their table goes.
  `CREATE TABLE replay_cache (
     key TEXT PRIMARY KEY,
     expires INTEGER NOT NULL
   ) STRICT, WITHOUT ROWID;
   CREATE INDEX replay_cache_expires ON replay_cache (expires);
   DROP TABLE IF EXISTS server_nonces;`,
  // 6 (issue 7): refresh-token families for reuse detection (a rotated token is marked used, not
  // deleted, until its family expires); tokens issued before this start a family of their own.
  `CREATE TABLE refresh_families (
     id TEXT PRIMARY KEY,
     upn TEXT NOT NULL COLLATE NOCASE,
     expires INTEGER NOT NULL,
     revoked INTEGER NOT NULL DEFAULT 0
   ) STRICT;
   CREATE INDEX refresh_families_upn ON refresh_families (upn);
   CREATE INDEX refresh_families_expires ON refresh_families (expires);
   ALTER TABLE refresh_tokens ADD COLUMN family TEXT NOT NULL DEFAULT '';
   ALTER TABLE refresh_tokens ADD COLUMN used INTEGER NOT NULL DEFAULT 0;
   UPDATE refresh_tokens SET family = digest;
   INSERT INTO refresh_families (id, upn, expires) SELECT digest, upn, expires FROM refresh_tokens;
   CREATE INDEX refresh_tokens_family ON refresh_tokens (family);`,
  // 7 (issue 7): a relying party's SAML 2.0 SubjectConfirmationData Recipient (NULL: the IdP's
  // own Platform SSO token endpoint).
  'ALTER TABLE relying_parties ADD COLUMN recipient TEXT;',
  // 8 (issue 7): canonical usernames (NFC, case-folded, IDNA A-label domain) for lookups, and
  // smart lockout: one counter per (user, familiar|unfamiliar) and the user's familiar sources.
  // An existing lock carries over to both classes.
  `ALTER TABLE users ADD COLUMN upn_key TEXT;
   UPDATE users SET upn_key = psso_canonical_username(upn);
   CREATE UNIQUE INDEX users_upn_key ON users (upn_key);
   CREATE TABLE lockout_counters (
     user_key TEXT NOT NULL,
     class TEXT NOT NULL CHECK (class IN ('familiar', 'unfamiliar')),
     failures INTEGER NOT NULL,
     window_start INTEGER NOT NULL,
     locked_until INTEGER,
     PRIMARY KEY (user_key, class)
   ) STRICT;
   CREATE TABLE lockout_sources (
     user_key TEXT NOT NULL,
     source TEXT NOT NULL,
     last_success INTEGER NOT NULL,
     PRIMARY KEY (user_key, source)
   ) STRICT;
   INSERT OR IGNORE INTO lockout_counters (user_key, class, failures, window_start, locked_until)
     SELECT psso_canonical_username(upn), c.class, failures, window_start, locked_until
     FROM lockout, (SELECT 'familiar' AS class UNION ALL SELECT 'unfamiliar') AS c;
   DROP TABLE lockout;`,
  // 9 (issue 9): users' Secure Enclave keys (P-256, by kid; removed with their user) and the CAs
  // trusted to issue SmartCard certificates.
  `CREATE TABLE IF NOT EXISTS user_keys (
     kid TEXT PRIMARY KEY,
     upn TEXT NOT NULL COLLATE NOCASE REFERENCES users (upn) ON DELETE CASCADE,
     user_key TEXT NOT NULL,
     jwk TEXT NOT NULL,
     created_at TEXT NOT NULL
   ) STRICT;
   CREATE INDEX IF NOT EXISTS user_keys_user ON user_keys (user_key);
   CREATE TABLE IF NOT EXISTS smartcard_cas (
     fingerprint TEXT PRIMARY KEY,
     subject TEXT NOT NULL,
     pem TEXT NOT NULL,
     created_at TEXT NOT NULL
   ) STRICT;`,
  // 10 (issue 9, HPKE): the response encryption a device declared; its encryption key may then be
  // P-256, P-384 or X25519 (src/idp/store/device-encryption.ts).
  `ALTER TABLE devices ADD COLUMN encryption_alg TEXT NOT NULL DEFAULT 'ECDH-ES'
     CHECK (encryption_alg IN ('ECDH-ES', 'HPKE-P256-SHA256-A256GCM', 'HPKE-P384-SHA384-A256GCM',
       'HPKE-X25519-SHA256-ChaCha20Poly1305'));`,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** A prepared statement (the subset of better-sqlite3's the stores use). */
export interface SqlStatement {
  run(...params: unknown[]): { readonly changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/**
 * An open IdP database. Synchronous, as better-sqlite3 is; one per process and data folder is
 * enough (other processes may open the same file: writes wait up to 5 s for each other).
 *
 * @example
 * ```ts
 * const db = IdpDatabase.open(dataDir);
 * const n = db.statement('SELECT count(*) AS n FROM users').get() as { n: number };
 * db.close();
 * ```
 */
export class IdpDatabase {
  /** Absolute path of the database file. */
  readonly file: string;
  readonly #db: Database;
  readonly #statements = new Map<string, SqlStatement>();

  private constructor(file: string, db: Database) {
    this.file = file;
    this.#db = db;
  }

  /**
   * Opens (creating the folder 0700 and the file 0600 when absent) and migrates the database.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` when the folder or file is unusable, is not a
   *   database, or was written by a newer version.
   */
  static open(dataDir: string): IdpDatabase {
    const file = join(ensureDataDir(dataDir), DATABASE_FILE);
    try {
      closeSync(openSync(file, 'a', 0o600));
    } catch (e) {
      throw dataDirError(`cannot create ${file}`, e);
    }
    let db: Database | undefined;
    try {
      db = new Database(file, { timeout: 5000 });
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('synchronous = NORMAL');
      // Used by migration 5 (and available to later SQL): the canonical form of a username.
      db.function('psso_canonical_username', { deterministic: true }, (name) =>
        canonicalUsername(String(name)),
      );
      migrate(db, file);
      return new IdpDatabase(file, db);
    } catch (e) {
      db?.close();
      if (e instanceof IdpError) throw e;
      throw dataDirError(`cannot open the database ${file}`, e);
    }
  }

  /** The prepared statement for `sql`, prepared once and cached. */
  statement(sql: string): SqlStatement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` in an IMMEDIATE transaction (the write lock taken first), committing its result. */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  /**
   * Runs `fn`, turning a SQLite failure (busy, I/O, corruption, or the database closed) into
   * `PSSO_ERR_IDP_STORE_UNAVAILABLE` so every endpoint fails closed with a 5xx; other errors pass
   * through.
   */
  guard<T>(fn: () => T): T {
    if (!this.#db.open)
      throw new IdpError('PSSO_ERR_IDP_STORE_UNAVAILABLE', 'the IdP database is closed');
    try {
      return fn();
    } catch (e) {
      if (e instanceof Database.SqliteError)
        throw new IdpError(
          'PSSO_ERR_IDP_STORE_UNAVAILABLE',
          `the IdP database failed (${e.code})`,
          {
            cause: e,
          },
        );
      throw e;
    }
  }

  /**
   * Whether the database answers a query now (for `/healthz`). Never throws.
   *
   * @example
   * ```ts
   * const ok = db.ping();
   * ```
   */
  ping(): boolean {
    try {
      this.guard(() => this.statement('SELECT 1').get());
      return true;
    } catch {
      return false;
    }
  }

  /** Whether the database is still open. */
  get isOpen(): boolean {
    return this.#db.open;
  }

  /** Closes the database (idempotent). */
  close(): void {
    this.#statements.clear();
    if (this.#db.open) this.#db.close();
  }
}

/** Applies the missing migrations under the write lock (another process may be doing the same). */
function migrate(db: Database, file: string): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length)
      throw dataDirError(`${file} was written by a newer version (schema ${version})`);
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] as string);
    if (version !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
