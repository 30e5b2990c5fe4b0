/**
 * The signed login and refresh request JWTs the system posts to the token endpoint, and the form
 * body that carries them (docs/PLATFORM-SSO.md §3.3, §3.4, §3.6, §3.8). Both JWT segments are written
 * as a Mac writes them (NSJSONSerialization, pretty-printed, keys in the Mac's order): see
 * `nsjson.ts` and `compact-sign.ts`.
 *
 * @module
 */

import type { KeyObject } from 'node:crypto';
import { GRANT_TYPE, type SamlVersion, samlGrantType } from '../protocol/grant-types.js';
import { signCompactJws } from './compact-sign.js';
import { keyId } from './key-id.js';
import { type NsJsonValue, orderKeys } from './nsjson.js';
import { loginApv } from './party-info.js';

/** The `typ` of a login request JWT (extension SDK 14 and later). */
export const LOGIN_REQUEST_TYP = 'platformsso-login-request+jwt';
/** The `typ` of a refresh request JWT. */
export const REFRESH_REQUEST_TYP = 'platformsso-refresh-request+jwt';
/** The fixed start of the token endpoint form body. */
export const LOGIN_FORM_PREFIX = `platform_sso_version=1.0&grant_type=${GRANT_TYPE.jwtBearer}`;

/** What every request JWT needs: the device signing key and the context values. */
interface CommonJwtParams {
  /** The device signing private key (P-256, signs ES256). */
  readonly signingKey: KeyObject;
  /** The header `kid`; by default std-base64 SHA-256 of the X9.63 signing public key. */
  readonly kid?: string;
  /** The device signing certificate(s), copied to the header `x5c` when set. */
  readonly x5c?: string | readonly string[];
  readonly clientId: string;
  /** The context nonce (uppercase UUID); also the last `apv` field. */
  readonly nonce: string;
  /** The server nonce from the nonce endpoint. */
  readonly serverNonce: string;
  /** The claim carrying the server nonce; default `request_nonce`. */
  readonly serverNonceClaimName?: string;
  /** The context scope, e.g. `openid offline_access urn:apple:platformsso`. */
  readonly scope: string;
  /** The device encryption public key; gives `jwe_crypto.apv`. */
  readonly encryptionPublicKey: KeyObject;
  /** Header claims applied after `typ` (so they may override it) and before `alg`/`kid`/`x5c`. */
  readonly customHeaderClaims?: Readonly<Record<string, unknown>>;
  /** Body claims applied before the standard claims (standard claims win on a clash). */
  readonly customBodyClaims?: Readonly<Record<string, unknown>>;
  /** Body claims applied after the standard claims (group request, previous refresh token). */
  readonly trailingBodyClaims?: Readonly<Record<string, unknown>>;
  /**
   * The `jwe_crypto` claim; default `{alg: 'ECDH-ES', enc: 'A256GCM', apv}` with the `apv` built
   * from `encryptionPublicKey` and `nonce` (an HPKE device sends its own, §3.4).
   */
  readonly jweCrypto?: Readonly<Record<string, string>>;
  /** Current time in seconds since the epoch; default now. */
  readonly now?: number;
}

/**
 * Inputs of {@link buildLoginJwt}. Exactly one of `password`, `samlAssertion` and
 * `embeddedAssertion` is required.
 */
export interface LoginJwtParams extends CommonJwtParams {
  /** The user name (`sub` and `username`). */
  readonly username: string;
  /** The token endpoint URL; `aud` is this URL without query and fragment. */
  readonly tokenEndpoint: string | URL;
  /** A managed password login: `grant_type` `password` and the `password` claim. */
  readonly password?: string;
  /** A WS-Trust federated login: the assertion XML exactly as extracted, and its SAML version. */
  readonly samlAssertion?: { readonly xml: string; readonly version: SamlVersion };
  /**
   * An embedded assertion (§3.9, §3.10): a compact JWS (Secure Enclave or SmartCard key) or JWE
   * (encrypted password), sent as `assertion` with `grant_type` jwt-bearer and no `password`.
   */
  readonly embeddedAssertion?: string;
}

/** Inputs of {@link buildRefreshJwt}. */
export interface RefreshJwtParams extends CommonJwtParams {
  /** The refresh endpoint URL; `aud` is this URL without query and fragment. */
  readonly refreshEndpoint: string | URL;
  readonly refreshToken: string;
}

function required(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0)
    throw new TypeError(`${name} must be a non-empty string`);
}

/**
 * The audience form of an endpoint URL: the absolute URL text with query and fragment removed and
 * otherwise unchanged (no normalisation).
 *
 * @throws {TypeError} when the text is not an absolute URL.
 * @example
 * ```ts
 * audienceOf('https://idp.example.com/token?x=1#f'); // 'https://idp.example.com/token'
 * ```
 */
export function audienceOf(endpoint: string | URL): string {
  const text = typeof endpoint === 'string' ? endpoint : endpoint.href;
  if (!URL.canParse(text)) throw new TypeError('the endpoint must be an absolute URL');
  const cut = text.search(/[?#]/);
  return cut === -1 ? text : text.slice(0, cut);
}

/**
 * The order a Mac writes request JWT header members in (docs/PSSO-PEERS.md §5); custom header claims
 * take the `'*'` slot, after `x5c` (a custom `typ` replaces the value in place).
 */
export const MAC_HEADER_ORDER: readonly string[] = ['typ', 'alg', 'kid', 'x5c', '*'];

/**
 * The order a Mac writes login and refresh claims in. The fixed part is the real-Mac password
 * login (docs/PSSO-PEERS.md §5): `jwe_crypto, exp, nonce, request_nonce, scope, grant_type, iss,
 * password, sub, amr, claims, aud, username, client_id, iat`. Claims the fixtures do not show are
 * placed where their role suggests: `assertion` next to `password` (it replaces it),
 * `refresh_token` before `iss` (as in the real-Mac key requests); custom, trailing and any other
 * claims take the `'*'` slot, just before `iat`. A custom `serverNonceClaimName` takes the
 * `request_nonce` slot.
 */
export const MAC_LOGIN_BODY_ORDER: readonly string[] = [
  'jwe_crypto',
  'exp',
  'nonce',
  'request_nonce',
  'scope',
  'grant_type',
  'refresh_token',
  'iss',
  'password',
  'assertion',
  'sub',
  'amr',
  'claims',
  'aud',
  'username',
  'client_id',
  '*',
  'iat',
];

async function sign(
  typ: string,
  claims: Record<string, unknown>,
  params: CommonJwtParams,
): Promise<string> {
  const header: Record<string, unknown> = {
    typ,
    ...params.customHeaderClaims,
    alg: 'ES256',
    kid: params.kid ?? keyId(params.signingKey),
  };
  if (params.x5c !== undefined)
    header.x5c = typeof params.x5c === 'string' ? params.x5c : [...params.x5c];
  const payload = { ...params.customBodyClaims, ...claims, ...params.trailingBodyClaims };
  const nonceClaim = params.serverNonceClaimName || 'request_nonce';
  const bodyOrder = MAC_LOGIN_BODY_ORDER.map((k) => (k === 'request_nonce' ? nonceClaim : k));
  return signCompactJws({
    header: orderKeys(header as Record<string, NsJsonValue>, MAC_HEADER_ORDER),
    payload: orderKeys(payload as Record<string, NsJsonValue>, bodyOrder),
    key: params.signingKey,
  });
}

function commonClaims(params: CommonJwtParams, audience: string): Record<string, unknown> {
  for (const name of ['clientId', 'nonce', 'serverNonce', 'scope'] as const)
    required(name, params[name]);
  const iat = params.now ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(iat)) throw new TypeError('now must be an integer number of seconds');
  return {
    client_id: params.clientId,
    iss: params.clientId,
    aud: audience,
    iat,
    exp: iat + 300,
    nonce: params.nonce,
    [params.serverNonceClaimName || 'request_nonce']: params.serverNonce,
    scope: params.scope,
  };
}

function jweCrypto(params: CommonJwtParams): Record<string, string> {
  if (params.jweCrypto !== undefined) return { ...params.jweCrypto };
  const apv = loginApv(params.encryptionPublicKey, params.nonce).base64url;
  return { alg: 'ECDH-ES', enc: 'A256GCM', apv };
}

/**
 * Builds and signs (ES256) the login request JWT, `typ` `platformsso-login-request+jwt`. A SAML
 * assertion goes in `assertion` as STANDARD base64 of its exact UTF-8 bytes, with `grant_type`
 * `…saml1_1-bearer` or `…saml2-bearer` and no `password`; a password login sends `grant_type`
 * `password`, the `password` claim and `amr` `["pwd"]`.
 *
 * @throws {TypeError} when a required value is missing, or both or neither of `password` and
 *   `samlAssertion` are given.
 * @example
 * ```ts
 * const jwt = await buildLoginJwt({
 *   signingKey: keys.signing.privateKey,
 *   encryptionPublicKey: keys.encryption.publicKey,
 *   clientId: 'psso', username: 'alice@example.com',
 *   tokenEndpoint: 'https://idp.example.com/oauth2/token',
 *   nonce: randomUUID().toUpperCase(), serverNonce,
 *   scope: 'openid offline_access urn:apple:platformsso',
 *   samlAssertion: { xml: assertionXml, version: '2.0' },
 * });
 * ```
 */
export async function buildLoginJwt(params: LoginJwtParams): Promise<string> {
  required('username', params.username);
  const { password, samlAssertion, embeddedAssertion } = params;
  const given = [password, samlAssertion, embeddedAssertion].filter((v) => v !== undefined);
  if (given.length > 1) throw new TypeError('unable to use both password and assertion');
  if (given.length === 0) throw new TypeError('missing password or assertion');
  const claims: Record<string, unknown> = {
    ...commonClaims(params, audienceOf(params.tokenEndpoint)),
    sub: params.username,
    username: params.username,
  };
  if (samlAssertion !== undefined) {
    required('samlAssertion.xml', samlAssertion.xml);
    if (samlAssertion.version !== '1.1' && samlAssertion.version !== '2.0')
      throw new TypeError('samlAssertion.version must be "1.1" or "2.0"');
    claims.grant_type = samlGrantType(samlAssertion.version);
    claims.assertion = Buffer.from(samlAssertion.xml, 'utf8').toString('base64');
  } else if (embeddedAssertion !== undefined) {
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){2,4}$/.test(embeddedAssertion))
      throw new TypeError('embeddedAssertion must be a compact JWS or JWE');
    claims.grant_type = GRANT_TYPE.jwtBearer;
    claims.assertion = embeddedAssertion;
  } else {
    required('password', password);
    claims.grant_type = GRANT_TYPE.password;
    claims.password = password;
    // What a Mac sends for a password login (real-Mac fixture; docs/PLATFORM-SSO.md §6 item 7).
    claims.amr = ['pwd'];
  }
  claims.jwe_crypto = jweCrypto(params);
  return sign(LOGIN_REQUEST_TYP, claims, params);
}

/**
 * Builds and signs (ES256) the refresh request JWT, `typ` `platformsso-refresh-request+jwt`,
 * `grant_type` `refresh_token`, without `sub` or `username`.
 *
 * @throws {TypeError} when a required value is missing.
 * @example
 * ```ts
 * const jwt = await buildRefreshJwt({ ...common, refreshEndpoint, refreshToken });
 * ```
 */
export async function buildRefreshJwt(params: RefreshJwtParams): Promise<string> {
  required('refreshToken', params.refreshToken);
  const claims: Record<string, unknown> = {
    ...commonClaims(params, audienceOf(params.refreshEndpoint)),
    refresh_token: params.refreshToken,
    grant_type: GRANT_TYPE.refreshToken,
    jwe_crypto: jweCrypto(params),
  };
  return sign(REFRESH_REQUEST_TYP, claims, params);
}

/** Options of {@link loginRequestBody}. */
export interface LoginRequestBodyOptions {
  /** The form field carrying the JWT; default `assertion` (`request` for SDK 13 profiles). */
  readonly parameterName?: string;
  /** `customLoginRequestValues` (or `customRefreshRequestValues`), in order. */
  readonly customValues?: readonly (readonly [string, string])[] | Readonly<Record<string, string>>;
}

// Left raw as NSURLComponents leaves them in a query item; `+` is encoded on purpose so that form
// decoders cannot read it as a space.
const QUERY_SAFE = /[A-Za-z0-9\-._~!$'()*,;:@/?]/;

function encodeQueryComponent(text: string): string {
  let out = '';
  for (const ch of text) out += QUERY_SAFE.test(ch) ? ch : encodeURIComponent(ch);
  return out;
}

/**
 * The token endpoint form body: `platform_sso_version=1.0&grant_type=urn:ietf:params:oauth:
 * grant-type:jwt-bearer`, then the custom values, then `&<parameterName>=<jwt>` appended raw.
 *
 * @throws {TypeError} when the JWT is not compact-serialization text.
 * @example
 * ```ts
 * loginRequestBody(jwt, { customValues: [['client_info', '1']] });
 * // 'platform_sso_version=1.0&grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&client_info=1&assertion=eyJ…'
 * ```
 */
export function loginRequestBody(jwt: string, options: LoginRequestBodyOptions = {}): string {
  if (!/^[A-Za-z0-9_\-.]+$/.test(jwt)) throw new TypeError('the JWT must be compact serialization');
  const param = options.parameterName || 'assertion';
  const values = options.customValues ?? [];
  const entries = Array.isArray(values)
    ? (values as readonly (readonly [string, string])[])
    : Object.entries(values as Readonly<Record<string, string>>);
  let body = LOGIN_FORM_PREFIX;
  for (const [name, value] of entries)
    body += `&${encodeQueryComponent(name)}=${encodeQueryComponent(value)}`;
  return `${body}&${encodeQueryComponent(param)}=${jwt}`;
}
