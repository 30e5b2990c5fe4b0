/**
 * Turning whatever a request threw into the transport's error model: our own errors pass through,
 * a caller abort rethrows the caller's reason, the deadline and undici's timeouts are
 * `PSSO_ERR_HTTP_TIMEOUT`, undici argument errors are caller misuse (`TypeError`), and anything
 * else (refused, reset, TLS failure, a malformed response) is `PSSO_ERR_HTTP_NETWORK` with the
 * original error as `cause`. Messages are constant text; the cause is classified (see
 * {@link classifyNetworkFailure}) into a `reason`, the TLS verification code and a `hint`.
 *
 * @module
 */
import { HttpError, type NetworkReason } from '../errors.js';
import { tooLarge } from './response.js';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** OpenSSL verification codes meaning "no trusted CA issued this chain". */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
]);

/** Codes of a TLS handshake with something that does not speak TLS (an http port). */
const NOT_TLS = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_RECORD_LAYER_FAILURE',
]);

const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED', 'UND_ERR_CLOSED']);

/** What each reason means for the person at the keyboard (constant text). */
export const NETWORK_HINTS: Readonly<Record<NetworkReason, string>> = Object.freeze({
  'connection-refused':
    'nothing listens on that host and port: check the URL’s port, that the server runs, and firewalls',
  'name-not-found':
    'the host name does not resolve (DNS): check the spelling, split DNS and the VPN, or use the address',
  unreachable: 'no route to the host: check the network, the VPN and firewalls',
  timeout:
    'the server did not answer in time: check that it is up and reachable, or raise --timeout',
  deadline:
    'the whole command ran past --deadline: raise it, or look with --verbose at which request was slow',
  reset:
    'the server closed the connection before answering: check the server’s logs, a proxy or load balancer in between',
  'tls-untrusted':
    'the server’s certificate is not issued by a trusted CA: pass `--ca FILE` with the CA that issued it',
  'tls-expired':
    'the server’s certificate (or one in its chain) has expired: renew it on the server (AD FS: Set-AdfsSslCertificate; WAP: Set-WebApplicationProxySslCertificate)',
  'tls-not-yet-valid':
    'the server’s certificate is not valid yet: check this machine’s clock and the server’s',
  'tls-hostname':
    'the certificate does not name this host: use the host name the certificate was issued for, or reissue it with that name',
  'tls-other': 'the TLS handshake failed: check the server’s TLS configuration',
  'http-to-tls-port':
    'the server hung up on plain http, as a TLS port does (plain http sent to a TLS port): use an https:// URL',
  'not-tls': 'the server does not speak TLS on this port: check the port, or the URL’s scheme',
  'insecure-url': 'only https:// URLs are accepted: use the https:// URL of the server',
  other: 'the request failed at the network level: see the cause',
});

/** The classified cause of a network failure. */
export interface NetworkFailure {
  readonly reason: NetworkReason;
  /** The TLS verification code (or the OpenSSL code) when TLS failed. */
  readonly tlsCode?: string;
}

/**
 * Reads the cause chain (and AggregateError members) of a failed request into a reason.
 * `protocol` is the request URL's (`https:` or `http:`).
 *
 * @example
 * ```ts
 * classifyNetworkFailure({ cause: { code: 'CERT_HAS_EXPIRED' } }, 'https:'); // undici's TypeError, say
 * // { reason: 'tls-expired', tlsCode: 'CERT_HAS_EXPIRED' }
 * ```
 */
export function classifyNetworkFailure(error: unknown, protocol: string): NetworkFailure {
  const codes = codesOf(error);
  for (const code of codes) {
    if (code === 'ECONNREFUSED') return { reason: 'connection-refused' };
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME')
      return { reason: 'name-not-found' };
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL')
      return { reason: 'unreachable' };
    if (UNTRUSTED.has(code)) return { reason: 'tls-untrusted', tlsCode: code };
    if (code === 'CERT_HAS_EXPIRED') return { reason: 'tls-expired', tlsCode: code };
    if (code === 'CERT_NOT_YET_VALID') return { reason: 'tls-not-yet-valid', tlsCode: code };
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH')
      return { reason: 'tls-hostname', tlsCode: code };
    if (NOT_TLS.has(code)) return { reason: 'not-tls', tlsCode: code };
  }
  for (const code of codes) {
    if (RESET.has(code) || code === 'UND_ERR_INFO' || code === 'HPE_INVALID_CONSTANT') {
      // Our http request went to a TLS server: it answers with a TLS alert or hangs up.
      if (protocol === 'http:') return { reason: 'http-to-tls-port' };
      if (RESET.has(code)) return { reason: 'reset' };
    }
    if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.startsWith('CERT_'))
      return { reason: 'tls-other', tlsCode: code };
  }
  return { reason: 'other' };
}

/** Where the failed request was going. */
export interface RequestTarget {
  readonly host: string;
  readonly port: number;
  readonly protocol: string;
}

/**
 * The error to throw for `error`, raised while `deadline` and `callerSignal` were in force.
 *
 * @example
 * ```ts
 * try {
 *   res = await request(url, { signal });
 * } catch (error) {
 *   throw toTransportError(error, deadline, options.signal, targetOf(url));
 * }
 * ```
 */
export function toTransportError(
  error: unknown,
  deadline: AbortSignal,
  callerSignal: AbortSignal | undefined,
  target?: RequestTarget,
): unknown {
  if (error instanceof HttpError) return error;
  if (callerSignal?.aborted === true) return callerSignal.reason;
  const code = codeOf(error);
  const where = target === undefined ? {} : { host: target.host, port: target.port };
  if (deadline.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new HttpError(
      'PSSO_ERR_HTTP_TIMEOUT',
      'The request did not complete within the deadline',
      { cause: error, reason: 'timeout', hint: NETWORK_HINTS.timeout, ...where },
    );
  }
  // Only with a caller's dispatcher that has its own maxResponseSize.
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return tooLarge();
  if (code === 'UND_ERR_INVALID_ARG') {
    return new TypeError('undici refused the request arguments', { cause: error });
  }
  const failure = classifyNetworkFailure(error, target?.protocol ?? 'https:');
  return new HttpError('PSSO_ERR_HTTP_NETWORK', networkMessage(failure.reason), {
    cause: error,
    reason: failure.reason,
    tlsCode: failure.tlsCode,
    hint: NETWORK_HINTS[failure.reason],
    ...where,
  });
}

/** The host and port a URL names (default port by scheme). */
export function targetOf(url: URL): RequestTarget {
  const port = url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port);
  const host =
    url.hostname.startsWith('[') && url.hostname.endsWith(']')
      ? url.hostname.slice(1, -1)
      : url.hostname;
  return { host, port, protocol: url.protocol };
}

function networkMessage(reason: NetworkReason): string {
  switch (reason) {
    case 'connection-refused':
      return 'The connection was refused';
    case 'name-not-found':
      return 'The host name could not be resolved';
    case 'unreachable':
      return 'The host is unreachable';
    case 'reset':
      return 'The server closed the connection';
    case 'tls-untrusted':
      return 'The server certificate is not trusted';
    case 'tls-expired':
      return 'The server certificate has expired';
    case 'tls-not-yet-valid':
      return 'The server certificate is not valid yet';
    case 'tls-hostname':
      return 'The server certificate does not match the host name';
    case 'tls-other':
      return 'The TLS handshake failed';
    case 'http-to-tls-port':
      return 'The server closed a plain-http connection: the port probably expects TLS';
    case 'not-tls':
      return 'The server does not speak TLS on this port';
    default:
      return 'The request failed at the network level';
  }
}

/** Every `code` in the cause chain, outermost first (AggregateError members included). */
function codesOf(error: unknown, depth = 0): string[] {
  if (depth > 8 || typeof error !== 'object' || error === null) return [];
  const out: string[] = [];
  const code = codeOf(error);
  if (code !== undefined) out.push(code);
  if (error instanceof AggregateError)
    for (const e of error.errors) out.push(...codesOf(e, depth + 1));
  if ('cause' in error) out.push(...codesOf(error.cause, depth + 1));
  return out;
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/**
 * A hint for an unexpected HTTP status (constant text).
 *
 * @example
 * ```ts
 * statusHint(404); // 'nothing is served at that path: …'
 * ```
 */
export function statusHint(status: number): string {
  if (status === 404 || status === 410)
    return 'nothing is served at that path: check the URL, and that the endpoint is enabled (and proxied, from outside)';
  if (status === 401 || status === 403 || status === 407)
    return 'something in front of the server refused the request (a proxy, WAF or authentication gateway)';
  if (status === 502 || status === 503 || status === 504)
    return 'a proxy or load balancer could not reach the server behind it, or the service is down: check both';
  if (status === 405 || status === 415)
    return 'the server does not take this request at that URL: is it the endpoint the MEX names?';
  if (status >= 500) return 'the server failed: read its logs for that time';
  return 'an unexpected status: check the URL';
}
