/**
 * Opening the IdP's state: the one place that chooses backends.
 *
 * - No `database`: SQLite in the data folder (`idp.sqlite`) holds everything; every process on
 *   the folder (`--workers`) shares it, and it survives restarts.
 * - `database: 'postgres://…'`: PostgreSQL holds everything; several hosts share it.
 * - `redisUrl`: replay, consumed nonces and lockout go to Redis instead (either way).
 *
 * The Redis and PostgreSQL modules (and their drivers) are loaded only when asked for.
 *
 * @module
 */
import type { Logger } from '../log.js';
import type { EphemeralStores, StateBackend } from './backend.js';
import { consumedNonces } from './nonces.js';
import type { PasswordHasher } from './password.js';
import type { PostgresOptions } from './postgres/options.js';
import { isPostgresUrl } from './postgres/url.js';
import { openSqliteBackend } from './sqlite/index.js';
import type { IdpState } from './types.js';

/** Options of {@link openIdpState}. */
export interface OpenIdpStateOptions {
  /** The data folder: where SQLite keeps its database when `database` is absent. */
  readonly dataDir: string;
  /**
   * `postgres://user@host:5432/db` (or `postgresql://`): keep every kind of state there. The
   * password may come from the URL, `PGPASSWORD` or `~/.pgpass`; it is never logged.
   */
  readonly database?: string;
  /** `redis://…` or `rediss://…`: keep replay, consumed nonces and lockout there. */
  readonly redisUrl?: string;
  /** SQLite only: refuse, rather than create, a data folder without a database. */
  readonly mustExist?: boolean;
  /** Password hashing for the user store (tests inject a fast one). */
  readonly hasher?: PasswordHasher;
  /** The clock of replay and refresh tokens, epoch ms (default `Date.now`). */
  readonly now?: () => number;
  /** Refresh token lifetime, ms (default 14 days). */
  readonly refreshTokenLifetimeMs?: number;
  /** Where connection errors and recoveries are logged (never a password). */
  readonly logger?: Logger;
  /** PostgreSQL pool size and timeouts. */
  readonly postgres?: PostgresOptions;
}

/**
 * Opens every store of the IdP on the chosen backends (PostgreSQL migrations run now, under an
 * advisory lock, so hosts starting together do not race).
 *
 * @throws {TypeError} for a `database` that is not a `postgres://` URL, or a bad `redisUrl`.
 * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` when the SQLite data folder or database is unusable
 *   (or written by a newer version, for either database); `PSSO_ERR_IDP_STORE_UNAVAILABLE` when
 *   PostgreSQL cannot be reached.
 * @example
 * ```ts
 * const state = await openIdpState({ dataDir, database: 'postgres://idp@db.example/idp' });
 * try {
 *   await state.users.add('alice@example.com', password);
 * } finally {
 *   await state.close();
 * }
 * ```
 */
export async function openIdpState(options: OpenIdpStateOptions): Promise<IdpState> {
  const backend = await openBackend(options);
  let ephemeral: EphemeralStores;
  try {
    ephemeral =
      options.redisUrl === undefined
        ? backend.ephemeral()
        : (await import('./redis/index.js')).openRedisStores(
            options.redisUrl,
            options.logger === undefined ? {} : { logger: options.logger },
          );
  } catch (e) {
    await backend.close();
    throw e;
  }
  let closed: Promise<void> | undefined;
  return {
    backends: {
      durable: backend.kind,
      ephemeral: options.redisUrl === undefined ? backend.kind : 'redis',
    },
    ...backend.durable,
    replay: ephemeral.replay,
    lockout: ephemeral.lockout,
    nonces: consumedNonces(ephemeral.replay),
    ping: async () => {
      const [a, b] = await Promise.all([backend.ping(), ephemeral.ping?.() ?? true]);
      return a && b;
    },
    close() {
      closed ??= (async () => {
        await ephemeral.close();
        await backend.close();
      })();
      return closed;
    },
  };
}

async function openBackend(options: OpenIdpStateOptions): Promise<StateBackend> {
  const common = {
    ...(options.hasher === undefined ? {} : { hasher: options.hasher }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.refreshTokenLifetimeMs === undefined
      ? {}
      : { refreshTokenLifetimeMs: options.refreshTokenLifetimeMs }),
  };
  if (options.database === undefined)
    return openSqliteBackend(options.dataDir, {
      ...common,
      ...(options.mustExist === undefined ? {} : { mustExist: options.mustExist }),
    });
  if (!isPostgresUrl(options.database))
    throw new TypeError('the database must be a postgres:// or postgresql:// URL');
  const { openPostgresBackend } = await import('./postgres/index.js');
  return openPostgresBackend(options.database, {
    ...common,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.postgres === undefined ? {} : { postgres: options.postgres }),
  });
}
