/**
 * The IdP's persistent store: one SQLite database in the data folder holding users, relying
 * parties, Platform SSO devices and lockout state (the same database also keeps refresh tokens and,
 * without Redis, the replay cache: see `RefreshTokenStore` and `SqliteReplayCache`).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dataDirError } from './data-dir.js';
import { DATABASE_FILE, IdpDatabase } from './database.js';
import { DeviceStore } from './devices.js';
import { SqliteLockoutStore } from './lockout.js';
import type { PasswordHasher } from './password.js';
import { RelyingPartyStore } from './relying-parties.js';
import { SmartCardCaStore } from './smartcard-cas.js';
import { UserKeyStore } from './user-keys.js';
import { UserStore } from './users.js';

export { defaultDataDir } from './data-dir.js';
export {
  DATABASE_FILE,
  DEFAULT_RELYING_PARTY,
  IdpDatabase,
  SCHEMA_VERSION,
  type SqlStatement,
} from './database.js';
export { type DeviceRecord, DeviceStore, p256Kid, p256PublicKey } from './devices.js';
export { SqliteLockoutStore } from './lockout.js';
export {
  DEFAULT_SCRYPT_PARAMS,
  DUMMY_HASH,
  hashPassword,
  type PasswordHasher,
  type ScryptParams,
  scryptHasher,
  verifyPassword,
} from './password.js';
export { RelyingPartyStore } from './relying-parties.js';
export { type SmartCardCaRecord, SmartCardCaStore } from './smartcard-cas.js';
export type { RelyingParty, UserRecord } from './types.js';
export { type UserKeyRecord, UserKeyStore } from './user-keys.js';
export {
  DEMO_UPN,
  requireUpn,
  type StoredUser,
  UserStore,
  type UserStoreOptions,
  validateUpn,
} from './users.js';

/** Everything the IdP keeps, over one database connection. */
export interface IdpStore {
  /** Absolute path of the data folder. */
  readonly dataDir: string;
  readonly database: IdpDatabase;
  readonly users: UserStore;
  readonly relyingParties: RelyingPartyStore;
  /** Registered Platform SSO devices. */
  readonly devices: DeviceStore;
  /** Users' Secure Enclave keys. */
  readonly userKeys: UserKeyStore;
  /** CAs trusted to issue SmartCard certificates. */
  readonly smartCardCas: SmartCardCaStore;
  /** Lockout counters; its own `close()` leaves the database open (close the store instead). */
  readonly lockout: SqliteLockoutStore;
  /** Closes the database (idempotent). */
  close(): void;
}

/** Options of {@link openIdpStore}. */
export interface OpenIdpStoreOptions {
  /** Refuse, rather than create, a data folder without a database (for commands that only read). */
  readonly mustExist?: boolean;
  /** Password hashing for the user store (tests inject a spy). */
  readonly hasher?: PasswordHasher;
}

/**
 * Opens (creating when absent, unless `mustExist`) the store in `dataDir`.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` when the folder or database is unusable or, with
 *   `mustExist`, absent.
 * @example
 * ```ts
 * const store = openIdpStore(defaultDataDir());
 * try {
 *   const demo = await store.users.ensureDemoUser();
 *   if (demo.created) console.log(`demo password: ${demo.password}`);
 * } finally {
 *   store.close();
 * }
 * ```
 */
export function openIdpStore(dataDir: string, options: OpenIdpStoreOptions = {}): IdpStore {
  if (options.mustExist === true && !existsSync(join(resolve(dataDir), DATABASE_FILE)))
    throw dataDirError(`no IdP database in ${resolve(dataDir)}`);
  const database = IdpDatabase.open(dataDir);
  return {
    dataDir: resolve(dataDir),
    database,
    users: new UserStore(database, options.hasher === undefined ? {} : { hasher: options.hasher }),
    relyingParties: new RelyingPartyStore(database),
    devices: new DeviceStore(database),
    userKeys: new UserKeyStore(database),
    smartCardCas: new SmartCardCaStore(database),
    lockout: new SqliteLockoutStore(database),
    close: () => database.close(),
  };
}
