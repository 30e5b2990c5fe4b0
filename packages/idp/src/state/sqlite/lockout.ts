/**
 * Lockout counters in the IdP's SQLite database, so a lock survives a restart. Usernames are keyed
 * by their canonical form (NFC, case-folded, IDNA A-label domain); smart lockout keeps one counter
 * per (user, familiar|unfamiliar) and the user's familiar sources.
 *
 * @module
 */
import { IdpError } from 'psso-wstrust';
import { normalizeUsername } from '../key.js';
import {
  type LockoutPolicy,
  type LockoutStore,
  MAX_FAMILIAR_SOURCES,
  type SourceClass,
} from '../types.js';
import { checkLockoutPolicy, epochMillis, lockoutArgs, sourceClass } from '../validate.js';
import { IdpDatabase } from './database.js';

interface Row {
  failures: number;
  window_start: number;
  locked_until: number | null;
}

/** Failures between two sweeps of expired rows. */
const PRUNE_EVERY = 256;

/**
 * A {@link LockoutStore} over the `lockout_counters` and `lockout_sources` tables: one transaction
 * per change, so several processes on one database count together.
 *
 * @example
 * ```ts
 * const lockout = new SqliteLockoutStore(db);
 * const policy = { threshold: 5, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000, familiarMs: 14 * 86_400_000 };
 * if (await lockout.isLocked(upn, source, now, policy)) refuse();
 * else if (!ok) await lockout.recordFailure(upn, source, now, policy);
 * else await lockout.recordSuccess(upn, source, now, policy);
 * ```
 */
export class SqliteLockoutStore implements LockoutStore {
  readonly #db: IdpDatabase;
  readonly #ownsDatabase: boolean;
  #failuresSincePrune = 0;

  /**
   * @param db the IdP database; `close()` closes it only when `ownsDatabase` (default `false`).
   */
  constructor(db: IdpDatabase, options: { readonly ownsDatabase?: boolean } = {}) {
    this.#db = db;
    this.#ownsDatabase = options.ownsDatabase ?? false;
  }

  /**
   * A store on its own connection to `<dataDir>/idp.sqlite`, closed by `close()`.
   *
   * @example
   * ```ts
   * const lockout = SqliteLockoutStore.open(dataDir);
   * ```
   */
  static open(dataDir: string): SqliteLockoutStore {
    return new SqliteLockoutStore(IdpDatabase.open(dataDir), { ownsDatabase: true });
  }

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
    const user = normalizeUsername(username);
    return this.#run(() => {
      const row = this.#counter(user, this.#classOf(user, source, t, familiarMs));
      return row?.locked_until != null && row.locked_until > t;
    });
  }

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
    const user = normalizeUsername(username);
    const locked = this.#run(() =>
      this.#db.transaction(() => {
        const cls = this.#classOf(user, source, t, familiarMs);
        const row = this.#counter(user, cls);
        if (row?.locked_until != null && row.locked_until > t) return true;
        const fresh =
          row === undefined ||
          row.locked_until !== null ||
          t < row.window_start ||
          t - row.window_start >= windowMs;
        const failures = fresh ? 1 : row.failures + 1;
        const start = fresh ? t : row.window_start;
        const lockedUntil = failures >= threshold ? t + lockoutMs : null;
        this.#db
          .statement(
            `INSERT INTO lockout_counters (user_key, class, failures, window_start, locked_until)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (user_key, class) DO UPDATE SET failures = excluded.failures,
               window_start = excluded.window_start, locked_until = excluded.locked_until`,
          )
          .run(user, cls, failures, start, lockedUntil);
        return lockedUntil !== null;
      }),
    );
    if (++this.#failuresSincePrune >= PRUNE_EVERY) {
      this.#failuresSincePrune = 0;
      this.prune(now, policy);
    }
    return locked;
  }

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
    const user = normalizeUsername(username);
    this.#run(() =>
      this.#db.transaction(() => {
        const cls = this.#classOf(user, source, t, familiarMs);
        // A running lock stays; only the count of the source's class is cleared.
        this.#db
          .statement(
            `DELETE FROM lockout_counters WHERE user_key = ? AND class = ? AND locked_until IS NULL`,
          )
          .run(user, cls);
        this.#db
          .statement('UPDATE lockout_counters SET failures = 0 WHERE user_key = ? AND class = ?')
          .run(user, cls);
        if (familiarMs === 0) return;
        this.#db
          .statement(
            `INSERT INTO lockout_sources (user_key, source, last_success) VALUES (?, ?, ?)
             ON CONFLICT (user_key, source) DO UPDATE SET last_success = excluded.last_success`,
          )
          .run(user, source, t);
        this.#db
          .statement(
            `DELETE FROM lockout_sources WHERE user_key = ? AND (last_success <= ? OR source NOT IN
               (SELECT source FROM lockout_sources WHERE user_key = ?
                ORDER BY last_success DESC LIMIT ${MAX_FAMILIAR_SOURCES}))`,
          )
          .run(user, t - familiarMs, user);
      }),
    );
  }

  async unlock(username: string): Promise<void> {
    const user = normalizeUsername(username);
    this.#run(() =>
      this.#db.transaction(() => {
        this.#db.statement('DELETE FROM lockout_counters WHERE user_key = ?').run(user);
        this.#db.statement('DELETE FROM lockout_sources WHERE user_key = ?').run(user);
      }),
    );
  }

  /**
   * Deletes rows that no longer matter at `now`: expired locks, counting windows that ended and
   * (smart lockout) sources no longer familiar. Runs by itself every 256 failures. Returns how many
   * rows went.
   *
   * @example
   * ```ts
   * lockout.prune(new Date(), policy);
   * ```
   */
  prune(now: Date, policy: LockoutPolicy): number {
    const { windowMs, familiarMs } = checkLockoutPolicy(policy);
    const t = epochMillis(now, 'now');
    return this.#run(() => {
      const counters = this.#db
        .statement(
          `DELETE FROM lockout_counters WHERE (locked_until IS NOT NULL AND locked_until <= ?)
             OR (locked_until IS NULL AND window_start <= ?)`,
        )
        .run(t, t - windowMs).changes;
      const sources =
        familiarMs === 0
          ? 0
          : this.#db
              .statement('DELETE FROM lockout_sources WHERE last_success <= ?')
              .run(t - familiarMs).changes;
      return counters + sources;
    });
  }

  async close(): Promise<void> {
    if (this.#ownsDatabase) this.#db.close();
  }

  #classOf(user: string, source: string, t: number, familiarMs: number): SourceClass {
    if (familiarMs === 0) return 'familiar';
    const row = this.#db
      .statement('SELECT last_success FROM lockout_sources WHERE user_key = ? AND source = ?')
      .get(user, source) as { last_success: number } | undefined;
    return sourceClass(row?.last_success, t, familiarMs);
  }

  #counter(user: string, cls: SourceClass): Row | undefined {
    return this.#db
      .statement(
        `SELECT failures, window_start, locked_until FROM lockout_counters
         WHERE user_key = ? AND class = ?`,
      )
      .get(user, cls) as Row | undefined;
  }

  /** Database failures (and use after close) become `PSSO_ERR_IDP_STORE_UNAVAILABLE`. */
  #run<T>(fn: () => T): T {
    if (!this.#db.isOpen)
      throw new IdpError('PSSO_ERR_IDP_STORE_UNAVAILABLE', 'the lockout store is closed');
    return this.#db.guard(fn);
  }
}
