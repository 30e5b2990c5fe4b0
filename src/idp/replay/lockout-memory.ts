/**
 * Lockout counters in memory, for tests and a single ephemeral IdP process.
 *
 * @module
 */
import { IdpError } from '../../errors.js';
import { lockoutKey } from './key.js';
import type { LockoutPolicy, LockoutStore } from './types.js';
import { capacity, checkLockoutPolicy, epochMillis } from './validate.js';

/** Options of {@link MemoryLockoutStore}. */
export interface MemoryLockoutStoreOptions {
  /** Most usernames tracked at once (default 100 000); past it, `recordFailure` throws. */
  readonly maxEntries?: number;
}

interface Entry {
  /** Failures counted in the current window. */
  count: number;
  /** When the current window began (epoch ms, the first failure's time). */
  windowStart: number;
  /** Locked while `now < lockedUntil` (0: not locked). */
  lockedUntil: number;
  /** After this, the entry says nothing any more and can go. */
  expiresAt: number;
}

/**
 * Counts failed logins per username (normalized to lower case and digested, never kept in clear).
 * `threshold` failures within `windowMs` of the first lock the account for `lockoutMs`; the window
 * is fixed, starting at the first failure after the previous one ended. Failures while locked
 * neither count nor extend the lock; a lock clears the count, so after it the user has `threshold`
 * fresh attempts. Times are those the caller passes, so the store follows an injected clock.
 *
 * Bounded: past `maxEntries` usernames with live state it throws
 * `PSSO_ERR_IDP_REPLAY_CACHE_FULL` (fail closed) instead of forgetting a counter.
 *
 * @example
 * ```ts
 * const lockout = new MemoryLockoutStore();
 * const policy = { threshold: 5, windowMs: 600_000, lockoutMs: 1_800_000 };
 * if (await lockout.isLocked('alice@example.com', new Date())) refuse();
 * const locked = await lockout.recordFailure('alice@example.com', new Date(), policy);
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
   * Whether `username` is locked at `now`.
   *
   * @example
   * ```ts
   * await lockout.isLocked('Alice@Example.com', new Date()); // same account as alice@example.com
   * ```
   */
  async isLocked(username: string, now: Date): Promise<boolean> {
    const t = epochMillis(now, 'now');
    const entry = this.#entries.get(lockoutKey(username));
    return entry !== undefined && t < entry.lockedUntil;
  }

  /**
   * Counts a failure at `now`; resolves whether the account is now locked.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_REPLAY_CACHE_FULL` when `maxEntries` usernames are tracked.
   *
   * @example
   * ```ts
   * const locked = await lockout.recordFailure(upn, new Date(), policy);
   * ```
   */
  async recordFailure(username: string, now: Date, policy: LockoutPolicy): Promise<boolean> {
    const t = epochMillis(now, 'now');
    const { threshold, windowMs, lockoutMs } = checkLockoutPolicy(policy);
    const key = lockoutKey(username);
    let entry = this.#entries.get(key);
    if (entry !== undefined && t < entry.lockedUntil) return true;
    if (entry === undefined) {
      this.#makeRoom(t);
      entry = { count: 0, windowStart: t, lockedUntil: 0, expiresAt: t };
      this.#entries.set(key, entry);
    }
    if (entry.count === 0 || t - entry.windowStart >= windowMs) {
      entry.count = 0;
      entry.windowStart = t;
    }
    entry.count += 1;
    const locked = entry.count >= threshold;
    if (locked) {
      entry.count = 0;
      entry.lockedUntil = t + lockoutMs;
    }
    entry.expiresAt = Math.max(entry.windowStart + windowMs, entry.lockedUntil);
    this.#nextExpiry = Math.min(this.#nextExpiry, entry.expiresAt);
    return locked;
  }

  /**
   * Clears the failure count after a successful login (a running lock stays).
   *
   * @example
   * ```ts
   * await lockout.recordSuccess(upn);
   * ```
   */
  async recordSuccess(username: string): Promise<void> {
    const key = lockoutKey(username);
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    if (entry.lockedUntil === 0) {
      this.#entries.delete(key);
      return;
    }
    entry.count = 0;
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
