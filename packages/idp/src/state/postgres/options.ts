/**
 * The PostgreSQL pool's size and timeouts: bounded, so that a database that stops answering
 * makes every call fail (closed) within about two seconds instead of piling requests up.
 *
 * @module
 */

/** Options of the PostgreSQL backend's pool. */
export interface PostgresOptions {
  /** Connections per IdP process (default 10). */
  readonly maxConnections?: number;
  /** Limit on getting a connection (a new one, or a free one from a busy pool), ms (default 2000). */
  readonly connectTimeoutMs?: number;
  /** Limit on one statement, on the server (`statement_timeout`) and on the client, ms (default 2000). */
  readonly statementTimeoutMs?: number;
  /** An idle connection is closed after this long, ms (default 30 000). */
  readonly idleTimeoutMs?: number;
  /** Period of the sweep of expired replay entries, ms (default 60 000; 0: never). */
  readonly sweepIntervalMs?: number;
}

/** The options with their defaults, checked. */
export type ResolvedPostgresOptions = Required<PostgresOptions>;

/**
 * Fills in the defaults and checks the values.
 *
 * @throws {TypeError} for a value that is not a whole number in range.
 * @example
 * ```ts
 * postgresOptions({ maxConnections: 4 }).statementTimeoutMs; // 2000
 * ```
 */
export function postgresOptions(o: PostgresOptions = {}): ResolvedPostgresOptions {
  const whole = (v: number | undefined, fallback: number, name: string, min: number) => {
    const n = v ?? fallback;
    if (!Number.isSafeInteger(n) || n < min)
      throw new TypeError(`postgres.${name} must be a whole number of at least ${min}`);
    return n;
  };
  return {
    maxConnections: whole(o.maxConnections, 10, 'maxConnections', 1),
    connectTimeoutMs: whole(o.connectTimeoutMs, 2000, 'connectTimeoutMs', 1),
    statementTimeoutMs: whole(o.statementTimeoutMs, 2000, 'statementTimeoutMs', 1),
    idleTimeoutMs: whole(o.idleTimeoutMs, 30_000, 'idleTimeoutMs', 1),
    sweepIntervalMs: whole(o.sweepIntervalMs, 60_000, 'sweepIntervalMs', 0),
  };
}
