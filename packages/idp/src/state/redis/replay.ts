/**
 * The replay cache shared by several IdP processes through Redis: a replay sent to any of them is
 * refused. Each check is one atomic `SET key 1 PX ttl NX`; any failure fails closed.
 *
 * @module
 */

import { replayKey } from '../key.js';
import type { ReplayCache, ReplayKind } from '../types.js';
import { ttlMillis } from '../validate.js';
import { RedisConnection, type RedisStoreOptions } from './connection.js';

export type { RedisStoreOptions } from './connection.js';

/**
 * Remembers (kind, scope, value) digests in Redis under `<keyPrefix>replay:<digest>`, each with a
 * `PX` expiry, so Redis forgets them by itself.
 *
 * The connection never queues a command while Redis is away: a call then throws
 * `PSSO_ERR_IDP_STORE_UNAVAILABLE` at once (or within `commandTimeoutMs`), and the client keeps
 * reconnecting in the background, so calls succeed again as soon as Redis is back.
 *
 * @example
 * ```ts
 * const replay = new RedisReplayCache('redis://127.0.0.1:6379/0', { logger });
 * try {
 *   if (!(await replay.firstSeen('nonce', upn, nonce, 300_000))) refuse('replayed nonce');
 * } catch (err) {
 *   if (err instanceof IdpError && err.code === 'PSSO_ERR_IDP_STORE_UNAVAILABLE') refuse('try later');
 * }
 * await replay.close();
 * ```
 */
export class RedisReplayCache implements ReplayCache {
  readonly #conn: RedisConnection;
  readonly #prefix: string;

  /**
   * @param url - `redis://[user:password@]host:port/db` (or `rediss://` for TLS).
   * @throws {TypeError} for a URL that is not `redis:` or `rediss:`.
   */
  constructor(url: string, options: RedisStoreOptions = {}) {
    this.#conn = new RedisConnection(url, options, 'replay');
    this.#prefix = `${options.keyPrefix ?? 'psso:'}replay:`;
  }

  /**
   * Records (kind, scope, value) for `ttlMs`; `true` when new, `false` for a replay (also one first
   * seen by another process sharing this Redis).
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when Redis cannot answer.
   * @throws {TypeError} for a ttl that is not a finite number above zero.
   *
   * @example
   * ```ts
   * await replay.firstSeen('server-nonce', clientId, serverNonce, 300_000);
   * ```
   */
  async firstSeen(kind: ReplayKind, scope: string, value: string, ttlMs: number): Promise<boolean> {
    const ttl = ttlMillis(ttlMs, 'ttlMs');
    const key = this.#prefix + replayKey(kind, scope, value);
    const reply = await this.#conn.run('SET NX', (redis) => redis.set(key, '1', 'PX', ttl, 'NX'));
    return reply === 'OK';
  }

  /**
   * Health check: whether Redis answers PING now. Never throws.
   *
   * @example
   * ```ts
   * app.get('/healthz', async () => ((await replay.ping()) ? 'ok' : 'degraded'));
   * ```
   */
  ping(): Promise<boolean> {
    return this.#conn.ping();
  }

  /**
   * Waits until the connection is ready (through reconnection attempts), e.g. at start-up.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when not ready within `timeoutMs`.
   *
   * @example
   * ```ts
   * await replay.ready(5000);
   * ```
   */
  ready(timeoutMs = 5000): Promise<void> {
    return this.#conn.waitUntilReady(timeoutMs);
  }

  /**
   * Closes the connection and stops reconnecting; later calls throw. Idempotent.
   *
   * @example
   * ```ts
   * await replay.close();
   * ```
   */
  close(): Promise<void> {
    return this.#conn.close();
  }
}
