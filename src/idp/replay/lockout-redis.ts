/**
 * Lockout counters in Redis, shared by every IdP process, updated atomically by a Lua script.
 *
 * @module
 */
import { RedisConnection, type RedisStoreOptions } from './connection.js';
import { lockoutKey } from './key.js';
import type { LockoutPolicy, LockoutStore } from './types.js';
import { checkLockoutPolicy, epochMillis } from './validate.js';

/**
 * KEYS[1]: counter hash {s: window start, n: failures}; KEYS[2]: lock (value: locked-until).
 * ARGV: now, threshold, windowMs, lockoutMs, lockedUntil (all epoch ms / integers, as strings).
 * Returns 1 when the account is (now) locked, else 0.
 */
const RECORD_FAILURE = `
local now = tonumber(ARGV[1])
local lock = redis.call('GET', KEYS[2])
if lock and tonumber(lock) > now then return 1 end
local start = tonumber(redis.call('HGET', KEYS[1], 's') or '')
local n
if start == nil or now - start >= tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 's', ARGV[1], 'n', 1)
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  n = 1
else
  n = redis.call('HINCRBY', KEYS[1], 'n', 1)
end
if n >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[4])
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

/**
 * Counts failed logins per username in Redis, so a guesser spreading attempts over several IdP
 * processes meets one counter. Same rules as {@link MemoryLockoutStore}: `threshold` failures
 * within `windowMs` of the first (a fixed window) lock the account for `lockoutMs`; failures while
 * locked neither count nor extend the lock; a lock clears the count.
 *
 * Usernames are normalized (NFC, lower case) and digested into the keys
 * `<keyPrefix>lockout:{<digest>}:n` (counter) and `…:lock`; the braces keep both in one Redis
 * Cluster slot. Windows and locks follow the times the caller passes; the keys also carry a `PX`
 * expiry, so Redis forgets stale state by itself. Any failure throws
 * `PSSO_ERR_IDP_STORE_UNAVAILABLE` (the caller refuses the login: fail closed).
 *
 * @example
 * ```ts
 * const lockout = new RedisLockoutStore('redis://127.0.0.1:6379/0', { logger });
 * const policy = { threshold: 5, windowMs: 600_000, lockoutMs: 1_800_000 };
 * if (await lockout.isLocked(upn, new Date())) refuse();
 * await lockout.recordFailure(upn, new Date(), policy);
 * await lockout.close();
 * ```
 */
export class RedisLockoutStore implements LockoutStore {
  readonly #conn: RedisConnection;
  readonly #prefix: string;

  /**
   * @param url - `redis://[user:password@]host:port/db` (or `rediss://` for TLS).
   * @throws {TypeError} for a URL that is not `redis:` or `rediss:`.
   */
  constructor(url: string, options: RedisStoreOptions = {}) {
    this.#conn = new RedisConnection(url, options, 'lockout');
    this.#prefix = `${options.keyPrefix ?? 'psso:'}lockout:`;
  }

  /**
   * Whether `username` is locked at `now`.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when Redis cannot answer.
   *
   * @example
   * ```ts
   * if (await lockout.isLocked(upn, new Date())) refuse('locked-out');
   * ```
   */
  async isLocked(username: string, now: Date): Promise<boolean> {
    const t = epochMillis(now, 'now');
    const { lock } = this.#keys(username);
    const until = await this.#conn.run('GET', (redis) => redis.get(lock));
    return until !== null && t < Number(until);
  }

  /**
   * Counts a failure at `now`, atomically; resolves whether the account is now locked.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when Redis cannot answer.
   * @throws {TypeError} for an invalid policy or date.
   *
   * @example
   * ```ts
   * const locked = await lockout.recordFailure(upn, new Date(), policy);
   * ```
   */
  async recordFailure(username: string, now: Date, policy: LockoutPolicy): Promise<boolean> {
    const t = epochMillis(now, 'now');
    const { threshold, windowMs, lockoutMs } = checkLockoutPolicy(policy);
    const { count, lock } = this.#keys(username);
    const args = [t, threshold, windowMs, lockoutMs, t + lockoutMs].map(String);
    const reply = await this.#conn.run('EVAL', (redis) =>
      redis.eval(RECORD_FAILURE, 2, count, lock, ...args),
    );
    return reply === 1;
  }

  /**
   * Clears the failure count after a successful login (a running lock stays).
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when Redis cannot answer.
   *
   * @example
   * ```ts
   * await lockout.recordSuccess(upn);
   * ```
   */
  async recordSuccess(username: string): Promise<void> {
    const { count } = this.#keys(username);
    await this.#conn.run('DEL', (redis) => redis.del(count));
  }

  /**
   * Health check: whether Redis answers PING now. Never throws.
   *
   * @example
   * ```ts
   * const healthy = await lockout.ping();
   * ```
   */
  ping(): Promise<boolean> {
    return this.#conn.ping();
  }

  /**
   * Waits until the connection is ready (through reconnection attempts).
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when not ready within `timeoutMs`.
   *
   * @example
   * ```ts
   * await lockout.ready(5000);
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
   * await lockout.close();
   * ```
   */
  close(): Promise<void> {
    return this.#conn.close();
  }

  #keys(username: string): { count: string; lock: string } {
    const base = `${this.#prefix}{${lockoutKey(username)}}`;
    return { count: `${base}:n`, lock: `${base}:lock` };
  }
}
