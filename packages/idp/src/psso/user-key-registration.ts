/**
 * `POST /psso/user-keys`: a registered device registers a Secure Enclave key (docs/PLATFORM-SSO.md
 * §3.9) for the user signed in on it. Apple fixes no wire format for this (docs/PSSO-PEERS.md §4.5);
 * this IdP's is a form (or JSON) with `assertion` = a JWT signed by the device signing key:
 *
 * - header `typ` `platformsso-user-key-request+jwt`, `alg` ES256, `kid` the device signing kid;
 * - claims `iss` = `client_id` (the device's), `aud` = this endpoint's URL, `iat`, `exp`, the
 *   server nonce in `request_nonce`, `refresh_token` (the user's current one, from a login on this
 *   device) and `user_key` (the P-256 public JWK).
 *
 * Checked as the token endpoint checks its request JWT (alg, kid, signature, iss, aud, exp/iat),
 * then the server nonce is consumed (only now: nothing anonymous is recorded), then the refresh
 * token is looked up WITHOUT being rotated (it must be live and issued to this device), and the key
 * is registered to its user. Nothing is written for a request that fails a check.
 *
 * @module
 */
import { decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { IdpError } from 'psso-wstrust';
import type { DeviceRecord, UserKeyRecord } from '../state/records.js';
import type { RefreshTokenStore } from '../state/types.js';
import { Refusal, type RefusalReason } from './refusal.js';
import type { ServerNonces } from './server-nonce.js';

/** The `typ` of a user key registration JWT. */
export const USER_KEY_REQUEST_TYP = 'platformsso-user-key-request+jwt';

/** What the endpoint needs. */
export interface UserKeyRegistrationDeps {
  readonly device: (kid: string) => Promise<DeviceRecord | undefined>;
  readonly nonces: ServerNonces;
  readonly refreshTokens: RefreshTokenStore;
  readonly user: (upn: string) => Promise<{ readonly upn: string } | undefined>;
  /** Registers the key (`UserKeyStore.add`). */
  readonly addUserKey: (upn: string, jwk: unknown) => Promise<UserKeyRecord>;
  /** This endpoint's URL (the JWT `aud`). */
  readonly endpoint: () => string;
  readonly clock: () => Date;
  readonly skewSeconds: number;
}

/** The endpoint's answer: 201 with the registered key, or a refusal. */
export type UserKeyAnswer =
  | {
      readonly status: 201;
      readonly body: { readonly upn: string; readonly kid: string };
      readonly outcome: 'registered';
    }
  | {
      readonly status: 400 | 401;
      readonly body: { readonly error: string; readonly error_description: string };
      readonly outcome: RefusalReason;
      readonly detail?: string;
    };

/**
 * Handles one registration (the parsed body). Never throws for anything the client sent; a store
 * failure is thrown (the server answers 5xx).
 *
 * @example
 * ```ts
 * const answer = await handleUserKeyRegistration(request.body, deps);
 * reply.code(answer.status).send(answer.body);
 * ```
 */
export async function handleUserKeyRegistration(
  body: unknown,
  deps: UserKeyRegistrationDeps,
): Promise<UserKeyAnswer> {
  try {
    const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const jwt = form.assertion;
    if (typeof jwt !== 'string' || jwt === '' || jwt.length > 20_000) throw new Refusal('no-jwt');
    const { device, claims } = await verify(jwt, deps);
    const nonceRefusal = await deps.nonces.consume(claims.request_nonce);
    if (nonceRefusal !== undefined) throw new Refusal(nonceRefusal);
    const token = claims.refresh_token;
    if (typeof token !== 'string' || token === '' || token.length > 4096)
      throw new Refusal('refresh-token-unknown');
    const r = await deps.refreshTokens.lookup(token, {
      clientId: device.clientId,
      deviceKid: device.signingKid,
    });
    if (!r.ok) throw new Refusal(`refresh-token-${r.reason}`);
    const user = await deps.user(r.grant.upn);
    if (user === undefined) throw new Refusal('refresh-unknown-user');
    let added: UserKeyRecord;
    try {
      added = await deps.addUserKey(user.upn, claims.user_key);
    } catch (e) {
      if (e instanceof IdpError && e.code === 'PSSO_ERR_IDP_REGISTRATION_INVALID')
        throw new Refusal('invalid-user-key', e.message);
      if (e instanceof IdpError && e.code === 'PSSO_ERR_IDP_USER_NOT_FOUND')
        throw new Refusal('refresh-unknown-user');
      throw e;
    }
    return { status: 201, body: { upn: added.upn, kid: added.kid }, outcome: 'registered' };
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    return {
      status: e.status,
      body: {
        error: e.error,
        error_description:
          e.error === 'invalid_request'
            ? 'The request is malformed.'
            : e.device
              ? 'The device or request could not be authenticated.'
              : 'The credentials were refused.',
      },
      outcome: e.label,
      ...(e.detail === undefined ? {} : { detail: e.detail }),
    };
  }
}

async function verify(
  jwt: string,
  deps: UserKeyRegistrationDeps,
): Promise<{ device: DeviceRecord; claims: JWTPayload }> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw new Refusal('jwt-malformed');
  }
  if (header.alg !== 'ES256') throw new Refusal('jwt-alg');
  // Only this typ: a login or refresh JWT can never be replayed here as a registration.
  if (header.typ !== USER_KEY_REQUEST_TYP) throw new Refusal('jwt-typ');
  const device = typeof header.kid === 'string' ? await deps.device(header.kid) : undefined;
  if (device === undefined) throw new Refusal('unknown-device');
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(jwt, device.signingKey, {
      algorithms: ['ES256'],
      issuer: device.clientId,
      audience: deps.endpoint(),
      clockTolerance: deps.skewSeconds,
      currentDate: deps.clock(),
      requiredClaims: ['exp', 'iat'],
    }));
  } catch (e) {
    const claim = (e as { claim?: string }).claim;
    const label =
      claim === 'iss' ? 'jwt-client-id' : claim === 'aud' ? 'jwt-audience' : 'jwt-invalid';
    throw new Refusal(label, (e as Error).message);
  }
  if ((claims.iat ?? 0) - deps.clock().getTime() / 1000 > deps.skewSeconds)
    throw new Refusal('jwt-iat-future');
  return { device, claims };
}
