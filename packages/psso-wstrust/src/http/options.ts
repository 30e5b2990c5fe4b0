/**
 * Options of the bounded HTTP transport and their defaults. Every default is the safe one.
 *
 * @module
 */
import type { Dispatcher } from 'undici';
import type { ExchangeObserver } from './observe.js';
import type { HttpTransport } from './request.js';

/**
 * Transport options for every request the client makes.
 *
 * @example
 * ```ts
 * const options: HttpOptions = { timeoutMs: 10_000, ca: readFileSync('idp-ca.pem', 'utf8') };
 * await httpRequest({ method: 'GET', url: 'https://sts.example.com/mex' }, options);
 * ```
 */
export interface HttpOptions {
  /**
   * Overall deadline of one {@link httpRequest} call, ms: connect, TLS, headers and the whole
   * body, across every redirect hop. Not reset by incoming bytes. Default 30 000.
   */
  readonly timeoutMs?: number;
  /** Largest response body accepted, bytes. Default 1 MiB. */
  readonly maxResponseBytes?: number;
  /** Redirects followed (each hop re-checked). Default 0: any 3xx is `PSSO_ERR_HTTP_REDIRECT`. */
  readonly maxRedirects?: number;
  /** Extra trusted CA certificates (PEM text or PEM bytes), in addition to Node's roots. */
  readonly ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array>;
  /**
   * Permits plain `http://` to loopback hosts only (127.0.0.0/8, `[::1]`, `localhost`). For tests
   * against local servers; never in production.
   */
  readonly dangerouslyAllowHttpLoopback?: boolean;
  /** An undici dispatcher to use instead of the built-in agents (a proxy agent, say). */
  readonly dispatcher?: Dispatcher;
  /**
   * Aborts the request; the signal's reason is rethrown as is. One signal shared by every request
   * of a command bounds the whole command (see `commandDeadline`).
   */
  readonly signal?: AbortSignal;
  /** Called once per exchange (each hop, each failure): see `src/http/observe.ts`. */
  readonly onExchange?: ExchangeObserver;
  /**
   * Sends the requests of the protocol steps instead of the bounded transport (which it may call
   * itself): `check` records every exchange through one. Default `httpRequest`.
   */
  readonly transport?: HttpTransport;
}

/**
 * Default overall deadline: 30 s, as macOS.
 *
 * @example
 * ```ts
 * const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
 * ```
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Default response size limit: 1 MiB.
 *
 * @example
 * ```ts
 * await httpRequest(req, { maxResponseBytes: 4 * DEFAULT_MAX_RESPONSE_BYTES });
 * ```
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * Default number of redirects followed: none.
 *
 * @example
 * ```ts
 * const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS; // 0
 * ```
 */
export const DEFAULT_MAX_REDIRECTS = 0;

/** Largest delay a Node timer accepts (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The numeric limits of `options`, defaults applied and checked.
 *
 * @throws {TypeError} when a limit is not a positive number (`maxRedirects`: a non-negative
 * integer), or `timeoutMs` exceeds what a timer can wait.
 *
 * @example
 * ```ts
 * resolveLimits({ timeoutMs: 5000 }); // { timeoutMs: 5000, maxResponseBytes: 1048576, maxRedirects: 0 }
 * ```
 */
export function resolveLimits(options: HttpOptions): {
  timeoutMs: number;
  maxResponseBytes: number;
  maxRedirects: number;
} {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || timeoutMs > MAX_TIMER_MS) {
    throw new TypeError('timeoutMs must be a positive number of milliseconds below 2^31');
  }
  if (typeof maxResponseBytes !== 'number' || !(maxResponseBytes > 0)) {
    throw new TypeError('maxResponseBytes must be a positive number');
  }
  if (!Number.isSafeInteger(maxRedirects) || maxRedirects < 0) {
    throw new TypeError('maxRedirects must be a non-negative integer');
  }
  return { timeoutMs, maxResponseBytes, maxRedirects };
}
