/**
 * The replay cache in the IdP's embedded database (the `replay_cache` table of `idp.sqlite`), the
 * default without Redis: every process on one data folder (`--workers`) shares it, and it survives
 * a restart or a kill -9, so a captured RST or a redeemed assertion is never accepted twice.
 *
 * Each check is one atomic upsert judged by its change count; a small memory of keys known to be
 * seen sits in front so a repeated replay costs no query. Only authenticated requests record
 * anything (the STS after the password verifies, the token endpoint after the device signature
 * and the assertion signature verify), so the table grows with legitimate logins only and needs no
 * capacity limit; expired rows are pruned periodically. Any database failure fails closed with
 * `PSSO_ERR_IDP_STORE_UNAVAILABLE`.
 *
 * @module
 */
import { IdpError } from 'psso-wstrust';
import { replayKey } from '../key.js';
import { SeenMemory } from '../seen-memory.js';
import type { ReplayCache, ReplayKind } from '../types.js';
import { capacity, ttlMillis } from '../validate.js';
import { IdpDatabase } from './database.js';

/** Options of {@link SqliteReplayCache}. */
export interface SqliteReplayCacheOptions {
  /** The clock, in epoch milliseconds (default `Date.now`); tests inject their own. */
  readonly now?: () => number;
  /** Most keys remembered in memory as seen (default 10 000); the oldest is forgotten first. */
  readonly memoryEntries?: number;
  /** Period of the pruning of expired rows (default 60 000 ms; the timer is unref'd); 0 disables it. */
  readonly pruneIntervalMs?: number;
  /** Whether `close()` closes the database too (default `false`: the IdP store owns it). */
  readonly ownsDatabase?: boolean;
}

/**
 * Insert the key, or take over a row that has expired; a live row is left alone (no change).
 * Parameters: key, new expiry, now.
 */
const RECORD = `INSERT INTO replay_cache (key, expires) VALUES (?, ?)
  ON CONFLICT (key) DO UPDATE SET expires = excluded.expires WHERE replay_cache.expires <= ?`;

/**
 * A {@link ReplayCache} over the IdP database.
 *
 * @example
 * ```ts
 * const db = IdpDatabase.open(dataDir);
 * const replay = new SqliteReplayCache(db);
 * await replay.firstSeen('nonce', 'alice@example.com', nonce, 420_000); // true
 * await replay.firstSeen('nonce', 'alice@example.com', nonce, 420_000); // false, in every worker
 * await replay.close();
 * db.close();
 * ```
 */
export class SqliteReplayCache implements ReplayCache {
  readonly #db: IdpDatabase;
  readonly #ownsDatabase: boolean;
  readonly #now: () => number;
  /** Keys known to be recorded (by this process or another). Positive answers only. */
  readonly #seen: SeenMemory;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /**
   * @param db - the IdP database (migrated: it has the `replay_cache` table).
   * @throws {TypeError} for an option out of range.
   */
  constructor(db: IdpDatabase, options: SqliteReplayCacheOptions = {}) {
    this.#db = db;
    this.#ownsDatabase = options.ownsDatabase ?? false;
    this.#now = options.now ?? Date.now;
    this.#seen = new SeenMemory(capacity(options.memoryEntries, 10_000, 'memoryEntries'));
    const interval = options.pruneIntervalMs ?? 60_000;
    if (interval !== 0) {
      this.#timer = setInterval(
        () => {
          try {
            this.prune();
          } catch {
            // A busy or failing database: the next round tries again; checks fail closed meanwhile.
          }
        },
        ttlMillis(interval, 'pruneIntervalMs'),
      );
      this.#timer.unref();
    }
  }

  /**
   * A cache on its own connection to `<dataDir>/idp.sqlite`, closed by `close()`.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` when the database cannot be opened.
   *
   * @example
   * ```ts
   * const replay = SqliteReplayCache.open(dataDir);
   * ```
   */
  static open(
    dataDir: string,
    options: Omit<SqliteReplayCacheOptions, 'ownsDatabase'> = {},
  ): SqliteReplayCache {
    return new SqliteReplayCache(IdpDatabase.open(dataDir), { ...options, ownsDatabase: true });
  }

  /**
   * Records (kind, scope, value) for `ttlMs`; `true` when new, `false` for a replay (also one first
   * recorded by another process on the data folder, or before a restart).
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when the database cannot answer or the
   *   cache is closed.
   * @throws {TypeError} for a ttl that is not a finite number above zero.
   *
   * @example
   * ```ts
   * if (!(await replay.firstSeen('assertion-id', issuer, id, ttl))) refuse('replayed');
   * ```
   */
  async firstSeen(kind: ReplayKind, scope: string, value: string, ttlMs: number): Promise<boolean> {
    const ttl = ttlMillis(ttlMs, 'ttlMs');
    const key = replayKey(kind, scope, value);
    this.#checkOpen();
    const now = this.#now();
    if (this.#seen.knows(key, now)) return false;
    const { first, expires } = this.#db.guard(() => {
      const until = now + ttl;
      if (this.#db.statement(RECORD).run(key, until, now).changes === 1)
        return { first: true, expires: until };
      // Live already (recorded here, by another process, or before a restart): learn until when,
      // so the next replay is answered from memory.
      const row = this.#db.statement('SELECT expires FROM replay_cache WHERE key = ?').get(key) as
        | { expires: number }
        | undefined;
      return { first: false, expires: row?.expires ?? now + 1 };
    });
    this.#seen.remember(key, expires);
    return first;
  }

  /**
   * Deletes the rows that have expired; runs by itself every `pruneIntervalMs`. Returns how many
   * went.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when the database cannot answer.
   *
   * @example
   * ```ts
   * replay.prune(); // 12
   * ```
   */
  prune(): number {
    this.#checkOpen();
    const now = this.#now();
    this.#seen.prune(now);
    return this.#db.guard(
      () => this.#db.statement('DELETE FROM replay_cache WHERE expires <= ?').run(now).changes,
    );
  }

  /**
   * Stops pruning and forgets the memory; closes the database only when it owns it. Later calls
   * throw. Idempotent.
   *
   * @example
   * ```ts
   * await replay.close();
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#seen.clear();
    if (this.#ownsDatabase) this.#db.close();
  }

  #checkOpen(): void {
    if (this.#closed || !this.#db.isOpen)
      throw new IdpError('PSSO_ERR_IDP_STORE_UNAVAILABLE', 'the replay cache is closed');
  }
}
