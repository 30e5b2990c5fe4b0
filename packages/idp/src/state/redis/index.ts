/**
 * Replay and lockout in Redis, shared by every IdP host: the optional backend for the ephemeral
 * state (the durable state stays in SQLite or PostgreSQL). Loaded only when a Redis URL is given,
 * so a single IdP never loads ioredis.
 *
 * @module
 */
import type { EphemeralStores } from '../backend.js';
import type { RedisStoreOptions } from './connection.js';
import { RedisLockoutStore } from './lockout.js';
import { RedisReplayCache } from './replay.js';

/**
 * The replay cache and lockout store on `url`, each on its own fail-fast connection.
 *
 * @throws {TypeError} for a URL that is not `redis://` or `rediss://`.
 * @example
 * ```ts
 * const { replay, lockout, ping, close } = openRedisStores('redis://127.0.0.1:6379/0', { logger });
 * ```
 */
export function openRedisStores(url: string, options: RedisStoreOptions = {}): EphemeralStores {
  const replay = new RedisReplayCache(url, options);
  let lockout: RedisLockoutStore;
  try {
    lockout = new RedisLockoutStore(url, options);
  } catch (e) {
    void replay.close();
    throw e;
  }
  return {
    replay,
    lockout,
    ping: async () => {
      const [a, b] = await Promise.all([replay.ping(), lockout.ping()]);
      return a && b;
    },
    close: async () => {
      await Promise.all([replay.close(), lockout.close()]);
    },
  };
}
