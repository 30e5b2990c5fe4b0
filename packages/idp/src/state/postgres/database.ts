/**
 * The IdP's PostgreSQL database: a bounded `pg` pool with connect and statement timeouts, and the
 * rule that any failure to answer (refused, timed out, pool exhausted, connection lost, a
 * statement the server failed) is `PSSO_ERR_IDP_STORE_UNAVAILABLE`, so the IdP fails closed (503,
 * a Receiver fault). Errors and recoveries are logged with the database's host and name only:
 * never its URL, user or password.
 *
 * @module
 */
import pg from 'pg';
import { IdpError } from 'psso-wstrust';
import type { Logger } from '../../log.js';
import type { ResolvedPostgresOptions } from './options.js';
import { databaseTarget } from './url.js';

/** Rows and the count of rows a statement changed. */
export interface QueryResult<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

/** Runs one statement (on the pool, or on a transaction's connection). */
export type Query = <R = Record<string, unknown>>(
  sql: string,
  params?: readonly unknown[],
) => Promise<QueryResult<R>>;

const noLogger: Logger = { log() {} };

/**
 * The SQLSTATE of a failure (e.g. `23503`, a foreign key violation), from the error or its cause.
 *
 * @example
 * ```ts
 * if (sqlState(e) === '23503') return 'no-user';
 * ```
 */
export function sqlState(e: unknown): string | undefined {
  for (let err = e; err instanceof Error; err = (err as { cause?: unknown }).cause) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * A pool on one PostgreSQL database.
 *
 * @example
 * ```ts
 * const db = new PgDatabase(url, postgresOptions(), logger);
 * const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM users');
 * await db.close();
 * ```
 */
export class PgDatabase {
  /** `host:port/database`, for logs. */
  readonly target: string;
  readonly #pool: pg.Pool;
  readonly #log: Logger;
  #reported = false;
  #closed = false;

  /** @param url - `postgres://…` (its password, if any, is never logged). */
  constructor(url: string, options: ResolvedPostgresOptions, logger: Logger = noLogger) {
    this.target = databaseTarget(url);
    this.#log = logger;
    this.#pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections,
      connectionTimeoutMillis: options.connectTimeoutMs,
      idleTimeoutMillis: options.idleTimeoutMs,
      // The server ends a statement past the limit; the client gives up on a server that says
      // nothing at all (stopped, paused, a half-open link) a little later.
      statement_timeout: options.statementTimeoutMs,
      query_timeout: options.statementTimeoutMs + 500,
      idle_in_transaction_session_timeout: Math.max(10_000, options.statementTimeoutMs * 5),
      application_name: 'psso-wstrust-idp',
      keepAlive: true,
    });
    // An idle connection the server drops (restart, admin shutdown) is reported here: without a
    // listener it would crash the process.
    this.#pool.on('error', (err) => this.#failed('idle connection', err));
  }

  /**
   * Runs one statement on a pooled connection.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when the database does not answer.
   */
  readonly query: Query = async <R>(sql: string, params: readonly unknown[] = []) => {
    this.#checkOpen();
    try {
      const r = await this.#pool.query(sql, params as unknown[]);
      this.#answered();
      return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
    } catch (e) {
      throw this.#failed('statement', e);
    }
  };

  /**
   * Runs `fn` in a transaction on one connection: committed when it resolves, rolled back when
   * it throws (its error is rethrown; a database failure as `PSSO_ERR_IDP_STORE_UNAVAILABLE`).
   *
   * @example
   * ```ts
   * await db.transaction(async (q) => {
   *   await q('UPDATE …');
   *   await q('INSERT …');
   * });
   * ```
   */
  async transaction<T>(fn: (query: Query) => Promise<T>): Promise<T> {
    this.#checkOpen();
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      throw this.#failed('connect', e);
    }
    let broken: unknown;
    const q: Query = async <R>(sql: string, params: readonly unknown[] = []) => {
      try {
        const r = await client.query(sql, params as unknown[]);
        return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
      } catch (e) {
        broken = e;
        throw this.#failed('statement', e);
      }
    };
    try {
      await q('BEGIN');
      const result = await fn(q);
      await q('COMMIT');
      this.#answered();
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch((err: unknown) => {
        broken ??= err;
      });
      throw e;
    } finally {
      // A connection that failed is destroyed, not handed out again.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  /** Whether the database answers `SELECT 1` now. Never throws. */
  async ping(): Promise<boolean> {
    try {
      await this.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /** Closes every connection (idempotent); later calls throw. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end().catch(() => undefined);
  }

  #checkOpen(): void {
    if (this.#closed)
      throw new IdpError('PSSO_ERR_IDP_STORE_UNAVAILABLE', 'the IdP database is closed');
  }

  #answered(): void {
    if (!this.#reported) return;
    this.#reported = false;
    this.#log.log('info', 'state.postgres.recovered', { target: this.target });
  }

  /** Logs a failure (a warning once per outage) and gives the error to throw. */
  #failed(what: string, e: unknown): IdpError {
    if (e instanceof IdpError) return e;
    const reason = failureReason(e);
    this.#log.log(this.#reported ? 'debug' : 'warn', 'state.postgres.failed', {
      target: this.target,
      what,
      reason,
    });
    this.#reported = true;
    return new IdpError(
      'PSSO_ERR_IDP_STORE_UNAVAILABLE',
      `the IdP database (PostgreSQL at ${this.target}) did not answer (${reason})`,
      { cause: e },
    );
  }
}

/** A short, secret-free reason: the SQLSTATE, the errno code, or a timeout. */
function failureReason(e: unknown): string {
  const state = sqlState(e);
  if (state !== undefined) return `SQLSTATE ${state}`;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
  const message = e instanceof Error ? e.message : '';
  if (/timeout/i.test(message)) return 'timeout';
  if (/terminated|ended|closed/i.test(message)) return 'connection lost';
  return 'error';
}
