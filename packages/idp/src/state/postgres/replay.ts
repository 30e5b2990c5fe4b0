/**
 * The replay cache (and so the consumed server nonces) in PostgreSQL (`replay_cache`), shared by
 * every host on the database. Each check is one atomic statement: insert the key, or take over a
 * row that has expired, `RETURNING` a row only when this call recorded it, so among concurrent
 * first uses on any number of hosts exactly one is first. A small memory of keys known to be
 * recorded sits in front, so a repeated replay costs no query. Expired rows are swept in bounded
 * batches on a timer.
 *
 * @module
 */
import { IdpError } from 'psso-wstrust';
import { replayKey } from '../key.js';
import { SeenMemory } from '../seen-memory.js';
import type { ReplayCache, ReplayKind } from '../types.js';
import { capacity, ttlMillis } from '../validate.js';
import type { PgDatabase } from './database.js';

/** Options of {@link PgReplayCache}. */
export interface PgReplayCacheOptions {
  /** The clock, in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
  /** Most keys remembered in memory as seen (default 10 000). */
  readonly memoryEntries?: number;
  /** Period of the sweep of expired rows, ms (default 60 000; the timer is unref'd); 0: none. */
  readonly sweepIntervalMs?: number;
}

/** $1 key, $2 new expiry, $3 now: a row comes back only when this statement recorded the key. */
const RECORD = `INSERT INTO replay_cache (key, expires) VALUES ($1, $2)
  ON CONFLICT (key) DO UPDATE SET expires = EXCLUDED.expires WHERE replay_cache.expires <= $3
  RETURNING expires`;
/** Rows deleted per sweep statement, and statements per sweep. */
const SWEEP_BATCH = 5000;
const SWEEP_ROUNDS = 20;

/**
 * A {@link ReplayCache} over PostgreSQL.
 *
 * @example
 * ```ts
 * const replay = new PgReplayCache(db);
 * await replay.firstSeen('nonce', 'alice@example.com', nonce, 420_000); // true, then false on every host
 * ```
 */
export class PgReplayCache implements ReplayCache {
  readonly #db: PgDatabase;
  readonly #now: () => number;
  readonly #seen: SeenMemory;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /** @throws {TypeError} for an option out of range. */
  constructor(db: PgDatabase, options: PgReplayCacheOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#seen = new SeenMemory(capacity(options.memoryEntries, 10_000, 'memoryEntries'));
    const interval = options.sweepIntervalMs ?? 60_000;
    if (interval !== 0) {
      this.#timer = setInterval(
        () => void this.sweep().catch(() => undefined),
        ttlMillis(interval, 'sweepIntervalMs'),
      );
      this.#timer.unref();
    }
  }

  /**
   * Records (kind, scope, value) for `ttlMs`; `true` when new, `false` for a replay (also one
   * recorded by another host, or before a restart).
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when the database cannot answer.
   * @throws {TypeError} for a ttl that is not a finite number above zero.
   */
  async firstSeen(kind: ReplayKind, scope: string, value: string, ttlMs: number): Promise<boolean> {
    const ttl = ttlMillis(ttlMs, 'ttlMs');
    const key = replayKey(kind, scope, value);
    if (this.#closed)
      throw new IdpError('PSSO_ERR_IDP_STORE_UNAVAILABLE', 'the replay cache is closed');
    const now = this.#now();
    if (this.#seen.knows(key, now)) return false;
    const recorded = await this.#db.query(RECORD, [key, now + ttl, now]);
    if (recorded.rowCount === 1) {
      this.#seen.remember(key, now + ttl);
      return true;
    }
    // Live already: learn until when, so the next replay is answered from memory.
    const { rows } = await this.#db.query<{ expires: string }>(
      'SELECT expires FROM replay_cache WHERE key = $1',
      [key],
    );
    this.#seen.remember(key, rows[0] === undefined ? now + 1 : Number(rows[0].expires));
    return false;
  }

  /**
   * Deletes expired rows in batches (at most 100 000 a call); resolves how many went.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when the database cannot answer.
   * @example
   * ```ts
   * await replay.sweep(); // 12
   * ```
   */
  async sweep(): Promise<number> {
    const now = this.#now();
    this.#seen.prune(now);
    let total = 0;
    for (let round = 0; round < SWEEP_ROUNDS; round++) {
      const { rowCount } = await this.#db.query(
        `DELETE FROM replay_cache WHERE key IN
           (SELECT key FROM replay_cache WHERE expires <= $1 LIMIT ${SWEEP_BATCH})`,
        [now],
      );
      total += rowCount;
      if (rowCount < SWEEP_BATCH) break;
    }
    return total;
  }

  /** Stops the sweep and forgets the memory (the database stays open). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#seen.clear();
  }
}
