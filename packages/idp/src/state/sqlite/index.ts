/**
 * The embedded backend: one SQLite database in the data folder (`idp.sqlite`) holding every kind
 * of state; every process on the folder (`--workers`) shares it.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dataDirError } from '../../store/data-dir.js';
import type { BackendOptions, DurableStores, EphemeralStores, StateBackend } from '../backend.js';
import { DATABASE_FILE, IdpDatabase } from './database.js';
import { SqliteDeviceStore } from './devices.js';
import { SqliteLockoutStore } from './lockout.js';
import { SqliteRefreshTokenStore } from './refresh-tokens.js';
import { SqliteRelyingPartyStore } from './relying-parties.js';
import { SqliteReplayCache } from './replay.js';
import { SqliteSmartCardCaStore } from './smartcard-cas.js';
import { SqliteUserKeyStore } from './user-keys.js';
import { SqliteUserStore } from './users.js';

/** Options of {@link openSqliteBackend}. */
export interface SqliteBackendOptions extends BackendOptions {
  /** Refuse, rather than create, a data folder without a database (for commands that only read). */
  readonly mustExist?: boolean;
}

/** The SQLite backend, with its database for callers that need it (migrations, tests). */
export interface SqliteBackend extends StateBackend {
  readonly kind: 'sqlite';
  readonly database: IdpDatabase;
  /** Absolute path of the data folder. */
  readonly dataDir: string;
}

/**
 * Opens (creating when absent, unless `mustExist`) the database in `dataDir`.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` when the folder or database is unusable or, with
 *   `mustExist`, absent.
 * @example
 * ```ts
 * const backend = openSqliteBackend(dataDir);
 * await backend.durable.users.add('alice@example.com', password);
 * await backend.close();
 * ```
 */
export function openSqliteBackend(
  dataDir: string,
  options: SqliteBackendOptions = {},
): SqliteBackend {
  if (options.mustExist === true && !existsSync(join(resolve(dataDir), DATABASE_FILE)))
    throw dataDirError(`no IdP database in ${resolve(dataDir)}`);
  const database = IdpDatabase.open(dataDir);
  const durable: DurableStores = {
    users: new SqliteUserStore(
      database,
      options.hasher === undefined ? {} : { hasher: options.hasher },
    ),
    relyingParties: new SqliteRelyingPartyStore(database),
    devices: new SqliteDeviceStore(database),
    userKeys: new SqliteUserKeyStore(database),
    smartCardCas: new SqliteSmartCardCaStore(database),
    refreshTokens: new SqliteRefreshTokenStore(
      database,
      options.refreshTokenLifetimeMs,
      options.now,
    ),
  };
  let ephemeral: EphemeralStores | undefined;
  return {
    kind: 'sqlite',
    database,
    dataDir: resolve(dataDir),
    durable,
    ephemeral() {
      if (ephemeral !== undefined) return ephemeral;
      const replay = new SqliteReplayCache(
        database,
        options.now === undefined ? {} : { now: options.now },
      );
      const lockout = new SqliteLockoutStore(database);
      ephemeral = {
        replay,
        lockout,
        close: async () => {
          await replay.close();
          await lockout.close();
        },
      };
      return ephemeral;
    },
    ping: async () => database.ping(),
    close: async () => database.close(),
  };
}
