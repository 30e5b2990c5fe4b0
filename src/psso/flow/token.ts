/**
 * The Platform SSO login and refresh requests and their responses (docs/PLATFORM-SSO.md §3.6–§3.8):
 * the signed JWT POSTed as a form with `platform_sso_version=1.0`, a JWE answer decrypted with the
 * device encryption key and our `apv`, the id_token verified against the JWKS; 400/401 judged
 * with the invalidCredentialPredicate as macOS does.
 *
 * @module
 */
import { LoginError } from '../../errors.js';
import type { HttpOptions } from '../../http/options.js';
import { httpRequest } from '../../http/request.js';
import { verifyIdToken } from '../../jose/id-token.js';
import { loginRequestBody } from '../../jose/login-jwt.js';
import { decryptLoginResponse, type LoginResponse } from '../../jose/login-response.js';
import type { ResolvedLoginConfiguration } from '../config/types.js';
import { parsePredicate } from '../predicate/index.js';
import { deviceRejection } from './device-rejected.js';
import { jsonObject } from './json.js';
import { JwksCache } from './jwks-cache.js';

/** The verified outcome of a login or refresh. */
export interface TokenResult {
  readonly response: LoginResponse;
  readonly idTokenClaims: Readonly<Record<string, unknown>>;
}

/**
 * POSTs `jwt` to the token endpoint and validates the answer.
 *
 * @throws {LoginError} `PSSO_ERR_LOGIN_INVALID_CREDENTIALS` (re-prompt), `PSSO_ERR_LOGIN_FAILED`
 *   (with `status`), or a JWE / id_token code.
 *
 * @example
 * ```ts
 * const { idTokenClaims } = await postLoginRequest(config, jwt, { requestId, apv, contextNonce, encryptionPrivateKey });
 * ```
 */
export async function postLoginRequest(
  config: ResolvedLoginConfiguration,
  jwt: string,
  context: {
    requestId: string;
    apv: string;
    contextNonce: string;
    encryptionPrivateKey: import('node:crypto').KeyObject;
    /** An HPKE device: what the response is opened with (see `config/hpke.ts`). */
    hpke?: import('../../jose/hpke/decrypt.js').HpkeResponseKey;
    now?: Date;
    /** Default: the library's shared cache. */
    jwksCache?: JwksCache;
  },
  http?: HttpOptions,
): Promise<TokenResult> {
  const res = await httpRequest(
    {
      method: 'POST',
      url: config.tokenEndpointURL,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/platformsso-login-response+jwt',
        'client-request-id': context.requestId,
      },
      body: loginRequestBody(jwt, {
        parameterName: config.customRequestJWTParameterName,
        customValues: config.customLoginRequestValues.map(
          (i) => [i.name, i.value] as [string, string],
        ),
      }),
    },
    http,
  );
  if (res.status < 200 || res.status > 299) throw loginFailure(config, res.status, res.body);
  const response = await decryptLoginResponse(Buffer.from(res.body).toString('utf8'), {
    encryptionPrivateKey: context.encryptionPrivateKey,
    apv: context.apv,
    ...(context.hpke === undefined ? {} : { hpke: context.hpke }),
  });
  const verify = async (jwks: Record<string, unknown>) =>
    verifyIdToken(response.idToken, {
      jwks: jwks as never,
      issuer: config.issuer,
      clientId: config.clientID,
      nonce: context.contextNonce,
      ...(context.now === undefined ? {} : { now: Math.floor(context.now.getTime() / 1000) }),
    });
  // The JWKS is cached per URL, bounded in age, URLs and keys; fetched again when stale, or for
  // an unknown kid at most once per interval (§3.7).
  const result = await (context.jwksCache ?? sharedJwksCache).verify(
    config.jwksEndpointURL,
    http,
    verify,
  );
  const payload = result.payload;
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
