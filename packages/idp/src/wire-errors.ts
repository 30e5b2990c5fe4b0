/**
 * One rule for how a failure of the IdP's own machinery reaches the wire: a store that cannot
 * answer (SQLite, Redis, the replay or lockout store, a full replay cache, a busy server) is
 * `503 temporarily_unavailable` with `Retry-After` — never a credential failure, which would make
 * a Mac ask for the password again — and anything else unexpected is `500 server_error`, its
 * detail for the log only. Refusals of what the client sent are not decided here.
 *
 * @module
 */
import { IdpError } from 'psso-wstrust';

/** Seconds a client is told to wait, by code. */
const UNAVAILABLE: ReadonlyMap<string, number> = new Map([
  ['PSSO_ERR_IDP_STORE_UNAVAILABLE', 5],
  ['PSSO_ERR_IDP_REPLAY_CACHE_FULL', 10],
  ['PSSO_ERR_IDP_BUSY', 1],
]);

/**
 * The log and metrics label of a failure of the IdP itself: the password-check queue is full, a
 * store cannot answer, or anything unexpected.
 */
export type ServerFailureOutcome = 'busy' | 'store-unavailable' | 'internal-error';

/** A server-side failure, as the wire shows it. */
export type ServerFailure =
  | {
      readonly kind: 'unavailable';
      readonly status: 503;
      readonly error: 'temporarily_unavailable';
      /** The `Retry-After` header, in seconds. */
      readonly retryAfterSeconds: number;
      /** The `IdpError` code (metrics, logs). */
      readonly code: string;
    }
  | {
      readonly kind: 'internal';
      readonly status: 500;
      readonly error: 'server_error';
      /** The stack or message, for the log only. */
      readonly detail: string;
    };

/**
 * Whether `error` says a store (or the server's capacity) cannot answer now: an `IdpError` coded
 * `PSSO_ERR_IDP_STORE_UNAVAILABLE`, `PSSO_ERR_IDP_REPLAY_CACHE_FULL` or `PSSO_ERR_IDP_BUSY`.
 *
 * @example
 * ```ts
 * if (isUnavailable(err)) return reply.code(503).header('retry-after', '5').send(...);
 * ```
 */
export function isUnavailable(error: unknown): error is IdpError {
  return error instanceof IdpError && UNAVAILABLE.has(error.code);
}

/**
 * The wire form of a failure that is not the client's fault: 503 for a store that cannot answer,
 * 500 for anything else.
 *
 * @example
 * ```ts
 * const f = serverFailure(err);
 * reply.code(f.status).send({ error: f.error });
 * ```
 */
export function serverFailure(error: unknown): ServerFailure {
  if (isUnavailable(error)) {
    return {
      kind: 'unavailable',
      status: 503,
      error: 'temporarily_unavailable',
      retryAfterSeconds: UNAVAILABLE.get(error.code) ?? 5,
      code: error.code,
    };
  }
  return {
    kind: 'internal',
    status: 500,
    error: 'server_error',
    detail: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
}
