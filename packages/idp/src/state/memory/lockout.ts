/**
 * Lockout counters in memory, for tests and a single ephemeral IdP process.
 *
 * @module
 */
import { IdpError } from 'psso-wstrust';
import { lockoutKey } from '../key.js';
import {
  type LockoutPolicy,
  type LockoutStore,
  MAX_FAMILIAR_SOURCES,
  type SourceClass,
} from '../types.js';
import { capacity, lockoutArgs, sourceClass } from '../validate.js';

/** Options of {@link MemoryLockoutStore}. */
export interface MemoryLockoutStoreOptions {
  /** Most usernames tracked at once (default 100 000); past it, `recordFailure` throws. */
  readonly maxEntries?: number;
}

interface Counter {
  /** Failures counted in the current window. */
  count: number;
  /** When the current window began (epoch ms, the first failure's time). */
  windowStart: number;
  /** Locked while `now < lockedUntil` (0: not locked). */
  lockedUntil: number;
}

interface Entry {
  readonly counters: Record<SourceClass, Counter>;
  /** Familiar sources: source → time of the last success from it. */
  readonly sources: Map<string, number>;
  /** After this, the entry says nothing any more and can go. */
  expiresAt: number;
}

const fresh = (): Counter => ({ count: 0, windowStart: 0, lockedUntil: 0 });

/**
 * Counts failed logins per username (canonical form, digested, never kept in clear), with AD FS
 * smart lockout (see {@link LockoutStore}): one counter for the user's familiar sources, one for
 * the others. `threshold` failures of one class within `windowMs` of the first lock that class for
 * `lockoutMs`; the window is fixed, starting at the first failure after the previous one ended.
 * Failures while locked neither count nor extend the lock; a lock clears the count, so after it
 * the class has `threshold` fresh attempts. Times are those the caller passes, so the store
 * follows an injected clock.
 *
 * Bounded: past `maxEntries` usernames with live state `recordFailure` throws
 * `PSSO_ERR_IDP_REPLAY_CACHE_FULL` (fail closed) instead of forgetting a counter; each user keeps
 * at most 32 familiar sources.
 *
 * @example
 * ```ts
 * const lockout = new MemoryLockoutStore();
 * const policy = { threshold: 5, windowMs: 600_000, lockoutMs: 1_800_000, familiarMs: 14 * 86_400_000 };
 * if (await lockout.isLocked('alice@example.com', '192.0.2.1', new Date(), policy)) refuse();
 * const locked = await lockout.recordFailure('alice@example.com', '192.0.2.1', new Date(), policy);
 * ```
 */
export class MemoryLockoutStore implements LockoutStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  /** Earliest `expiresAt` seen by the last full sweep: no sweep is worth doing before it. */
  #nextExpiry = Number.NEGATIVE_INFINITY;

  constructor(options: MemoryLockoutStoreOptions = {}) {
    this.#maxEntries = capacity(options.maxEntries, 100_000, 'maxEntries');
  }

  /**
   * Whether `username` is locked for `source` at `now`.
   *
   * @example
   * ```ts
   * await lockout.isLocked('Alice@Example.com', '192.0.2.1', new Date(), policy);
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
    const entry = this.#entries.get(lockoutKey(username));
    if (entry === undefined) return false;
    return t < entry.counters[classOf(entry, source, t, familiarMs)].lockedUntil;
  }

  /**
   * Counts a failure from `source` at `now`; resolves whether `source` is now locked out.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_REPLAY_CACHE_FULL` when `maxEntries` usernames are tracked.
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
    const key = lockoutKey(username);
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#makeRoom(t);
      entry = {
        counters: { familiar: fresh(), unfamiliar: fresh() },
        sources: new Map(),
        expiresAt: t,
      };
      this.#entries.set(key, entry);
    }
    const c = entry.counters[classOf(entry, source, t, familiarMs)];
    if (t < c.lockedUntil) return true;
    if (c.count === 0 || t - c.windowStart >= windowMs) {
      c.count = 0;
      c.windowStart = t;
    }
    c.count += 1;
    const locked = c.count >= threshold;
    if (locked) {
      c.count = 0;
      c.lockedUntil = t + lockoutMs;
    }
    this.#touch(entry, windowMs, familiarMs);
    return locked;
  }

  /**
   * After a success from `source`: clears its class's count (a running lock stays) and marks it
   * familiar.
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
      policy: { windowMs, familiarMs },
    } = lockoutArgs(source, now, policy);
    const key = lockoutKey(username);
    let entry = this.#entries.get(key);
    if (entry !== undefined) entry.counters[classOf(entry, source, t, familiarMs)].count = 0;
    if (familiarMs === 0) return;
    if (entry === undefined) {
      try {
        this.#makeRoom(t);
      } catch {
        return; // no room: the source simply stays unfamiliar
      }
      entry = {
        counters: { familiar: fresh(), unfamiliar: fresh() },
        sources: new Map(),
        expiresAt: t,
      };
      this.#entries.set(key, entry);
    }
    entry.sources.delete(source);
    entry.sources.set(source, t);
    for (const [s, last] of entry.sources) {
      if (entry.sources.size <= MAX_FAMILIAR_SOURCES && last > t - familiarMs) break;
      entry.sources.delete(s); // insertion order is success order: the oldest go first
    }
    this.#touch(entry, windowMs, familiarMs);
  }

  /**
   * Forgets every counter, lock and familiar source of `username`.
   *
   * @example
   * ```ts
   * await lockout.unlock('alice@example.com');
   * ```
   */
  async unlock(username: string): Promise<void> {
    this.#entries.delete(lockoutKey(username));
  }

  /**
   * Forgets everything.
   *
   * @example
   * ```ts
   * await lockout.close();
   * ```
   */
  async close(): Promise<void> {
    this.#entries.clear();
  }

  #touch(entry: Entry, windowMs: number, familiarMs: number): void {
    let until = 0;
    for (const c of Object.values(entry.counters))
      until = Math.max(until, c.windowStart + windowMs, c.lockedUntil);
    for (const last of entry.sources.values()) until = Math.max(until, last + familiarMs);
    entry.expiresAt = until;
    this.#nextExpiry = Math.min(this.#nextExpiry, until);
  }

  /** At capacity, drops entries that say nothing any more; still full → fail closed. */
  #makeRoom(t: number): void {
    if (this.#entries.size < this.#maxEntries) return;
    if (t >= this.#nextExpiry) {
      let next = Number.POSITIVE_INFINITY;
      for (const [key, entry] of this.#entries) {
        if (entry.expiresAt <= t) this.#entries.delete(key);
        else next = Math.min(next, entry.expiresAt);
      }
      this.#nextExpiry = next;
    }
    if (this.#entries.size >= this.#maxEntries) {
      throw new IdpError(
        'PSSO_ERR_IDP_REPLAY_CACHE_FULL',
        `the lockout store tracks ${this.#maxEntries} usernames; refusing rather than forgetting one`,
      );
    }
  }
}

/** The class of `source` for this user at `t`: familiar when it succeeded within `familiarMs`. */
function classOf(entry: Entry, source: string, t: number, familiarMs: number): SourceClass {
  return sourceClass(entry.sources.get(source), t, familiarMs);
}
