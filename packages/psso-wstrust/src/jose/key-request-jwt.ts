/**
 * The Platform SSO 2.0 key request and key exchange JWTs (`key_purpose` `user_unlock`) and the
 * form that carries them (docs/PLATFORM-SSO.md §3.11; docs/PSSO-PEERS.md §4.2, §5).
 *
 * The claims are those a real macOS 14 Mac sends, in its order: `jwe_crypto`, `exp`,
 * `request_type`, `nonce`, `version` (`"1.0"`), the server nonce claim, (`other_publickey`),
 * `refresh_token`, (`key_context`), `iss` (the client id), `key_purpose`, `sub`, `username`,
 * `iat`. There is **no `aud`, `scope` or `client_id`**: the real-Mac vectors carry none, so an IdP
 * must not require them. The header is `typ` `platformsso-key-request+jwt` (the same for a key
 * exchange), `alg` `ES256`, `kid`. The form says `platform_sso_version=2.0`.
 *
 * @module
 */

import type { KeyObject } from 'node:crypto';
import { GRANT_TYPE } from '../protocol/grant-types.js';
import { type JwsObject, signCompactJws } from './compact-sign.js';
import { keyId, x963 } from './key-id.js';
import { loginApv } from './party-info.js';

/** The `typ` of a key request or key exchange JWT. */
export const KEY_REQUEST_TYP = 'platformsso-key-request+jwt';
/** The `typ` of the key response JWE. */
export const KEY_RESPONSE_TYP = 'platformsso-key-response+jwt';
/** The media type of the key response (the request's `Accept`). */
export const KEY_RESPONSE_CONTENT_TYPE = 'application/platformsso-key-response+jwt';
/** The only key purpose macOS uses. */
export const KEY_PURPOSE_USER_UNLOCK = 'user_unlock';
/** The fixed start of the key request form body. */
export const KEY_FORM_PREFIX = `platform_sso_version=2.0&grant_type=${GRANT_TYPE.jwtBearer}`;

/** Inputs of {@link buildKeyRequestJwt}. */
export interface KeyRequestJwtParams {
  /** `key_request` (a certificate and key_context) or `key_exchange` (an ECDH secret). */
  readonly requestType: 'key_request' | 'key_exchange';
  /** The device signing private key (P-256, signs ES256). */
  readonly signingKey: KeyObject;
  /** The header `kid`; default std-base64 SHA-256 of the X9.63 signing public key. */
  readonly kid?: string;
  /** The device encryption public key; gives `jwe_crypto.apv`. */
  readonly encryptionPublicKey: KeyObject;
  /** The client id (`iss`). */
  readonly clientId: string;
  /** The user (`sub` and `username`). */
  readonly username: string;
  /** The context nonce (uppercase UUID); also the last `apv` field. */
  readonly nonce: string;
  readonly serverNonce: string;
  /** Default `request_nonce`. */
  readonly serverNonceClaimName?: string;
  /** The refresh token of the user's last login (the SSO token). */
  readonly refreshToken: string;
  /** key_exchange: the other party's P-256 public key, sent as std-base64 X9.63. */
  readonly otherPublicKey?: KeyObject;
  /** key_exchange: the `key_context` the key request returned, echoed verbatim. */
  readonly keyContext?: string;
  /** Seconds since the epoch; default now. */
  readonly now?: number;
}

function required(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0)
    throw new TypeError(`${name} must be a non-empty string`);
}

/**
 * Builds and signs (ES256) a key request or key exchange JWT as a Mac does (no `aud`).
 *
 * @throws {TypeError} when a value is missing, or a key exchange lacks `otherPublicKey` or
 *   `keyContext` (or a key request has them).
 * @example
 * ```ts
 * const jwt = await buildKeyRequestJwt({
 *   requestType: 'key_request', signingKey: keys.signing.privateKey,
 *   encryptionPublicKey: keys.encryption.publicKey, clientId: 'psso',
 *   username: 'alice@example.com', nonce: randomUUID().toUpperCase(), serverNonce, refreshToken,
 * });
 * ```
 */
export async function buildKeyRequestJwt(params: KeyRequestJwtParams): Promise<string> {
  for (const name of ['clientId', 'username', 'nonce', 'serverNonce', 'refreshToken'] as const)
    required(name, params[name]);
  const exchange = params.requestType === 'key_exchange';
  if (!exchange && params.requestType !== 'key_request')
    throw new TypeError('requestType must be key_request or key_exchange');
  if (exchange) required('keyContext', params.keyContext);
  if (exchange && params.otherPublicKey === undefined)
    throw new TypeError('a key exchange needs otherPublicKey');
  if (!exchange && (params.otherPublicKey !== undefined || params.keyContext !== undefined))
    throw new TypeError('otherPublicKey and keyContext belong to a key exchange');
  const iat = params.now ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(iat)) throw new TypeError('now must be an integer number of seconds');
  const apv = loginApv(params.encryptionPublicKey, params.nonce).base64url;
  const claims: Record<string, unknown> = {
    jwe_crypto: { alg: 'ECDH-ES', enc: 'A256GCM', apv },
    exp: iat + 300,
    request_type: params.requestType,
    nonce: params.nonce,
    version: '1.0',
    [params.serverNonceClaimName || 'request_nonce']: params.serverNonce,
  };
  if (params.otherPublicKey !== undefined)
    claims.other_publickey = x963(params.otherPublicKey).toString('base64');
  claims.refresh_token = params.refreshToken;
  if (exchange) claims.key_context = params.keyContext;
  Object.assign(claims, {
    iss: params.clientId,
    key_purpose: KEY_PURPOSE_USER_UNLOCK,
    sub: params.username,
    username: params.username,
    iat,
  });
  // Written as the Mac writes it: NSJSONSerialization, header `typ, alg, kid` (PSSO-PEERS §5).
  return signCompactJws({
    header: { typ: KEY_REQUEST_TYP, alg: 'ES256', kid: params.kid ?? keyId(params.signingKey) },
    payload: claims as JwsObject,
    key: params.signingKey,
  });
}

/**
 * The key request form body: `platform_sso_version=2.0&grant_type=…jwt-bearer&<param>=<jwt>`.
 *
 * @throws {TypeError} when the JWT is not compact serialization or the name is unsafe.
 * @example
 * ```ts
 * keyRequestBody(jwt); // 'platform_sso_version=2.0&grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=eyJ…'
 * ```
 */
export function keyRequestBody(jwt: string, parameterName = 'assertion'): string {
  if (!/^[A-Za-z0-9_\-.]+$/.test(jwt)) throw new TypeError('the JWT must be compact serialization');
  const param = parameterName || 'assertion';
  if (!/^[A-Za-z0-9_\-.]+$/.test(param)) throw new TypeError('unsafe JWT parameter name');
  return `${KEY_FORM_PREFIX}&${param}=${jwt}`;
}
