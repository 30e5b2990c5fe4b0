/**
 * Options of the bounded HTTP transport. Every default is the safe one.
 *
 * @module
 */
import type { Dispatcher } from 'undici';

/** Transport options for every request the client makes. */
export interface HttpOptions {
  /** Overall deadline of one request (connect, headers and the whole body), ms. Default 30 000. */
  readonly timeoutMs?: number;
  /** Largest response body accepted, bytes. Default 1 MiB. */
  readonly maxResponseBytes?: number;
  /** Redirects followed (each hop re-checked). Default 0: any 3xx is `PSSO_ERR_HTTP_REDIRECT`. */
  readonly maxRedirects?: number;
  /** Extra trusted CA certificates (PEM), in addition to Node's roots. */
  readonly ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array>;
  /**
   * Permits plain `http://` to loopback hosts only (127.0.0.0/8, `[::1]`, `localhost`). For tests
   * against local servers; never in production.
   */
  readonly dangerouslyAllowHttpLoopback?: boolean;
  /** An undici dispatcher to use instead of the built-in agents (a proxy agent, say). */
  readonly dispatcher?: Dispatcher;
  /** Aborts the request; the signal's reason is rethrown. */
  readonly signal?: AbortSignal;
}

/** Default overall deadline: 30 s, as macOS. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default response size limit: 1 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
