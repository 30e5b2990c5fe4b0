/**
 * A short memory of "not locked" answers in front of the lockout store, so a busy STS does not
 * query SQLite (or Redis) for every login of the same user. Only negative answers are remembered,
 * per (user, source), for `ttlMs` (default 1 s); a failure, success or unlock recorded through
 * this process forgets the user at once, so a lock made here applies immediately, and one made by
 * another process within `ttlMs`.
 *
 * @module
 */
import { canonicalUsername } from '../auth/username.js';
import type { LockoutPolicy, LockoutStore } from '../state/types.js';

/**
 * Wraps `store`.
 *
 * @example
 * ```ts
 * const lockout = cachedLockout(new SqliteLockoutStore(db));
 * ```
 */
export function cachedLockout(
  store: LockoutStore,
  ttlMs = 1_000,
  maxEntries = 10_000,
): LockoutStore {
  /** user → source → "not locked" until. */
  const unlockedUntil = new Map<string, Map<string, number>>();
  let size = 0;
  const forget = (username: string) => {
    const k = canonicalUsername(username);
    size -= unlockedUntil.get(k)?.size ?? 0;
    unlockedUntil.delete(k);
  };
  return {
    async isLocked(username, source, now, policy): Promise<boolean> {
      const k = canonicalUsername(username);
      const until = unlockedUntil.get(k)?.get(source);
      if (until !== undefined && until > now.getTime()) return false;
      const locked = await store.isLocked(username, source, now, policy);
      if (locked) forget(username);
      else {
        if (size >= maxEntries) {
          unlockedUntil.clear();
          size = 0;
        }
        let sources = unlockedUntil.get(k);
        if (sources === undefined) {
          sources = new Map();
          unlockedUntil.set(k, sources);
        }
        if (!sources.has(source)) size++;
        sources.set(source, now.getTime() + ttlMs);
      }
      return locked;
    },
    async recordFailure(username, source, now, policy: LockoutPolicy): Promise<boolean> {
      forget(username);
      return store.recordFailure(username, source, now, policy);
    },
    async recordSuccess(username, source, now, policy): Promise<void> {
      forget(username);
      await store.recordSuccess(username, source, now, policy);
    },
    async unlock(username): Promise<void> {
      forget(username);
      await store.unlock(username);
    },
    close: () => store.close(),
  };
}
