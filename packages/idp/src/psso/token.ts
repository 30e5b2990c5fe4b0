/**
 * `POST /psso/token`: the Platform SSO token endpoint of the reference IdP. Each step is one
 * check, in order: the form (jwt-bearer, version 1.0, the JWT in `assertion` or `request`) → the
 * JWT header (typ, ES256, the kid of a registered device) → its signature and claims (iss =
 * client_id, aud = this endpoint, exp/iat within the skew) → the server nonce (sealed: its seal
 * and age checked, then its consumption recorded in the replay store) → the
 * grant in the JWT: SAML 1.1/2.0 bearer (RFC 7522, the subject must be the JWT's user), password
 * (managed users only) or refresh_token → an id_token, a refresh token, encrypted to the device
 * (ECDH-ES + A256GCM, `apu`, the request's `apv`; or HPKE for a Platform SSO 2.0 device, see
 * response-encryption.ts). A Platform SSO 2.0 key request (`typ`
 * `platformsso-key-request+jwt`, form version 2.0, no `aud`) goes to ./key-request.ts instead.
 *
 * Refusals answer 400 (malformed) or 401 `invalid_grant`; device and request failures carry
 * `suberror: device_authentication_failed`, so a client's invalidCredentialPredicate (Entra's is
 * `error = 'invalid_grant' AND suberror != 'device_authentication_failed'`) re-prompts only for
 * bad credentials. A failure of the IdP itself is never one of those: a store that cannot answer
 * (SQLite, Redis, the replay cache) is 503 `temporarily_unavailable` with `Retry-After`, anything
 * unexpected 500 `server_error` (see {@link serverFailure}). The description never echoes input;
 * the detail goes to the log.
 *
 * Refresh tokens rotate within a family; presenting a rotated token again revokes the family
 * (`refresh-token-reuse`), and a token presented by another device is refused without being
 * consumed (see `RefreshTokenStore.rotate`). A full password-check queue is 503 too
 * (`busy`, `Retry-After: 1`).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { GRANT_TYPE, IdpError, PssoError, type SamlGrantType } from 'psso-wstrust';
import { validateSamlBearer } from 'psso-wstrust/saml';
import type { PasswordCheck } from '../auth/password-check.js';
import { UNKNOWN_SOURCE } from '../auth/source.js';
import { canonicalUsername } from '../auth/username.js';
import type { DeviceRecord, UserRecord } from '../state/records.js';
import type { RefreshTokenStore, ReplayCache } from '../state/types.js';
import { type ServerFailureOutcome, serverFailure } from '../wire-errors.js';
import type { EmbeddedAssertionDeps } from './embedded-assertion.js';
import type { HpkeResponsePolicy } from './hpke-policy.js';
import { grantJwtBearer } from './jwt-bearer.js';
import { handleKeyRequest, KEY_REQUEST_TYP } from './key-request.js';
import type { IdTokenKey } from './keys.js';
import type { LoginRequestEncryptionKey } from './login-encryption-key.js';
import { Refusal, type RefusalReason } from './refusal.js';
import { refusalForCode } from './refusal-reasons.js';
import { encryptResponse, type ResponseEncryption, readJweCrypto } from './response-encryption.js';
import type { ServerNonces } from './server-nonce.js';

const REQUEST_TYPS = new Set([
  'platformsso-login-request+jwt',
  'platformsso-refresh-request+jwt',
  'JWT',
  KEY_REQUEST_TYP,
]);

/** What the endpoint needs. */
export interface TokenEndpointDeps {
  readonly device: (kid: string) => Promise<DeviceRecord | undefined>;
  readonly nonces: ServerNonces;
  readonly user: (upn: string) => Promise<UserRecord | undefined>;
  /** The IdP's one password check (shared with the STS: one lockout, one queue). */
  readonly passwords: PasswordCheck;
  readonly isFederated: (upn: string) => boolean;
  readonly replay: ReplayCache;
  readonly refreshTokens: RefreshTokenStore;
  readonly idTokenKey: IdTokenKey;
  /** The key encrypted embedded assertions are encrypted to (§3.10); without it they are refused. */
  readonly loginRequestEncryption?: LoginRequestEncryptionKey;
  readonly saml: {
    readonly trustedCertificates: readonly string[];
    readonly trustedIssuers: () => readonly string[];
    readonly audience: string;
  };
  /** The id_token issuer (the IdP's origin). */
  readonly issuer: () => string;
  /** This endpoint's URL (the JWT `aud`). */
  readonly endpoint: () => string;
  readonly clock: () => Date;
  readonly skewSeconds: number;
  /** Secure Enclave key and SmartCard logins (absent: jwt-bearer JWS assertions unsupported). */
  readonly embedded?: EmbeddedAssertionDeps;
  /** Seals the stateless key_context of Platform SSO 2.0 key requests; absent: none served. */
  readonly keyContextKey?: Uint8Array;
  /** HPKE PSK / Auth modes (hpke-policy.ts); default Base mode. */
  readonly hpke?: HpkeResponsePolicy;
}

/** The endpoint's answer. */
export interface TokenAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** `issued`, the refusal's label, or the IdP's own failure (metrics, logs). */
  readonly outcome: 'issued' | RefusalReason | ServerFailureOutcome;
  readonly detail?: string;
  /** The `Retry-After` header (seconds), for a 503. */
  readonly retryAfterSeconds?: number;
  /** When issued, for the log: the user (UPN), the device's client id, and the grant. */
  readonly issued?: { readonly user: string; readonly clientId: string; readonly method: string };
}

/**
 * Handles one token request (the parsed form). Never throws for anything the client sent.
 * `source` is the client address as `requestSource` gives it (lockout and the password-check
 * queue count per source).
 */
export async function handleTokenRequest(
  form: Readonly<Record<string, string>>,
  deps: TokenEndpointDeps,
  source: string = UNKNOWN_SOURCE,
): Promise<TokenAnswer> {
  try {
    const jwt = readForm(form);
    const { device, claims, keyRequest } = await verifyRequestJwt(jwt, deps);
    if (form.platform_sso_version === '2.0' && !keyRequest)
      throw new Refusal('platform-sso-version');
    // Consumed only now that a registered device signed the request: nothing anonymous records it.
    const nonceRefusal = await deps.nonces.consume(claims.request_nonce);
    if (nonceRefusal !== undefined) throw new Refusal(nonceRefusal);
    // Checked before the grant: a refresh rotates the token, which must not happen for a request
    // that cannot be answered.
    const encryption = readJweCrypto(claims, device);
    if (keyRequest) {
      // Key responses are ECDH-ES to the device encryption key (§3.11).
      if (encryption.alg !== 'ECDH-ES') throw new Refusal('jwe-crypto');
      return await handleKeyRequest(claims, device, encryption.apv, deps);
    }
    const granted = await grant(claims, device, deps, source);
    return await respond(granted, encryption, claims, device, deps);
  } catch (error) {
    let r: Refusal;
    if (error instanceof Refusal) r = error;
    else if (error instanceof PssoError && !(error instanceof IdpError))
      // What the client sent failed a library rule (a SAML assertion, XML): a refusal.
      r = new Refusal(refusalForCode(error.code), `${error.code}: ${error.message}`);
    // The IdP's own machinery (a store, a bug): never a credential failure.
    else return failure(error);
    const body = {
      error: r.error,
      error_description: description(r),
      ...(r.device ? { suberror: 'device_authentication_failed' } : {}),
    };
    return {
      status: r.status,
      contentType: 'application/json',
      body: JSON.stringify(body),
      outcome: r.label,
      ...(r.detail === undefined ? {} : { detail: r.detail }),
    };
  }
}

/** The IdP failed, not the client: 503 for a store that cannot answer, else 500. Never a 401. */
function failure(error: unknown): TokenAnswer {
  const f = serverFailure(error);
  const busy = f.kind === 'unavailable' && f.code === 'PSSO_ERR_IDP_BUSY';
  const description = busy
    ? 'The server is busy; try again later.'
    : f.kind === 'unavailable'
      ? 'The service is temporarily unavailable; try again later.'
      : 'The server could not handle the request.';
  return {
    status: f.status,
    contentType: 'application/json',
    body: JSON.stringify({ error: f.error, error_description: description }),
    outcome: busy ? 'busy' : f.kind === 'unavailable' ? 'store-unavailable' : 'internal-error',
    detail: f.kind === 'unavailable' ? `${f.code}: ${(error as Error).message}` : f.detail,
    ...(f.kind === 'unavailable' ? { retryAfterSeconds: f.retryAfterSeconds } : {}),
  };
}

function readForm(form: Readonly<Record<string, string>>): string {
  if (form.grant_type !== GRANT_TYPE.jwtBearer) throw new Refusal('form-grant-type');
  const version = form.platform_sso_version;
  if (version !== undefined && version !== '1.0' && version !== '2.0') {
    throw new Refusal('platform-sso-version');
  }
  const jwt = form.assertion ?? form.request;
  if (typeof jwt !== 'string' || jwt.length === 0 || jwt.length > 200_000)
    throw new Refusal('no-jwt');
  return jwt;
}

async function verifyRequestJwt(
  jwt: string,
  deps: TokenEndpointDeps,
): Promise<{ device: DeviceRecord; claims: JWTPayload; keyRequest: boolean }> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw new Refusal('jwt-malformed');
  }
  if (header.alg !== 'ES256') throw new Refusal('jwt-alg', String(header.alg));
  if (typeof header.typ !== 'string' || !REQUEST_TYPS.has(header.typ)) throw new Refusal('jwt-typ');
  const device = typeof header.kid === 'string' ? await deps.device(header.kid) : undefined;
  if (device === undefined) throw new Refusal('unknown-device');
  // Key requests carry no aud (real Macs send none); one that does must name this endpoint.
  const keyRequest = header.typ === KEY_REQUEST_TYP;
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(jwt, device.signingKey, {
      algorithms: ['ES256'],
      issuer: device.clientId,
      ...(keyRequest && claimsHaveNoAud(jwt) ? {} : { audience: deps.endpoint() }),
      clockTolerance: deps.skewSeconds,
      currentDate: deps.clock(),
      requiredClaims: ['exp', 'iat'],
    }));
  } catch (e) {
    // A wrong issuer is a client_id this device was not registered for; a wrong audience, a
    // request made for another token endpoint: said apart so the client can tell (no secret).
    const claim =
      (e as { code?: string; claim?: string }).code === 'ERR_JWT_CLAIM_VALIDATION_FAILED'
        ? (e as { claim?: string }).claim
        : undefined;
    const label =
      claim === 'iss' ? 'jwt-client-id' : claim === 'aud' ? 'jwt-audience' : 'jwt-invalid';
    throw new Refusal(label, (e as Error).message);
  }
  const now = deps.clock().getTime() / 1000;
  if ((claims.iat ?? 0) - now > deps.skewSeconds) throw new Refusal('jwt-iat-future');
  if (claims.client_id !== undefined && claims.client_id !== device.clientId)
    throw new Refusal('jwt-client-id');
  return { device, claims, keyRequest };
}

function claimsHaveNoAud(jwt: string): boolean {
  try {
    return decodeJwt(jwt).aud === undefined;
  } catch {
    return false;
  }
}

/** Who was authenticated; for a refresh, the rotated token of the same family. */
export interface Granted {
  readonly upn: string;
  readonly refreshToken?: string;
}

/** Dispatches on the JWT's grant_type (the form always says jwt-bearer). */
async function grant(
  claims: JWTPayload,
  device: DeviceRecord,
  deps: TokenEndpointDeps,
  source: string,
): Promise<Granted> {
  const type = claims.grant_type;
  if (type === GRANT_TYPE.saml11Bearer || type === GRANT_TYPE.saml2Bearer) {
    const username = stringClaim(claims, 'username');
    if (typeof claims.assertion !== 'string' || claims.password !== undefined)
      throw new Refusal('saml-claims');
    const now = deps.clock();
    const a = await validateSamlBearer(claims.assertion, type as SamlGrantType, {
      trustedCertificates: deps.saml.trustedCertificates,
      trustedIssuers: deps.saml.trustedIssuers(),
      audience: deps.saml.audience,
      recipient: deps.endpoint(),
      now,
      skewMs: deps.skewSeconds * 1000,
      firstSeen: (issuer, id, ttl) => deps.replay.firstSeen('assertion-id', issuer, id, ttl),
    });
    if (canonicalUsername(a.subject) !== canonicalUsername(username))
      throw new Refusal('saml-subject-not-user');
    const user = await deps.user(a.subject);
    if (user === undefined) throw new Refusal('saml-unknown-user');
    return { upn: user.upn };
  }
  if (type === GRANT_TYPE.password) {
    const username = stringClaim(claims, 'username');
    if (typeof claims.password !== 'string' || claims.assertion !== undefined)
      throw new Refusal('password-claims');
    if (deps.isFederated(username)) throw new Refusal('password-for-federated-user');
    // The one password check: the STS's lockout, the same queue; locked answers as wrong.
    const r = await deps.passwords.check(username, claims.password, source);
    if (!r.ok) throw new Refusal(r.reason);
    return { upn: r.user.upn };
  }
  if (type === GRANT_TYPE.jwtBearer) return grantJwtBearer(claims, device, deps, source);
  if (type === GRANT_TYPE.refreshToken) {
    if (typeof claims.refresh_token !== 'string' || claims.refresh_token === '')
      throw new Refusal('refresh-token-unknown');
    const r = await deps.refreshTokens.rotate(claims.refresh_token, {
      clientId: device.clientId,
      deviceKid: device.signingKid,
    });
    if (!r.ok) throw new Refusal(`refresh-token-${r.reason}`);
    if ((await deps.user(r.grant.upn)) === undefined) throw new Refusal('refresh-unknown-user');
    return { upn: r.grant.upn, refreshToken: r.token };
  }
  throw new Refusal('jwt-grant-type');
}

async function respond(
  granted: Granted,
  encryption: ResponseEncryption,
  claims: JWTPayload,
  device: DeviceRecord,
  deps: TokenEndpointDeps,
): Promise<TokenAnswer> {
  const { upn } = granted;
  const now = Math.floor(deps.clock().getTime() / 1000);
  const idToken = await new SignJWT({
    upn,
    ...(typeof claims.nonce === 'string' ? { nonce: claims.nonce } : {}),
  })
    .setProtectedHeader({ alg: deps.idTokenKey.alg, kid: deps.idTokenKey.kid, typ: 'JWT' })
    .setIssuer(deps.issuer())
    .setAudience(device.clientId)
    .setSubject(upn)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .setJti(randomUUID())
    .sign(deps.idTokenKey.privateKey);
  const refreshToken =
    granted.refreshToken ??
    (await deps.refreshTokens.issue({
      upn,
      clientId: device.clientId,
      deviceKid: device.signingKid,
    }));
  const body = {
    id_token: idToken,
    refresh_token: refreshToken,
    refresh_token_expires_in: Math.floor(deps.refreshTokens.lifetimeMs / 1000),
    expires_in: 3600,
    token_type: 'Bearer',
  };
  const jwe = await encryptResponse(body, encryption, device, deps.hpke);
  return {
    status: 200,
    contentType: 'application/platformsso-login-response+jwt; charset=utf-8',
    body: jwe,
    outcome: 'issued',
    issued: { user: upn, clientId: device.clientId, method: grantMethod(claims.grant_type) },
  };
}

/** The grant, as the log names it. */
function grantMethod(type: unknown): string {
  if (type === GRANT_TYPE.saml11Bearer) return 'saml1.1-bearer';
  if (type === GRANT_TYPE.saml2Bearer) return 'saml2-bearer';
  if (type === GRANT_TYPE.jwtBearer) return 'jwt-bearer';
  return type === GRANT_TYPE.password || type === GRANT_TYPE.refreshToken ? type : 'unknown';
}

function stringClaim(claims: JWTPayload, name: 'username'): string {
  const v = claims[name];
  if (typeof v !== 'string' || v === '') throw new Refusal('claim-username');
  return v;
}

function description(r: Refusal): string {
  if (r.error === 'invalid_request') return 'The request is malformed.';
  if (r.error === 'unsupported_grant_type') return 'The grant type is not supported.';
  const specific = SPECIFIC_DESCRIPTIONS[r.label];
  if (specific !== undefined) return specific;
  return r.device
    ? 'The device or request could not be authenticated.'
    : 'The credentials were refused.';
}

/**
 * What a client can act on, said only where it tells an attacker nothing about a password or a
 * user: the device and request checks (the device key is public knowledge of the Mac), and an
 * assertion refused for what it is (audience, signature…) — a password failure stays generic.
 */
const SPECIFIC_DESCRIPTIONS: Readonly<Partial<Record<RefusalReason, string>>> = Object.freeze({
  'unknown-device': 'The device is not registered (unknown kid).',
  'jwt-client-id': 'The request was made for another client_id.',
  'jwt-invalid': 'The request JWT did not verify with the device signing key.',
  'jwt-audience': 'The request JWT was made for another token endpoint.',
  'jwt-alg': 'The request JWT algorithm is not accepted.',
  'jwt-iat-future': 'The request JWT was issued in the future.',
  'refused:PSSO_ERR_SAML_AUDIENCE': 'The assertion audience is not this relying party.',
  'refused:PSSO_ERR_SAML_SIGNATURE':
    'The assertion is not signed by a trusted token-signing certificate.',
  'refused:PSSO_ERR_SAML_ISSUER': 'The assertion issuer is not trusted.',
  'refused:PSSO_ERR_SAML_CONDITIONS': 'The assertion is not valid at this time.',
  'refused:PSSO_ERR_SAML_RECIPIENT': 'The assertion recipient is not this token endpoint.',
  'refused:PSSO_ERR_SAML_REPLAY': 'The assertion was already used.',
  'refused:PSSO_ERR_SAML_MALFORMED': 'The assertion is malformed.',
});
