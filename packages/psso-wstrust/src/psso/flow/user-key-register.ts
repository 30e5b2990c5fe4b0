/**
 * Registers the user's Secure Enclave key (docs/PLATFORM-SSO.md §3.9) at the reference IdP's
 * `POST /psso/user-keys`: a server nonce first, then a JWT signed by the device signing key
 * (`typ` `platformsso-user-key-request+jwt`) carrying the user's current refresh token (proof that
 * the user signed in on this device) and the user key's public JWK, as the request/response pair
 * {@link userKeyRequest} / {@link processUserKeyResponse}. Apple fixes no wire format for this
 * (docs/PSSO-PEERS.md §4.5); other IdPs register keys their own way.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { LoginError } from '../../errors.js';
import type { HttpOptions } from '../../http/options.js';
import {
  assertRecordedResponse,
  type HttpResponse,
  type RecordedResponse,
} from '../../http/request.js';
import { audienceOf } from '../../jose/login-jwt.js';
import { JSON_MEDIA_TYPE } from '../../protocol/media-types.js';
import type { ResolvedLoginConfiguration } from '../config/types.js';
import type { DeviceKeys } from '../keys/device-keys.js';
import { postForm } from './form.js';
import { jsonObject } from './json.js';
import { nonceRequest, processNonceResponse } from './nonce.js';

/** The `typ` of the registration JWT. */
export const USER_KEY_REQUEST_TYP = 'platformsso-user-key-request+jwt';

/** Options of {@link registerUserKey}. */
export interface RegisterUserKeyOptions {
  readonly config: ResolvedLoginConfiguration;
  /** The device keys, with a `userSecureEnclaveKey` (see `addUserSecureEnclaveKey`). */
  readonly keys: DeviceKeys;
  /** The refresh token of the user's last login on this device. */
  readonly refreshToken: string;
  /** The registration endpoint; default `user-keys` beside the token endpoint. */
  readonly endpoint?: string | URL;
  readonly http?: HttpOptions;
}

/**
 * The default registration endpoint: `user-keys` resolved against the token endpoint
 * (`https://idp/psso/token` → `https://idp/psso/user-keys`).
 *
 * @example
 * ```ts
 * userKeyEndpoint(config).href; // 'https://idp.example.com/psso/user-keys'
 * ```
 */
export function userKeyEndpoint(config: ResolvedLoginConfiguration): URL {
  return new URL('user-keys', config.tokenEndpointURL);
}

/** Inputs of {@link buildUserKeyRequestJwt}. */
export interface UserKeyRequestParams {
  /** The device keys (the device signing key signs) holding the user key. */
  readonly keys: DeviceKeys;
  readonly clientId: string;
  /** The registration endpoint (`aud`). */
  readonly endpoint: string | URL;
  readonly serverNonce: string;
  readonly refreshToken: string;
  /** Seconds since the epoch; default now. */
  readonly now?: number;
}

/**
 * The registration JWT: header `typ` `platformsso-user-key-request+jwt`, ES256, the device signing
 * `kid`; claims `iss` = `client_id`, `aud`, `iat`, `exp` (+300 s), `request_nonce`,
 * `refresh_token` and `user_key` (the user key's public JWK).
 *
 * @throws {TypeError} when the keys hold no user key.
 * @example
 * ```ts
 * const jwt = await buildUserKeyRequestJwt({ keys, clientId: 'psso', endpoint, serverNonce, refreshToken });
 * ```
 */
export async function buildUserKeyRequestJwt(p: UserKeyRequestParams): Promise<string> {
  const user = p.keys.userSecureEnclaveKey;
  if (user === undefined) throw new TypeError('the device keys hold no user Secure Enclave key');
  const now = p.now ?? Math.floor(Date.now() / 1000);
  const { kid: _kid, ...jwk } = user.publicJwk;
  return new SignJWT({
    iss: p.clientId,
    client_id: p.clientId,
    aud: audienceOf(p.endpoint),
    iat: now,
    exp: now + 300,
    request_nonce: p.serverNonce,
    refresh_token: p.refreshToken,
    user_key: jwk,
  })
    .setProtectedHeader({ typ: USER_KEY_REQUEST_TYP, alg: 'ES256', kid: p.keys.signing.kid })
    .sign(p.keys.signing.privateKey);
}

/** What the IdP registered the user key under. */
export interface UserKeyRegistration {
  readonly upn: string;
  readonly kid: string;
}

/**
 * POSTs the registration JWT (`assertion=<jwt>`) to `endpoint` and returns the response as
 * received, whatever its status.
 *
 * @throws {HttpError} on a transport failure or a limit breach.
 * @example
 * ```ts
 * const response = await userKeyRequest(userKeyEndpoint(config), jwt, requestId, { ca });
 * const { upn, kid } = processUserKeyResponse(response);
 * ```
 */
export async function userKeyRequest(
  endpoint: string | URL,
  jwt: string,
  requestId: string,
  options?: HttpOptions,
): Promise<HttpResponse> {
  return postForm(endpoint, `assertion=${jwt}`, { accept: JSON_MEDIA_TYPE, requestId }, options);
}

/**
 * Judges the registration answer, in order: the status (201), the content type (not checked),
 * the shape (a JSON object), the fields (`upn` and `kid` strings). A refusal carries what the IdP
 * said.
 *
 * @throws {LoginError} `PSSO_ERR_LOGIN_FAILED` (`status`, `error` and `errorDescription` say why).
 * @example
 * ```ts
 * const { upn, kid } = processUserKeyResponse({ status: 201, headers: {}, body });
 * ```
 */
export function processUserKeyResponse(response: RecordedResponse): UserKeyRegistration {
  assertRecordedResponse(response, 'processUserKeyResponse');
  let body: Record<string, unknown> = {};
  try {
    body = jsonObject(response.body, 'PSSO_ERR_LOGIN_FAILED', 'user key registration response');
  } catch {
    // An empty or non-JSON body: reported with the status below.
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  if (response.status !== 201 || typeof body.upn !== 'string' || typeof body.kid !== 'string') {
    const error = str(body.error);
    const errorDescription = str(body.error_description);
    throw new LoginError('PSSO_ERR_LOGIN_FAILED', 'The IdP refused the user key registration', {
      status: response.status,
      ...(error === undefined ? {} : { error }),
      ...(errorDescription === undefined ? {} : { errorDescription }),
    });
  }
  return { upn: body.upn, kid: body.kid };
}

/**
 * Registers the user key (server nonce, then the registration pair); resolves the user and `kid`
 * the IdP registered it under.
 *
 * @throws {TypeError} when the keys hold no user key.
 * @throws {LoginError} `PSSO_ERR_NONCE_RESPONSE` (the nonce request failed) or
 *   `PSSO_ERR_LOGIN_FAILED` (the IdP refused; `status`, `error` and `errorDescription` say why).
 * @example
 * ```ts
 * const { upn, kid } = await registerUserKey({ config, keys, refreshToken });
 * ```
 */
export async function registerUserKey(o: RegisterUserKeyOptions): Promise<UserKeyRegistration> {
  const user = o.keys.userSecureEnclaveKey;
  if (user === undefined) throw new TypeError('the device keys hold no user Secure Enclave key');
  if (typeof o.refreshToken !== 'string' || o.refreshToken === '')
    throw new TypeError('refreshToken must be a non-empty string');
  const endpoint = o.endpoint === undefined ? userKeyEndpoint(o.config) : new URL(o.endpoint);
  const requestId = randomUUID().toUpperCase();
  const serverNonce = processNonceResponse(
    await nonceRequest(o.config, requestId, o.http),
    o.config,
  );
  const jwt = await buildUserKeyRequestJwt({
    keys: o.keys,
    clientId: o.config.clientID,
    endpoint,
    serverNonce,
    refreshToken: o.refreshToken,
  });
  return processUserKeyResponse(await userKeyRequest(endpoint, jwt, requestId, o.http));
}
