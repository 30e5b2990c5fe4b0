/**
 * A bounded in-memory replay cache for one process, for library use and tests (the IdP keeps its
 * replay entries in its database, or in Redis: they must outlive a restart and be shared by
 * workers). At capacity it refuses (fails closed) rather than forget a live entry: forgetting
 * would let a replay through.
 *
 * @module
 */
import { IdpError } from 'psso-wstrust';
import { replayKey } from '../key.js';
import type { ReplayCache, ReplayKind } from '../types.js';
import { capacity, ttlMillis } from '../validate.js';

/** Options of {@link MemoryReplayCache}. */
export interface MemoryReplayCacheOptions {
  /** Most entries held at once (default 100 000); past it, {@link MemoryReplayCache.firstSeen} throws. */
  readonly maxEntries?: number;
  /** The clock, in epoch milliseconds (default `Date.now`); tests inject their own. */
  readonly now?: () => number;
  /**
   * Granularity of memory reclamation (default 1000 ms). An entry stops counting as seen exactly at
   * the end of its ttl; its slot is reclaimed at most `resolutionMs` later.
   */
  readonly resolutionMs?: number;
  /** Period of the background sweep (default 60 000 ms; the timer is unref'd); 0 disables it. */
  readonly sweepIntervalMs?: number;
}

/**
 * Remembers (kind, scope, value) digests in memory, each until the end of its ttl.
 *
 * Entries are filed in time buckets of `resolutionMs`, and the buckets in a min-heap by expiry, so
 * a call costs O(1) amortized: each call checks the heap top, and a bucket's entries are dropped
 * once each when the bucket is due. Expired entries are reclaimed lazily on calls and by an unref'd
 * timer; live entries are never evicted: a full cache throws `PSSO_ERR_IDP_REPLAY_CACHE_FULL`.
 *
 * @example
 * ```ts
 * const cache = new MemoryReplayCache({ maxEntries: 50_000 });
 * await cache.firstSeen('nonce', 'alice@example.com', nonce, 300_000); // true
 * await cache.firstSeen('nonce', 'alice@example.com', nonce, 300_000); // false: a replay
 * await cache.close();
 * ```
 */
export class MemoryReplayCache implements ReplayCache {
  /** Digest → expiry (epoch ms). */
  readonly #entries = new Map<string, number>();
  /** Bucket id → digests filed there (a digest may sit in an older bucket too after re-use). */
  readonly #buckets = new Map<number, string[]>();
  /** Bucket ids, a binary min-heap. */
  readonly #heap: number[] = [];
  readonly #maxEntries: number;
  readonly #resolution: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: MemoryReplayCacheOptions = {}) {
    this.#maxEntries = capacity(options.maxEntries, 100_000, 'maxEntries');
    this.#resolution = ttlMillis(options.resolutionMs ?? 1000, 'resolutionMs');
    this.#now = options.now ?? Date.now;
    const interval = options.sweepIntervalMs ?? 60_000;
    if (interval !== 0) {
      this.#timer = setInterval(
        () => this.#sweep(this.#now()),
        ttlMillis(interval, 'sweepIntervalMs'),
      );
      this.#timer.unref();
    }
  }

  /** Entries held now, expired ones not yet reclaimed included. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Records (kind, scope, value) for `ttlMs`; `true` when new, `false` for a replay.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_REPLAY_CACHE_FULL` when `maxEntries` live entries are held;
   *   `PSSO_ERR_IDP_STORE_UNAVAILABLE` after {@link MemoryReplayCache.close}.
   * @throws {TypeError} for a ttl that is not a finite number above zero.
   *
   * @example
   * ```ts
   * if (!(await cache.firstSeen('assertion-id', audience, id, 3_600_000))) refuse('replayed');
   * ```
   */
  async firstSeen(kind: ReplayKind, scope: string, value: string, ttlMs: number): Promise<boolean> {
    const ttl = ttlMillis(ttlMs, 'ttlMs');
    const key = replayKey(kind, scope, value);
    if (this.#closed) {
      throw new IdpError('PSSO_ERR_IDP_STORE_UNAVAILABLE', 'the replay cache is closed');
    }
    const now = this.#now();
    this.#sweep(now);
    const expiresAt = this.#entries.get(key);
    if (expiresAt !== undefined && expiresAt > now) return false;
    if (expiresAt === undefined && this.#entries.size >= this.#maxEntries) {
      throw new IdpError(
        'PSSO_ERR_IDP_REPLAY_CACHE_FULL',
        `the replay cache holds ${this.#maxEntries} live entries; refusing rather than forgetting one`,
      );
    }
    this.#file(key, now + ttl);
    return true;
  }

  /**
   * Stops the background sweep and forgets everything; later calls throw.
   *
   * @example
   * ```ts
   * await cache.close();
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#entries.clear();
    this.#buckets.clear();
    this.#heap.length = 0;
  }

  #file(key: string, expiresAt: number): void {
    this.#entries.set(key, expiresAt);
    // Every entry in bucket b expires at or before b × resolution.
    const id = Math.ceil(expiresAt / this.#resolution);
    const bucket = this.#buckets.get(id);
    if (bucket !== undefined) {
      bucket.push(key);
      return;
    }
    this.#buckets.set(id, [key]);
    heapPush(this.#heap, id);
  }

  /** Drops every bucket whose end has passed (O(1) when none is due). */
  #sweep(now: number): void {
    for (
      let top = this.#heap[0];
      top !== undefined && top * this.#resolution <= now;
      top = this.#heap[0]
    ) {
      heapPop(this.#heap);
      const keys = this.#buckets.get(top) ?? [];
      this.#buckets.delete(top);
      for (const key of keys) {
        const expiresAt = this.#entries.get(key);
        // A digest re-recorded after expiring is filed again in a later bucket: keep it.
        if (expiresAt !== undefined && expiresAt <= now) this.#entries.delete(key);
      }
    }
  }
}

function heapPush(heap: number[], value: number): void {
  let i = heap.push(value) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent] as number;
    if (p <= value) break;
    heap[i] = p;
    i = parent;
  }
  heap[i] = value;
}

function heapPop(heap: number[]): void {
  const last = heap.pop();
  if (last === undefined || heap.length === 0) return;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const l = heap[left] as number;
    const r = right < heap.length ? (heap[right] as number) : Number.POSITIVE_INFINITY;
    const child = r < l ? right : left;
    const c = Math.min(r, l);
    if (last <= c) break;
    heap[i] = c;
    i = child;
  }
  heap[i] = last;
}
