/**
 * The PostgreSQL backend (`--database postgres://…`): every kind of state in one database that
 * several IdP hosts share, through a bounded pool per process. Opening it applies the missing
 * migrations (under an advisory lock, so hosts starting together do not race).
 *
 * @module
 */
import type { Logger } from '../../log.js';
import type { BackendOptions, EphemeralStores, StateBackend } from '../backend.js';
import { PgDatabase } from './database.js';
import { PgDeviceStore } from './devices.js';
import { PgLockoutStore } from './lockout.js';
import { migrate } from './migrations.js';
import { type PostgresOptions, postgresOptions } from './options.js';
import { PgRefreshTokenStore } from './refresh-tokens.js';
import { PgRelyingPartyStore } from './relying-parties.js';
import { PgReplayCache } from './replay.js';
import { PgSmartCardCaStore } from './smartcard-cas.js';
import { isPostgresUrl } from './url.js';
import { PgUserKeyStore } from './user-keys.js';
import { PgUserStore } from './users.js';

/** Options of {@link openPostgresBackend}. */
export interface PostgresBackendOptions extends BackendOptions {
  readonly logger?: Logger;
  readonly postgres?: PostgresOptions;
}

/** The PostgreSQL backend, with its pool for callers that need it (tests). */
export interface PostgresBackend extends StateBackend {
  readonly kind: 'postgres';
  readonly database: PgDatabase;
}

/**
 * Connects to `url`, applies the missing migrations and makes the stores.
 *
 * @throws {TypeError} for a URL that is not `postgres://` or `postgresql://`, or a bad option.
 * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when the database cannot be reached;
 *   `PSSO_ERR_IDP_DATA_DIR` when it was written by a newer version.
 * @example
 * ```ts
 * const backend = await openPostgresBackend('postgres://idp@db.example/idp', { logger });
 * await backend.durable.users.list();
 * await backend.close();
 * ```
 */
export async function openPostgresBackend(
  url: string,
  options: PostgresBackendOptions = {},
): Promise<PostgresBackend> {
  if (!isPostgresUrl(url))
    throw new TypeError('the database must be a postgres:// or postgresql:// URL');
  const resolved = postgresOptions(options.postgres);
  const database = new PgDatabase(url, resolved, options.logger);
  try {
    await migrate(database);
  } catch (e) {
    await database.close();
    throw e;
  }
  let ephemeral: EphemeralStores | undefined;
  return {
    kind: 'postgres',
    database,
    durable: {
      users: new PgUserStore(
        database,
        options.hasher === undefined ? {} : { hasher: options.hasher },
      ),
      relyingParties: new PgRelyingPartyStore(database),
      devices: new PgDeviceStore(database),
      userKeys: new PgUserKeyStore(database),
      smartCardCas: new PgSmartCardCaStore(database),
      refreshTokens: new PgRefreshTokenStore(database, options.refreshTokenLifetimeMs, options.now),
    },
    ephemeral() {
      if (ephemeral !== undefined) return ephemeral;
      const replay = new PgReplayCache(database, {
        ...(options.now === undefined ? {} : { now: options.now }),
        sweepIntervalMs: resolved.sweepIntervalMs,
      });
      const lockout = new PgLockoutStore(database);
      ephemeral = { replay, lockout, close: () => replay.close() };
      return ephemeral;
    },
    ping: () => database.ping(),
    close: () => database.close(),
  };
}
