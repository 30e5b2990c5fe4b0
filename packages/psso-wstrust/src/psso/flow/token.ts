/**
 * The Platform SSO login and refresh steps (docs/PLATFORM-SSO.md §3.6–§3.8) as request/response
 * pairs: {@link loginRequest} / {@link refreshRequest} POST the signed JWT as a form with
 * `platform_sso_version=1.0` and return the raw response; {@link processLoginResponse} /
 * {@link processRefreshResponse} judge it: 400/401 with the invalidCredentialPredicate as macOS
 * does, a JWE answer decrypted with the device encryption key and our `apv`, the id_token verified
 * against the JWKS.
 *
 * @module
 */
import type { KeyObject } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import { LoginError } from '../../errors.js';
import type { HttpOptions } from '../../http/options.js';
import {
  assertRecordedResponse,
  type HttpResponse,
  type RecordedResponse,
} from '../../http/request.js';
import type { HpkeResponseKey } from '../../jose/hpke/decrypt.js';
import { verifyIdToken } from '../../jose/id-token.js';
import { loginRequestBody } from '../../jose/login-jwt.js';
import { decryptLoginResponse, type LoginResponse } from '../../jose/login-response.js';
import { LOGIN_RESPONSE_MEDIA_TYPE } from '../../protocol/media-types.js';
import type { QueryItems, ResolvedLoginConfiguration } from '../config/types.js';
import { parsePredicate } from '../predicate/index.js';
import { deviceRejection } from './device-rejected.js';
import { postForm } from './form.js';
import { jsonObject } from './json.js';
import { JwksCache } from './jwks-cache.js';

/** The verified outcome of a login or refresh. */
export interface TokenResult {
  readonly response: LoginResponse;
  readonly idTokenClaims: Readonly<Record<string, unknown>>;
}

/** What a login or refresh response is checked against. */
export interface LoginResponseContext {
  /** The request's `jwe_crypto.apv` (base64url). */
  readonly apv: string;
  /** The login JWT's `nonce`: the id_token's `nonce`, when present, must equal it. */
  readonly contextNonce: string;
  /** The device encryption private key the JWE is opened with. */
  readonly encryptionPrivateKey: KeyObject;
  /** An HPKE device: what the response is opened with (see `config/hpke.ts`). */
  readonly hpke?: HpkeResponseKey;
  /** The clock of the id_token check; default now. */
  readonly now?: Date;
  /** The IdP's key set: the id_token is verified against it, with no network. */
  readonly jwks?: JSONWebKeySet;
  /** Otherwise the JWKS of `jwksEndpointURL`, through this cache; default the library's shared one. */
  readonly jwksCache?: JwksCache;
  /** Transport options of that JWKS fetch. */
  readonly http?: HttpOptions;
}

/**
 * POSTs the login JWT to the token endpoint (`platform_sso_version=1.0`, jwt-bearer, the custom
 * login values, the JWT under `customRequestJWTParameterName`, else `assertion`) and returns the
 * response as received, whatever its status.
 *
 * @throws {HttpError} on a transport failure or a limit breach.
 *
 * @example
 * ```ts
 * const response = await loginRequest(config, jwt, requestId, { ca });
 * const { idTokenClaims } = await processLoginResponse(response, config, { apv, contextNonce, encryptionPrivateKey });
 * ```
 */
export async function loginRequest(
  config: ResolvedLoginConfiguration,
  jwt: string,
  requestId: string,
  options?: HttpOptions,
): Promise<HttpResponse> {
  return tokenEndpointRequest(config, jwt, requestId, config.customLoginRequestValues, options);
}

/**
 * POSTs the refresh JWT to the token endpoint, as a login is posted (§3.8) but with the custom
 * refresh values when the configuration has any, and returns the response as received.
 *
 * @throws {HttpError} on a transport failure or a limit breach.
 *
 * @example
 * ```ts
 * const response = await refreshRequest(config, jwt, requestId, { ca });
 * const refreshed = await processRefreshResponse(response, config, { apv, contextNonce, encryptionPrivateKey });
 * ```
 */
export async function refreshRequest(
  config: ResolvedLoginConfiguration,
  jwt: string,
  requestId: string,
  options?: HttpOptions,
): Promise<HttpResponse> {
  const values =
    config.customRefreshRequestValues.length > 0
      ? config.customRefreshRequestValues
      : config.customLoginRequestValues;
  return tokenEndpointRequest(config, jwt, requestId, values, options);
}

function tokenEndpointRequest(
  config: ResolvedLoginConfiguration,
  jwt: string,
  requestId: string,
  values: QueryItems,
  options: HttpOptions | undefined,
): Promise<HttpResponse> {
  const body = loginRequestBody(jwt, {
    parameterName: config.customRequestJWTParameterName,
    customValues: values.map((i) => [i.name, i.value] as [string, string]),
  });
  const o = { accept: LOGIN_RESPONSE_MEDIA_TYPE, requestId };
  return postForm(config.tokenEndpointURL, body, o, options);
}

/**
 * Judges a login response, in order: the status (2xx; 400/401 judged with the
 * invalidCredentialPredicate as macOS does, see {@link loginFailure}), the content type (not
 * checked: macOS reads the body whatever it says), the shape (a compact JWE, decrypted with the
 * device key and our `apv`; the token fields), then the expected values (the id_token verified
 * against the JWKS: signature, issuer, audience, nonce, times). Only the JWKS may need the
 * network: give `jwks` to judge a recorded response with none.
 *
 * @throws {LoginError} `PSSO_ERR_LOGIN_INVALID_CREDENTIALS` (re-prompt), `PSSO_ERR_LOGIN_FAILED`
 *   (with `status`), `PSSO_ERR_LOGIN_DEVICE_REJECTED`, or a JWE / id_token / JWKS code.
 *
 * @example
 * ```ts
 * const { response, idTokenClaims } = await processLoginResponse(recorded, config, {
 *   apv, contextNonce, encryptionPrivateKey, jwks, now,
 * });
 * ```
 */
export async function processLoginResponse(
  response: RecordedResponse,
  config: ResolvedLoginConfiguration,
  context: LoginResponseContext,
): Promise<TokenResult> {
  assertRecordedResponse(response, 'processLoginResponse');
  return processTokenResponse(response, config, context);
}

/**
 * Judges a refresh response: exactly as a login response (§3.8), see {@link processLoginResponse}.
 *
 * @throws {LoginError} as {@link processLoginResponse}.
 *
 * @example
 * ```ts
 * const { response } = await processRefreshResponse(recorded, config, { apv, contextNonce, encryptionPrivateKey });
 * response.refreshToken; // the rotated refresh token
 * ```
 */
export async function processRefreshResponse(
  response: RecordedResponse,
  config: ResolvedLoginConfiguration,
  context: LoginResponseContext,
): Promise<TokenResult> {
  assertRecordedResponse(response, 'processRefreshResponse');
  return processTokenResponse(response, config, context);
}

async function processTokenResponse(
  res: RecordedResponse,
  config: ResolvedLoginConfiguration,
  context: LoginResponseContext,
): Promise<TokenResult> {
  if (res.status < 200 || res.status > 299) throw loginFailure(config, res.status, res.body);
  const response = await decryptLoginResponse(Buffer.from(res.body).toString('utf8'), {
    encryptionPrivateKey: context.encryptionPrivateKey,
    apv: context.apv,
    ...(context.hpke === undefined ? {} : { hpke: context.hpke }),
  });
  const verify = async (jwks: JSONWebKeySet) =>
    verifyIdToken(response.idToken, {
      jwks,
      issuer: config.issuer,
      clientId: config.clientID,
      nonce: context.contextNonce,
      ...(context.now === undefined ? {} : { now: Math.floor(context.now.getTime() / 1000) }),
    });
  // The JWKS is cached per URL, bounded in age, URLs and keys; fetched again when stale, or for
  // an unknown kid at most once per interval (§3.7).
  const { payload } =
    context.jwks === undefined
      ? await (context.jwksCache ?? sharedJwksCache).verify(
          config.jwksEndpointURL,
          context.http,
          (jwks) => verify(jwks as unknown as JSONWebKeySet),
        )
      : await verify(context.jwks);
  return { response, idTokenClaims: payload };
}

/** The library's JWKS cache (default bounds). */
const sharedJwksCache = new JwksCache();

/**
 * §3.7: 401 without a predicate is a credential error; with one, the JSON body decides. Either
 * way the error carries what the server said (`error`, `error_description`, `suberror`, the
 * status) and the predicate's verdict, so an unknown device, a wrong client id, a refused
 * assertion and a wrong password each read differently. Any body shape is read without throwing:
 * empty (Keycloak's 401), JSON (Fleet's 400), or anything else.
 *
 * @example
 * ```ts
 * if (res.status < 200 || res.status > 299) throw loginFailure(config, res.status, res.body);
 * ```
 */
export function loginFailure(
  config: ResolvedLoginConfiguration,
  status: number,
  body: Uint8Array,
): LoginError {
  let json: Record<string, unknown> | undefined;
  try {
    json = jsonObject(body, 'PSSO_ERR_LOGIN_FAILED', 'login error response');
  } catch {
    json = undefined;
  }
  const said = {
    status,
    ...stringField(json, 'error', 'error'),
    ...stringField(json, 'error_description', 'errorDescription'),
    ...stringField(json, 'suberror', 'suberror'),
  };
  const expression = config.invalidCredentialPredicate;
  const rejected = deviceRejection(status, json, said, expression);
  if (rejected !== undefined) return rejected;
  if (status === 400 || status === 401) {
    if (expression === undefined) {
      const predicate = {
        expression,
        matched: false,
        verdict: status === 401 ? 'credentials' : 'other',
      } as const;
      if (status === 401)
        return new LoginError(
          'PSSO_ERR_LOGIN_INVALID_CREDENTIALS',
          'The token endpoint answered 401 and the configuration has no invalidCredentialPredicate: the credentials are taken as not correct',
          { ...said, predicate },
        );
      return new LoginError(
        'PSSO_ERR_LOGIN_FAILED',
        'The token endpoint refused the login request',
        {
          ...said,
          predicate,
        },
      );
    }
    const matched = json !== undefined && parsePredicate(expression).evaluate(json);
    if (matched) {
      return new LoginError(
        'PSSO_ERR_LOGIN_INVALID_CREDENTIALS',
        'The token endpoint refused the credentials (its error matched the invalidCredentialPredicate)',
        { ...said, predicate: { expression, matched, verdict: 'credentials' } },
      );
    }
    return new LoginError(
      'PSSO_ERR_LOGIN_FAILED',
      'The token endpoint refused the login request (not a credential error: its error did not match the invalidCredentialPredicate)',
      { ...said, predicate: { expression, matched, verdict: 'other' } },
    );
  }
  return new LoginError('PSSO_ERR_LOGIN_FAILED', 'The login request failed', said);
}

/** `{ [as]: json[name] }` when it is a string, else `{}`. */
function stringField<K extends string>(
  json: Record<string, unknown> | undefined,
  name: string,
  as: K,
): Partial<Record<K, string>> {
  const value = json?.[name];
  return typeof value === 'string' ? ({ [as]: value } as Partial<Record<K, string>>) : {};
}
