/**
 * URL policy: https only; plain http to loopback only behind the loudly named option; no
 * credentials in URLs. Messages are constant text: they never contain the URL (it may carry
 * secrets).
 *
 * @module
 */
import { isIP } from 'node:net';
import { HttpError } from '../errors.js';
import type { HttpOptions } from './options.js';

/**
 * Parses and checks a request URL (also used on every redirect hop).
 *
 * @throws {HttpError} `PSSO_ERR_HTTP_INVALID_URL` (unparsable, or with a username or password),
 * `PSSO_ERR_HTTP_INSECURE_URL` (not https, and not http to loopback when that is allowed).
 *
 * @example
 * ```ts
 * checkUrl('https://sts.example.com/adfs/services/trust/mex', {}); // URL
 * checkUrl('http://127.0.0.1:8080/mex', { dangerouslyAllowHttpLoopback: true }); // URL
 * checkUrl('http://sts.example.com/mex', { dangerouslyAllowHttpLoopback: true }); // throws
 * ```
 */
export function checkUrl(
  url: string | URL,
  options: Pick<HttpOptions, 'dangerouslyAllowHttpLoopback'>,
): URL {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new HttpError('PSSO_ERR_HTTP_INVALID_URL', 'The URL is not a valid absolute URL');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new HttpError('PSSO_ERR_HTTP_INVALID_URL', 'URLs with credentials are refused');
  }
  // URL lower-cases the scheme, so HTTPS:// is https: here.
  if (parsed.protocol === 'https:') return parsed;
  if (
    parsed.protocol === 'http:' &&
    options.dangerouslyAllowHttpLoopback === true &&
    isLoopback(parsed.hostname)
  ) {
    return parsed;
  }
  throw new HttpError('PSSO_ERR_HTTP_INSECURE_URL', 'Only https URLs are allowed', {
    reason: 'insecure-url',
    hint: 'only https:// URLs are accepted: use the https:// URL of the server',
  });
}

/**
 * Whether a URL hostname (as `URL` normalizes it) is loopback: 127.0.0.0/8, `::1` or `localhost`.
 *
 * @example
 * ```ts
 * isLoopback(new URL('http://127.1.2.3/').hostname); // true
 * isLoopback(new URL('http://[::1]/').hostname); // true
 * isLoopback('localhost.example.com'); // false
 * ```
 */
export function isLoopback(hostname: string): boolean {
  const host =
    hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}
