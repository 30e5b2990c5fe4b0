/**
 * The IdP's advertised origin and every endpoint under it: `--public-url` when given (the origin
 * clients reach, e.g. behind a load balancer or on a real host name), else the listening address
 * (a wildcard address advertises loopback, which is the only origin the default certificate
 * covers).
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { type AddressInfo, isIP } from 'node:net';
import { STS_PATHS } from './mex-document.js';
import type { PkiOptions } from './pki.js';
import { canonicalTlsName } from './pki-names.js';
import type { TlsFiles } from './tls-files.js';

/** Every URL the IdP serves. */
export interface IdpEndpoints {
  readonly mex: string;
  /** The user realm; append the user name. */
  readonly userRealm: string;
  readonly sts13: string;
  readonly sts2005: string;
  readonly pssoNonce: string;
  readonly pssoToken: string;
  readonly pssoJwks: string;
  /** Device registration (admin token). */
  readonly pssoDevices: string;
  /** The discovery document: a login configuration for this IdP (`psso init --idp`). */
  readonly pssoConfiguration: string;
  /** The user realm as macOS's dynamic WS-Trust asks it (the `user` query item is appended). */
  readonly userRealmPreauth: string;
  readonly health: string;
  readonly metrics: string;
}

/**
 * The endpoints under an origin.
 *
 * @example
 * ```ts
 * idpEndpoints('https://idp.example.com').pssoToken; // 'https://idp.example.com/psso/token'
 * ```
 */
export function idpEndpoints(origin: string): IdpEndpoints {
  return {
    mex: `${origin}${STS_PATHS.mex}`,
    userRealm: `${origin}/common/userrealm/`,
    sts13: `${origin}${STS_PATHS.usernamemixed13}`,
    sts2005: `${origin}${STS_PATHS.usernamemixed2005}`,
    pssoNonce: `${origin}/psso/nonce`,
    pssoToken: `${origin}/psso/token`,
    pssoJwks: `${origin}/psso/jwks`,
    pssoDevices: `${origin}/psso/devices`,
    pssoConfiguration: `${origin}/.well-known/psso-configuration`,
    userRealmPreauth: `${origin}/common/UserRealm?api-version=1.0`,
    health: `${origin}/healthz`,
    metrics: `${origin}/metrics`,
  };
}

/**
 * Checks `--public-url` and returns its origin: https, no credentials, path, query or fragment.
 *
 * @throws {TypeError} saying what is wrong.
 * @example
 * ```ts
 * parsePublicUrl('https://IdP.example.com:443/'); // 'https://idp.example.com'
 * ```
 */
export function parsePublicUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError('--public-url must be an absolute URL, e.g. https://idp.example.com:8443');
  }
  if (url.protocol !== 'https:') throw new TypeError('--public-url must be an https URL');
  if (url.username !== '' || url.password !== '')
    throw new TypeError('--public-url must not hold a user name or password');
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(text))
    throw new TypeError(
      '--public-url must be an origin only (no path, query or fragment): the IdP serves its paths under it',
    );
  canonicalTlsName(url.hostname);
  return url.origin;
}

/** The host of an origin, as a TLS name (IPv6 without brackets). */
export function originHost(origin: string): string {
  return canonicalTlsName(new URL(origin).hostname);
}

/**
 * Whether a PEM certificate names the host of `origin` (DNS name or IP address).
 *
 * @example
 * ```ts
 * if (!certNamesOrigin(ownCertPem, 'https://idp.example.com')) log.log('warn', …);
 * ```
 */
export function certNamesOrigin(certPem: string, origin: string): boolean {
  const cert = new X509Certificate(certPem);
  const host = originHost(origin);
  return isIP(host) === 0 ? cert.checkHost(host) !== undefined : cert.checkIP(host) !== undefined;
}

/**
 * The origin of the listening address; a wildcard address (0.0.0.0, ::) advertises loopback.
 *
 * @example
 * ```ts
 * listenOrigin({ address: '0.0.0.0', family: 'IPv4', port: 8443 }); // 'https://127.0.0.1:8443'
 * ```
 */
export function listenOrigin(address: AddressInfo): string {
  const v6 = address.family === 'IPv6';
  let host = address.address;
  if (host === '0.0.0.0') host = '127.0.0.1';
  else if (host === '::') host = '::1';
  return `https://${v6 ? `[${host}]` : host}:${address.port}`;
}

/** Whether the IdP listens on every address (and so probably wants `--public-url`). */
export function isWildcard(address: AddressInfo): boolean {
  return address.address === '0.0.0.0' || address.address === '::';
}

/**
 * The PKI options for a start: the operator's TLS files, or the generated certificate's extra
 * names (`--tls-hostname`, plus the `--public-url` host).
 *
 * @example
 * ```ts
 * loadOrCreatePki(dir, pkiOptionsFor({ publicUrl: 'https://idp.example.com' }));
 * // the generated certificate names idp.example.com
 * ```
 */
export function pkiOptionsFor(o: {
  readonly publicUrl?: string | undefined;
  readonly tlsHostnames?: readonly string[] | undefined;
  readonly tls?: TlsFiles | undefined;
}): PkiOptions {
  if (o.tls !== undefined) return { tls: o.tls };
  const names = [...(o.tlsHostnames ?? [])];
  if (o.publicUrl !== undefined) names.push(originHost(parsePublicUrl(o.publicUrl)));
  return { hostnames: names };
}
