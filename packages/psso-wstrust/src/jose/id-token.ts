/**
 * id_token validation as the system performs it after decrypting a login response
 * (docs/PLATFORM-SSO.md §3.7 steps 2–8): `kid` required, key by `kid` from the JWKS, RS256/ES256 only,
 * signature, `nonce` (when present), `iss`, `aud`/`azp`, and `iat`/`exp`/`nbf` within a skew.
 *
 * @module
 */

import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose';
import { LoginError, type LoginErrorCode } from '../errors.js';

/** The id_token signature algorithms accepted. */
export const ID_TOKEN_ALGORITHMS = ['RS256', 'ES256'] as const;

/** Inputs of {@link verifyIdToken}. */
export interface VerifyIdTokenOptions {
  /** The IdP's JSON Web Key Set (`{ keys: [...] }`). */
  readonly jwks: JSONWebKeySet;
  /** The configured issuer; `iss` must equal it exactly. */
  readonly issuer: string;
  /** The configured client id; the audience. */
  readonly clientId: string;
  /** The login JWT `nonce`; the id_token `nonce`, when present, must equal it. */
  readonly nonce?: string;
  /** Current time in seconds since the epoch; default now. */
  readonly now?: number;
  /** Allowed clock skew in seconds; default 120. */
  readonly skewSeconds?: number;
}

/** A verified id_token. */
export interface VerifiedIdToken {
  readonly payload: JWTPayload;
  readonly protectedHeader: ProtectedHeaderParameters;
}

const fail = (code: LoginErrorCode, message: string, cause?: unknown): LoginError =>
  new LoginError(code, message, cause === undefined ? undefined : { cause });

const claimsError = (message: string): LoginError => fail('PSSO_ERR_ID_TOKEN_CLAIMS', message);

function mapJoseError(err: unknown): LoginError {
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys)
    return fail('PSSO_ERR_JWKS', 'No key available with identifier.', err);
  if (err instanceof errors.JWKSInvalid) return fail('PSSO_ERR_JWKS', 'the JWKS is invalid', err);
  if (err instanceof errors.JWTExpired || err instanceof errors.JWTClaimValidationFailed)
    return fail('PSSO_ERR_ID_TOKEN_CLAIMS', 'id_token claim check failed', err);
  if (err instanceof errors.JWTInvalid)
    return fail('PSSO_ERR_ID_TOKEN_CLAIMS', 'id_token claims are not a JSON object', err);
  return fail('PSSO_ERR_ID_TOKEN_SIGNATURE', 'id_token signature check failed.', err);
}

function numericDate(payload: JWTPayload, name: 'iat' | 'exp' | 'nbf'): number | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw claimsError(`id_token ${name} is not a number`);
  return value;
}

/**
 * Verifies an id_token against the IdP's JWKS with jose (`jwtVerify`, `createLocalJWKSet`,
 * RS256/ES256 only) and checks its claims as the system does.
 *
 * @throws {LoginError} `PSSO_ERR_ID_TOKEN_KID` (no `kid`), `PSSO_ERR_JWKS` (no key with that
 *   `kid`, or an unusable JWKS), `PSSO_ERR_ID_TOKEN_SIGNATURE` (malformed, algorithm not allowed,
 *   bad signature), `PSSO_ERR_ID_TOKEN_CLAIMS` (nonce, iss, aud/azp, iat/exp/nbf).
 * @example
 * ```ts
 * const { payload } = await verifyIdToken(res.idToken, {
 *   jwks, issuer: 'https://idp.example.com', clientId: 'psso', nonce,
 * });
 * ```
 */
export async function verifyIdToken(
  idToken: string,
  options: VerifyIdTokenOptions,
): Promise<VerifiedIdToken> {
  if (typeof idToken !== 'string') throw new TypeError('the id_token must be a string');
  const skew = options.skewSeconds ?? 120;
  const now = options.now ?? Date.now() / 1000;
  if (!Number.isFinite(skew) || skew < 0) throw new TypeError('skewSeconds must be >= 0');
  if (!Number.isFinite(now)) throw new TypeError('now must be a number of seconds');

  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(idToken);
  } catch (cause) {
    throw fail('PSSO_ERR_ID_TOKEN_SIGNATURE', 'the id_token is not a JWS', cause);
  }
  if (idToken.split('.').length !== 3)
    throw fail('PSSO_ERR_ID_TOKEN_SIGNATURE', 'the id_token is not a compact JWS');
  const { kid, alg } = header;
  if (typeof kid !== 'string' || kid.length === 0)
    throw fail('PSSO_ERR_ID_TOKEN_KID', 'No kid in login response id_token.');
  const keys: unknown = (options.jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw fail('PSSO_ERR_JWKS', 'the JWKS has no keys array');
  if (
    !keys.some(
      (k: unknown) => typeof k === 'object' && k !== null && (k as { kid?: unknown }).kid === kid,
    )
  )
    throw fail('PSSO_ERR_JWKS', 'No key available with identifier.');
  if (!(ID_TOKEN_ALGORITHMS as readonly unknown[]).includes(alg))
    throw fail('PSSO_ERR_ID_TOKEN_SIGNATURE', 'the id_token algorithm is not allowed');

  let payload: JWTPayload;
  try {
    const jwks = createLocalJWKSet(options.jwks);
    ({ payload } = await jwtVerify(idToken, jwks, {
      algorithms: [...ID_TOKEN_ALGORITHMS],
      currentDate: new Date(now * 1000),
      clockTolerance: skew,
    }));
  } catch (err) {
    throw err instanceof LoginError ? err : mapJoseError(err);
  }

  if (payload.nonce !== undefined && payload.nonce !== options.nonce)
    throw claimsError('id_token nonce does not match');
  if (payload.iss !== options.issuer) throw claimsError('id_token iss does not match');
  const { aud, azp } = payload;
  if (Array.isArray(aud)) {
    if (!aud.includes(options.clientId))
      throw claimsError('id_token aud does not contain the client');
    if (azp === undefined) throw claimsError('id_token azp missing with several audiences');
  } else if (aud !== options.clientId) {
    throw claimsError('id_token aud does not match');
  }
  if (azp !== undefined && azp !== options.clientId)
    throw claimsError('id_token azp does not match');
  const iat = numericDate(payload, 'iat');
  const exp = numericDate(payload, 'exp');
  const nbf = numericDate(payload, 'nbf');
  if (iat === undefined || iat > now + skew)
    throw claimsError('id_token iat missing or in the future');
  if (exp === undefined || exp < now - skew) throw claimsError('id_token exp missing or past');
  if (nbf !== undefined && nbf > now + skew) throw claimsError('id_token nbf in the future');
  return { payload, protectedHeader: header };
}
