/**
 * Replay protection and lockout counters for the reference IdP: in the embedded database (shared
 * by every process on one data folder, kept across restarts), in Redis when several hosts sit
 * behind a load balancer, or in memory (one process; library use and tests).
 *
 * @module
 */
import type { Logger } from '../log.js';
import type { IdpDatabase } from '../store/database.js';
import { MemoryReplayCache } from './memory.js';
import { SqliteReplayCache } from './sqlite.js';
import type { LockoutStore, ReplayCache } from './types.js';

export type { RedisStoreOptions } from './connection.js';
export { lockoutKey, normalizeUsername, replayKey } from './key.js';
export { MemoryLockoutStore, type MemoryLockoutStoreOptions } from './lockout-memory.js';
export { MemoryReplayCache, type MemoryReplayCacheOptions } from './memory.js';
export { SqliteReplayCache, type SqliteReplayCacheOptions } from './sqlite.js';
export type { LockoutPolicy, LockoutStore, ReplayCache, ReplayKind } from './types.js';

/** Options of {@link createReplayStores}. */
export interface ReplayStoresOptions {
  /** Share state through this Redis (`redis://host:port/db`): several hosts. */
  readonly redisUrl?: string;
  /**
   * Without Redis, keep replay entries in this database (every process on its data folder shares
   * them; they survive a restart). Absent too: memory, this process only.
   */
  readonly database?: IdpDatabase;
  /** The clock of the database replay cache, in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
  /** Capacity of the in-memory replay cache (default 100 000); only without Redis and database. */
  readonly maxEntries?: number;
  /** Where Redis errors and recoveries are logged. */
  readonly logger?: Logger;
}

/** What {@link createReplayStores} gives. */
export interface ReplayStores {
  readonly replay: ReplayCache;
  /** Present with Redis only; otherwise the IdP keeps lockout in its own (SQLite) store. */
  readonly lockout?: LockoutStore;
  /** Present with Redis only: whether both Redis connections answer PING. Never throws. */
  readonly ping?: () => Promise<boolean>;
}

/**
 * Makes the replay cache (Redis, else the database, else memory), and with Redis the shared
 * lockout store too. The Redis modules (and ioredis) are loaded only when a Redis URL is given: a
 * single IdP never pays for them.
 *
 * @throws {TypeError} for a `redisUrl` that is not `redis://` or `rediss://`.
 *
 * @example
 * ```ts
 * const stores = await createReplayStores(
 *   redisUrl === undefined ? { database: sqliteStore.database } : { redisUrl, logger },
 * );
 * const lockout = stores.lockout ?? sqliteStore.lockout;
 * // …
 * await stores.replay.close();
 * await stores.lockout?.close();
 * ```
 */
export async function createReplayStores(options: ReplayStoresOptions = {}): Promise<ReplayStores> {
  if (options.redisUrl === undefined && options.database !== undefined) {
    return {
      replay: new SqliteReplayCache(
        options.database,
        options.now === undefined ? {} : { now: options.now },
      ),
    };
  }
  if (options.redisUrl === undefined) {
    return {
      replay: new MemoryReplayCache(
        options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries },
      ),
    };
  }
  const [{ RedisReplayCache }, { RedisLockoutStore }] = await Promise.all([
    import('./redis.js'),
    import('./lockout-redis.js'),
  ]);
  const redisOptions = options.logger === undefined ? {} : { logger: options.logger };
  const replay = new RedisReplayCache(options.redisUrl, redisOptions);
  const lockout = new RedisLockoutStore(options.redisUrl, redisOptions);
  return {
    replay,
    lockout,
    ping: async () => {
      const [a, b] = await Promise.all([replay.ping(), lockout.ping()]);
      return a && b;
    },
  };
}
