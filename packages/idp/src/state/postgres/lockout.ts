/**
 * Lockout counters in PostgreSQL (`lockout_counters`, `lockout_sources`), shared by every host:
 * the same rules as the other stores (AD FS smart lockout, see ../types.ts). A failure is counted
 * by one atomic upsert that works out the source's class, the window, the count and the lock in
 * SQL, so concurrent failures on any number of hosts are all counted. Expired rows are swept in
 * bounded batches every 256 failures.
 *
 * @module
 */
import { normalizeUsername } from '../key.js';
import { type LockoutPolicy, type LockoutStore, MAX_FAMILIAR_SOURCES } from '../types.js';
import { checkLockoutPolicy, epochMillis, lockoutArgs } from '../validate.js';
import type { PgDatabase } from './database.js';

/**
 * The class of source $2 for user $1 at $4 with familiarMs $3, as SQL (as `sourceClass`): familiar
 * when smart lockout is off, or the user's last success from it lies within familiarMs.
 */
const CLASS = `(CASE WHEN $3::bigint = 0 THEN 'familiar'
  WHEN EXISTS (SELECT 1 FROM lockout_sources WHERE user_key = $1 AND source = $2
    AND $4::bigint - last_success < $3::bigint) THEN 'familiar'
  ELSE 'unfamiliar' END)`;

/** Whether the counter's window starts afresh at $4 (window $6): after a lock, or when it ended. */
const FRESH = `(l.locked_until IS NOT NULL OR $4::bigint < l.window_start
  OR $4::bigint - l.window_start >= $6::bigint)`;
/** Whether the counter is locked at $4. */
const LOCKED = '(l.locked_until > $4::bigint)';
const COUNT = `(CASE WHEN ${FRESH} THEN 1 ELSE l.failures + 1 END)`;

/**
 * $1 user, $2 source, $3 familiarMs, $4 now, $5 threshold, $6 windowMs, $7 lockoutMs. A locked
 * counter is left as it is; otherwise the failure counts (from 1 in a fresh window) and the
 * counter locks at the threshold. Returns the counter's `locked_until`.
 */
const RECORD_FAILURE = `INSERT INTO lockout_counters AS l
    (user_key, class, failures, window_start, locked_until)
  VALUES ($1, ${CLASS}, 1, $4::bigint,
    CASE WHEN 1 >= $5::int THEN $4::bigint + $7::bigint END)
  ON CONFLICT (user_key, class) DO UPDATE SET
    failures = CASE WHEN ${LOCKED} THEN l.failures ELSE ${COUNT} END,
    window_start = CASE WHEN ${LOCKED} THEN l.window_start WHEN ${FRESH} THEN $4::bigint
      ELSE l.window_start END,
    locked_until = CASE WHEN ${LOCKED} THEN l.locked_until
      WHEN ${COUNT} >= $5::int THEN $4::bigint + $7::bigint END
  RETURNING locked_until`;

/** Failures between two sweeps of expired rows, and rows deleted per sweep statement. */
const PRUNE_EVERY = 256;
const PRUNE_BATCH = 5000;

/**
 * A {@link LockoutStore} over PostgreSQL.
 *
 * @example
 * ```ts
 * const lockout = new PgLockoutStore(db);
 * if (await lockout.isLocked(upn, source, now, policy)) refuse();
 * else if (!ok) await lockout.recordFailure(upn, source, now, policy);
 * ```
 */
export class PgLockoutStore implements LockoutStore {
  #failuresSincePrune = 0;

  constructor(private readonly db: PgDatabase) {}

  async isLocked(
    username: string,
    source: string,
    now: Date,
    policy: LockoutPolicy,
  ): Promise<boolean> {
    const { t, policy: p } = lockoutArgs(source, now, policy);
    const { rows } = await this.db.query<{ locked: boolean }>(
      `SELECT locked_until > $4::bigint AS locked FROM lockout_counters
       WHERE user_key = $1 AND class = ${CLASS}`,
      [normalizeUsername(username), source, p.familiarMs, t],
    );
    return rows[0]?.locked === true;
  }

  async recordFailure(
    username: string,
    source: string,
    now: Date,
    policy: LockoutPolicy,
  ): Promise<boolean> {
    const { t, policy: p } = lockoutArgs(source, now, policy);
    const { rows } = await this.db.query<{ locked_until: string | null }>(RECORD_FAILURE, [
      normalizeUsername(username),
      source,
      p.familiarMs,
      t,
      p.threshold,
      p.windowMs,
      p.lockoutMs,
    ]);
    const until = rows[0]?.locked_until;
    if (++this.#failuresSincePrune >= PRUNE_EVERY) {
      this.#failuresSincePrune = 0;
      await this.prune(now, policy).catch(() => undefined);
    }
    return until != null && Number(until) > t;
  }

  async recordSuccess(
    username: string,
    source: string,
    now: Date,
    policy: LockoutPolicy,
  ): Promise<void> {
    const { t, policy: p } = lockoutArgs(source, now, policy);
    const user = normalizeUsername(username);
    await this.db.transaction(async (q) => {
      const { rows } = await q<{ c: string }>(`SELECT ${CLASS} AS c`, [
        user,
        source,
        p.familiarMs,
        t,
      ]);
      const cls = rows[0]?.c ?? 'unfamiliar';
      // A running lock stays; only the count of the source's class is cleared.
      await q(
        `DELETE FROM lockout_counters WHERE user_key = $1 AND class = $2 AND locked_until IS NULL`,
        [user, cls],
      );
      await q('UPDATE lockout_counters SET failures = 0 WHERE user_key = $1 AND class = $2', [
        user,
        cls,
      ]);
      if (p.familiarMs === 0) return;
      await q(
        `INSERT INTO lockout_sources (user_key, source, last_success) VALUES ($1, $2, $3)
         ON CONFLICT (user_key, source) DO UPDATE SET last_success = EXCLUDED.last_success`,
        [user, source, t],
      );
      await q(
        `DELETE FROM lockout_sources WHERE user_key = $1 AND (last_success <= $2 OR source NOT IN
           (SELECT source FROM lockout_sources WHERE user_key = $1
            ORDER BY last_success DESC LIMIT ${MAX_FAMILIAR_SOURCES}))`,
        [user, t - p.familiarMs],
      );
    });
  }

  async unlock(username: string): Promise<void> {
    const user = normalizeUsername(username);
    await this.db.transaction(async (q) => {
      await q('DELETE FROM lockout_counters WHERE user_key = $1', [user]);
      await q('DELETE FROM lockout_sources WHERE user_key = $1', [user]);
    });
  }

  /**
   * Deletes (up to 5000 of each) the rows that no longer matter at `now`: expired locks, windows
   * that ended, sources no longer familiar. Resolves how many went.
   *
   * @example
   * ```ts
   * await lockout.prune(new Date(), policy);
   * ```
   */
  async prune(now: Date, policy: LockoutPolicy): Promise<number> {
    const { windowMs, familiarMs } = checkLockoutPolicy(policy);
    const t = epochMillis(now, 'now');
    const counters = await this.db.query(
      `DELETE FROM lockout_counters WHERE (user_key, class) IN
         (SELECT user_key, class FROM lockout_counters
          WHERE (locked_until IS NOT NULL AND locked_until <= $1)
             OR (locked_until IS NULL AND window_start <= $2) LIMIT ${PRUNE_BATCH})`,
      [t, t - windowMs],
    );
    const sources =
      familiarMs === 0
        ? { rowCount: 0 }
        : await this.db.query(
            `DELETE FROM lockout_sources WHERE (user_key, source) IN
               (SELECT user_key, source FROM lockout_sources WHERE last_success <= $1
                LIMIT ${PRUNE_BATCH})`,
            [t - familiarMs],
          );
    return counters.rowCount + sources.rowCount;
  }

  /** Nothing to release: the backend owns the pool. */
  async close(): Promise<void> {}
}
