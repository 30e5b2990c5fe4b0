/**
 * Turning whatever a request threw into the transport's error model: our own errors pass through,
 * a caller abort rethrows the caller's reason, the deadline and undici's timeouts are
 * `PSSO_ERR_HTTP_TIMEOUT`, undici argument errors are caller misuse (`TypeError`), and anything
 * else (refused, reset, TLS failure, a malformed response) is `PSSO_ERR_HTTP_NETWORK` with the
 * original error as `cause`. Messages are constant text.
 *
 * @module
 */
import { HttpError } from '../errors.js';
import { tooLarge } from './response.js';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * The error to throw for `error`, raised while `deadline` and `callerSignal` were in force.
 *
 * @example
 * ```ts
 * try {
 *   res = await request(url, { signal });
 * } catch (error) {
 *   throw toTransportError(error, deadline, options.signal);
 * }
 * ```
 */
export function toTransportError(
  error: unknown,
  deadline: AbortSignal,
  callerSignal: AbortSignal | undefined,
): unknown {
  if (error instanceof HttpError) return error;
  if (callerSignal?.aborted === true) return callerSignal.reason;
  const code = codeOf(error);
  if (deadline.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new HttpError(
      'PSSO_ERR_HTTP_TIMEOUT',
      'The request did not complete within the deadline',
      { cause: error },
    );
  }
  // Only with a caller's dispatcher that has its own maxResponseSize.
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return tooLarge();
  if (code === 'UND_ERR_INVALID_ARG') {
    return new TypeError('undici refused the request arguments', { cause: error });
  }
  return new HttpError('PSSO_ERR_HTTP_NETWORK', 'The request failed at the network level', {
    cause: error,
  });
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
