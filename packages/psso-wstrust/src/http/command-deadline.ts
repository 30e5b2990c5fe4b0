/**
 * One deadline for a whole command (`--deadline MS`): a single signal handed to every request the
 * command makes (MEX, the 1.3 RST, the 2005 fallback, the token request…), so the total time is
 * bounded, not only each request. When it fires, the request in flight — and every later one —
 * fails with `PSSO_ERR_HTTP_TIMEOUT` (reason `deadline`).
 *
 * @module
 */
import { HttpError } from '../errors.js';
import { NETWORK_HINTS } from './failure.js';
import type { HttpOptions } from './options.js';

/** A running command deadline. */
export interface CommandDeadline {
  /** Aborts, with an `HttpError` `PSSO_ERR_HTTP_TIMEOUT` as its reason, after `ms`. */
  readonly signal: AbortSignal;
  /** Stops the timer (call when the command ends). */
  dispose(): void;
}

/**
 * Starts a deadline of `ms` milliseconds for a whole command. The timer does not keep the
 * process alive.
 *
 * @throws {TypeError} when `ms` is not a positive number below 2^31.
 *
 * @example
 * ```ts
 * const deadline = commandDeadline(10_000);
 * try {
 *   await wsTrustLogin({ ...options, http: withCommandSignal(http, deadline.signal) });
 * } finally {
 *   deadline.dispose();
 * }
 * ```
 */
export function commandDeadline(ms: number): CommandDeadline {
  if (typeof ms !== 'number' || !(ms > 0) || ms > 2 ** 31 - 1) {
    throw new TypeError('the deadline must be a positive number of milliseconds below 2^31');
  }
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(
      new HttpError('PSSO_ERR_HTTP_TIMEOUT', 'The command did not complete within its deadline', {
        reason: 'deadline',
        hint: NETWORK_HINTS.deadline,
      }),
    );
  }, ms);
  timer.unref();
  return { signal: controller.signal, dispose: () => clearTimeout(timer) };
}

/**
 * `http` with `signal` combined into its own (both abort the requests).
 *
 * @example
 * ```ts
 * const http2 = withCommandSignal({ timeoutMs: 5000 }, deadline.signal);
 * ```
 */
export function withCommandSignal(http: HttpOptions, signal: AbortSignal): HttpOptions {
  return {
    ...http,
    signal: http.signal === undefined ? signal : AbortSignal.any([http.signal, signal]),
  };
}
