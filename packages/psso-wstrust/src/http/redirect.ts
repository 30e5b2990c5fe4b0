/**
 * Redirect policy. With the default `maxRedirects: 0` any 3xx is refused. Otherwise a GET follows
 * 301, 302, 303, 307 and 308; a POST follows only 307 and 308 (same method and body: 301-303
 * would silently turn it into a GET); every hop is re-checked by {@link checkUrl}; credentials
 * headers are dropped when a hop changes origin, as fetch does.
 *
 * @module
 */
import { HttpError } from '../errors.js';
import { checkUrl } from './url.js';

const FOLLOWABLE = new Set([301, 302, 303, 307, 308]);
const KEEPS_METHOD = new Set([307, 308]);
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** What {@link nextHop} needs to know about the response just read. */
export interface HopContext {
  readonly method: 'GET' | 'POST';
  readonly status: number;
  /** The response's Location header, if any. */
  readonly location: string | undefined;
  /** The URL that answered. */
  readonly current: URL;
  /** Redirects already followed in this exchange. */
  readonly followed: number;
  readonly maxRedirects: number;
  readonly dangerouslyAllowHttpLoopback: boolean;
}

/**
 * The URL to request next, or `undefined` when the response is not a redirect (not 3xx).
 *
 * @throws {HttpError} `PSSO_ERR_HTTP_REDIRECT` (with `status`) for a redirect that is not followed,
 * `PSSO_ERR_HTTP_TOO_MANY_REDIRECTS` past `maxRedirects`, or the hop's `checkUrl` error.
 *
 * @example
 * ```ts
 * const next = nextHop({ method: 'GET', status: 302, location: '/b', current: new URL('https://a.example/a'),
 *   followed: 0, maxRedirects: 1, dangerouslyAllowHttpLoopback: false }); // https://a.example/b
 * ```
 */
export function nextHop(hop: HopContext): URL | undefined {
  const { status } = hop;
  if (status < 300 || status > 399) return undefined;
  if (
    hop.maxRedirects === 0 ||
    !FOLLOWABLE.has(status) ||
    (hop.method === 'POST' && !KEEPS_METHOD.has(status))
  ) {
    throw new HttpError(
      'PSSO_ERR_HTTP_REDIRECT',
      'The server answered with a redirect, which is not followed',
      { status },
    );
  }
  if (hop.followed >= hop.maxRedirects) {
    throw new HttpError('PSSO_ERR_HTTP_TOO_MANY_REDIRECTS', 'Too many redirects', { status });
  }
  if (hop.location === undefined || hop.location === '') {
    throw new HttpError('PSSO_ERR_HTTP_REDIRECT', 'A redirect without a Location', { status });
  }
  let next: URL;
  try {
    next = new URL(hop.location, hop.current);
  } catch {
    throw new HttpError('PSSO_ERR_HTTP_INVALID_URL', 'The redirect Location is not a valid URL');
  }
  return checkUrl(next, { dangerouslyAllowHttpLoopback: hop.dangerouslyAllowHttpLoopback });
}

/**
 * The request headers for a hop from `from` to `to`: unchanged on the same origin, without
 * Authorization, Proxy-Authorization and Cookie when the origin changes.
 *
 * @example
 * ```ts
 * hopHeaders({ authorization: 'Basic x', soapaction: 'a' }, new URL('https://a.example/'), new URL('https://b.example/'));
 * // { soapaction: 'a' }
 * ```
 */
export function hopHeaders(
  headers: Readonly<Record<string, string>>,
  from: URL,
  to: URL,
): Readonly<Record<string, string>> {
  if (from.origin === to.origin) return headers;
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())),
  );
}
