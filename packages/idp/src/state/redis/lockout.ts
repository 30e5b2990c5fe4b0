/**
 * Lockout counters in Redis, shared by every IdP process, updated atomically by Lua scripts.
 *
 * @module
 */

import { lockoutKey, replayKey } from '../key.js';
import { type LockoutPolicy, type LockoutStore, MAX_FAMILIAR_SOURCES } from '../types.js';
import { lockoutArgs } from '../validate.js';
import { RedisConnection, type RedisStoreOptions } from './connection.js';

/**
 * Shared prologue. KEYS[1]: familiar sources (hash: source digest → last success, epoch ms).
 * ARGV[1]: now; ARGV[2]: familiarMs; ARGV[3]: the source's digest. Sets `cls` to 1 (familiar) or
 * 2 (unfamiliar): the offset of the class's key pair after KEYS[1].
 */
const CLASS_OF = `
local now = tonumber(ARGV[1])
local familiarMs = tonumber(ARGV[2])
local cls = 1
if familiarMs > 0 then
  local last = tonumber(redis.call('HGET', KEYS[1], ARGV[3]) or '')
  if last == nil or now - last >= familiarMs then cls = 2 end
end
`;

/** KEYS: sources, familiar counter, familiar lock, unfamiliar counter, unfamiliar lock. */
const IS_LOCKED = `${CLASS_OF}
local lock = redis.call('GET', KEYS[2 * cls + 1])
if lock and tonumber(lock) > now then return 1 end
return 0
`;

/**
 * KEYS as {@link IS_LOCKED}; counter hash {s: window start, n: failures}, lock value: locked-until.
 * ARGV[4..7]: threshold, windowMs, lockoutMs, lockedUntil. Returns 1 when (now) locked, else 0.
 */
const RECORD_FAILURE = `${CLASS_OF}
local counter = KEYS[2 * cls]
local lockKey = KEYS[2 * cls + 1]
local lock = redis.call('GET', lockKey)
if lock and tonumber(lock) > now then return 1 end
local start = tonumber(redis.call('HGET', counter, 's') or '')
local n
if start == nil or now - start >= tonumber(ARGV[5]) then
  redis.call('HSET', counter, 's', ARGV[1], 'n', 1)
  redis.call('PEXPIRE', counter, ARGV[5])
  n = 1
else
  n = redis.call('HINCRBY', counter, 'n', 1)
end
if n >= tonumber(ARGV[4]) then
  redis.call('SET', lockKey, ARGV[7], 'PX', ARGV[6])
  redis.call('DEL', counter)
  return 1
end
return 0
`;

/**
 * KEYS as {@link IS_LOCKED}. ARGV[4]: most familiar sources kept. Clears the class's counter and,
 * with smart lockout, records the source (dropping expired and, past the bound, the oldest).
 */
const RECORD_SUCCESS = `${CLASS_OF}
redis.call('DEL', KEYS[2 * cls])
if familiarMs == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[3], ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local kept = {}
for i = 1, #all, 2 do
  local t = tonumber(all[i + 1])
  if now - t >= familiarMs then redis.call('HDEL', KEYS[1], all[i])
  else table.insert(kept, {all[i], t}) end
end
local max = tonumber(ARGV[4])
if #kept > max then
  table.sort(kept, function(a, b) return a[2] < b[2] end)
  for i = 1, #kept - max do redis.call('HDEL', KEYS[1], kept[i][1]) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
`;

/**
 * Counts failed logins per username in Redis, so a guesser spreading attempts over several IdP
 * processes meets one counter. Same rules as {@link MemoryLockoutStore}, with AD FS smart lockout:
 * familiar sources (a success within `familiarMs`) and unfamiliar ones count and lock apart;
 * `threshold` failures of one class within `windowMs` of the first (a fixed window) lock that
 * class for `lockoutMs`; failures while locked neither count nor extend the lock.
 *
 * Usernames are canonicalized and digested into the keys `<keyPrefix>lockout:{<digest>}:src`
 * (familiar sources, by digest of the address), `…:n` and `…:lock` (familiar class), `…:un` and
 * `…:ulock` (unfamiliar class); the braces keep them in one Redis Cluster slot. Windows and locks
 * follow the times the caller passes; the keys also carry a `PX` expiry, so Redis forgets stale
 * state by itself. Any failure throws `PSSO_ERR_IDP_STORE_UNAVAILABLE` (the caller refuses the
 * login: fail closed).
 *
 * @example
 * ```ts
 * const lockout = new RedisLockoutStore('redis://127.0.0.1:6379/0', { logger });
 * const policy = { threshold: 5, windowMs: 600_000, lockoutMs: 1_800_000, familiarMs: 14 * 86_400_000 };
 * if (await lockout.isLocked(upn, source, new Date(), policy)) refuse();
 * await lockout.recordFailure(upn, source, new Date(), policy);
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
   * Whether `username` is locked for `source` at `now`.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when Redis cannot answer.
   *
   * @example
   * ```ts
   * if (await lockout.isLocked(upn, source, new Date(), policy)) refuse('locked-out');
   * ```
   */
  async isLocked(
    username: string,
    source: string,
    now: Date,
    policy: LockoutPolicy,
  ): Promise<boolean> {
    const {
      t,
      policy: { familiarMs },
    } = lockoutArgs(source, now, policy);
    const keys = this.#keys(username);
    const args = [t, familiarMs, sourceField(source)].map(String);
    const reply = await this.#conn.run('EVAL', (redis) =>
      redis.eval(IS_LOCKED, keys.length, ...keys, ...args),
    );
    return reply === 1;
  }

  /**
   * Counts a failure from `source` at `now`, atomically; resolves whether `source` is now locked.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when Redis cannot answer.
   * @throws {TypeError} for an invalid policy or date.
   *
   * @example
   * ```ts
   * const locked = await lockout.recordFailure(upn, source, new Date(), policy);
   * ```
   */
  async recordFailure(
    username: string,
    source: string,
    now: Date,
    policy: LockoutPolicy,
  ): Promise<boolean> {
    const {
      t,
      policy: { threshold, windowMs, lockoutMs, familiarMs },
    } = lockoutArgs(source, now, policy);
    const keys = this.#keys(username);
    const args = [
      t,
      familiarMs,
      sourceField(source),
      threshold,
      windowMs,
      lockoutMs,
      t + lockoutMs,
    ];
    const reply = await this.#conn.run('EVAL', (redis) =>
      redis.eval(RECORD_FAILURE, keys.length, ...keys, ...args.map(String)),
    );
    return reply === 1;
  }

  /**
   * After a success from `source`: clears its class's count (a running lock stays) and marks the
   * source familiar.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when Redis cannot answer.
   *
   * @example
   * ```ts
   * await lockout.recordSuccess(upn, source, new Date(), policy);
   * ```
   */
  async recordSuccess(
    username: string,
    source: string,
    now: Date,
    policy: LockoutPolicy,
  ): Promise<void> {
    const {
      t,
      policy: { familiarMs },
    } = lockoutArgs(source, now, policy);
    const keys = this.#keys(username);
    const args = [t, familiarMs, sourceField(source), MAX_FAMILIAR_SOURCES].map(String);
    await this.#conn.run('EVAL', (redis) =>
      redis.eval(RECORD_SUCCESS, keys.length, ...keys, ...args),
    );
  }

  /**
   * Clears every counter, lock and familiar source of `username`.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when Redis cannot answer.
   *
   * @example
   * ```ts
   * await lockout.unlock('alice@example.com');
   * ```
   */
  async unlock(username: string): Promise<void> {
    const keys = this.#keys(username);
    await this.#conn.run('DEL', (redis) => redis.del(...keys));
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

  /** sources, familiar counter, familiar lock, unfamiliar counter, unfamiliar lock. */
  #keys(username: string): [string, string, string, string, string] {
    const base = `${this.#prefix}{${lockoutKey(username)}}`;
    return [`${base}:src`, `${base}:n`, `${base}:lock`, `${base}:un`, `${base}:ulock`];
  }
}

/** A source as a hash field: digested, so Redis holds no client address. */
function sourceField(source: string): string {
  return replayKey('lockout-source', '', source);
}
