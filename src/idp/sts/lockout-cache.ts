/**
 * A short memory of "not locked" answers in front of the lockout store, so a busy STS does not
 * query SQLite (or Redis) for every login of the same user. Only negative answers are remembered
 * (for `ttlMs`, default 1 s); a failure recorded through this process forgets the user at once, so
 * a lock made here applies immediately, and one made by another process within `ttlMs`.
 *
 * @module
 */
import type { LockoutPolicy, LockoutStore } from '../replay/types.js';

/** Wraps `store`. */
export function cachedLockout(
  store: LockoutStore,
  ttlMs = 1_000,
  maxEntries = 10_000,
): LockoutStore {
  const unlockedUntil = new Map<string, number>();
  const key = (u: string) => u.normalize('NFC').toLowerCase();
  return {
    async isLocked(username: string, now: Date): Promise<boolean> {
      const k = key(username);
      const until = unlockedUntil.get(k);
      if (until !== undefined && until > now.getTime()) return false;
      const locked = await store.isLocked(username, now);
      if (locked) unlockedUntil.delete(k);
      else {
        if (unlockedUntil.size >= maxEntries) unlockedUntil.clear();
        unlockedUntil.set(k, now.getTime() + ttlMs);
      }
      return locked;
    },
    async recordFailure(username: string, now: Date, policy: LockoutPolicy): Promise<boolean> {
      unlockedUntil.delete(key(username));
      return store.recordFailure(username, now, policy);
    },
    recordSuccess: (username: string) => store.recordSuccess(username),
    close: () => store.close(),
  };
}
