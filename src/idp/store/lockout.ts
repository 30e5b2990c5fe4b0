/**
 * Lockout counters in the IdP's SQLite database, so a lock survives a restart. Usernames are keyed
 * case-insensitively (ASCII, SQLite `NOCASE`) after NFC normalization.
 *
 * @module
 */
import { IdpError } from '../../errors.js';
import type { LockoutPolicy, LockoutStore } from '../replay/types.js';
import { IdpDatabase } from './database.js';

interface Row {
  failures: number;
  window_start: number;
  locked_until: number | null;
}

/** Failures between two sweeps of expired rows (rows for unknown names would otherwise pile up). */
const PRUNE_EVERY = 256;

/**
 * A {@link LockoutStore} over the `lockout` table: within one transaction per failure, so several
 * processes on one database count together.
 *
 * @example
 * ```ts
 * const lockout = new SqliteLockoutStore(db);
 * const policy = { threshold: 5, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 };
 * if (await lockout.isLocked(upn, now)) refuse();
 * else if (!ok) await lockout.recordFailure(upn, now, policy);
 * else await lockout.recordSuccess(upn);
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

  async isLocked(username: string, now: Date): Promise<boolean> {
    const t = time(now);
    const row = this.#read(key(username));
    return row !== undefined && row.locked_until !== null && row.locked_until > t;
  }

  async recordFailure(username: string, now: Date, policy: LockoutPolicy): Promise<boolean> {
    checkPolicy(policy);
    const name = key(username);
    const t = time(now);
    const locked = this.#run(() =>
      this.#db.transaction(() => {
        const row = this.#db
          .statement('SELECT failures, window_start, locked_until FROM lockout WHERE upn = ?')
          .get(name) as Row | undefined;
        if (row?.locked_until != null && row.locked_until > t) return true;
        const fresh =
          row === undefined ||
          row.locked_until !== null ||
          t < row.window_start ||
          t - row.window_start >= policy.windowMs;
        const failures = fresh ? 1 : row.failures + 1;
        const start = fresh ? t : row.window_start;
        const lockedUntil = failures >= policy.threshold ? t + policy.lockoutMs : null;
        this.#db
          .statement(
            `INSERT INTO lockout (upn, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
             ON CONFLICT (upn) DO UPDATE SET failures = excluded.failures,
               window_start = excluded.window_start, locked_until = excluded.locked_until`,
          )
          .run(name, failures, start, lockedUntil);
        return lockedUntil !== null;
      }),
    );
    if (++this.#failuresSincePrune >= PRUNE_EVERY) {
      this.#failuresSincePrune = 0;
      this.prune(now, policy);
    }
    return locked;
  }

  async recordSuccess(username: string): Promise<void> {
    const name = key(username);
    this.#run(() => this.#db.statement('DELETE FROM lockout WHERE upn = ?').run(name));
  }

  /**
   * Deletes rows that no longer matter at `now`: expired locks and counting windows that ended.
   * Runs by itself every 256 failures. Resolves how many rows went.
   *
   * @example
   * ```ts
   * lockout.prune(new Date(), policy);
   * ```
   */
  prune(now: Date, policy: LockoutPolicy): number {
    const t = time(now);
    return this.#run(
      () =>
        this.#db
          .statement(
            `DELETE FROM lockout WHERE (locked_until IS NOT NULL AND locked_until <= ?)
               OR (locked_until IS NULL AND window_start <= ?)`,
          )
          .run(t, t - policy.windowMs).changes,
    );
  }

  async close(): Promise<void> {
    if (this.#ownsDatabase) this.#db.close();
  }

  #read(name: string): Row | undefined {
    return this.#run(
      () =>
        this.#db
          .statement('SELECT failures, window_start, locked_until FROM lockout WHERE upn = ?')
          .get(name) as Row | undefined,
    );
  }

  /** Database failures (and use after close) become `PSSO_ERR_IDP_STORE_UNAVAILABLE`. */
  #run<T>(fn: () => T): T {
    if (!this.#db.isOpen)
      throw new IdpError('PSSO_ERR_IDP_STORE_UNAVAILABLE', 'the lockout store is closed');
    return this.#db.guard(fn);
  }
}

function key(username: string): string {
  if (typeof username !== 'string') throw new TypeError('username must be a string');
  return username.normalize('NFC');
}

function time(now: Date): number {
  const t = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new TypeError('now must be a valid Date');
  return t;
}

function checkPolicy(policy: LockoutPolicy): void {
  const { threshold, windowMs, lockoutMs } = policy;
  if (!Number.isInteger(threshold) || threshold < 1)
    throw new TypeError('policy.threshold must be an integer >= 1');
  if (!(windowMs > 0) || !(lockoutMs > 0))
    throw new TypeError('policy.windowMs and policy.lockoutMs must be > 0');
}
