/**
 * The encrypted embedded assertion a Mac sends for a password login when the configuration has
 * `loginRequestEncryptionPublicKey` (docs/PLATFORM-SSO.md §3.10): the claims of an embedded assertion
 * (§3.9) plus `password`, encrypted as a compact JWE to the IdP's key. It becomes the login JWT's
 * `assertion` with `grant_type` jwt-bearer and no `password` claim.
 *
 * The JWE (jose `CompactEncrypt`): `alg` `ECDH-ES`, `enc` `A256GCM`, `typ`
 * `platformsso-encrypted-login-assertion+jwt`, `epk` (a fresh P-256 key), `apu`, `apv` in the
 * embedded format of §3.5 (prefix, the IdP key's X9.63 point, the **server** nonce).
 *
 * `apu`: Apple does not say what the device puts there. We send `len‖"APPLE"‖len‖X9.63(epk)`,
 * the form the IdP uses for its responses (§3.5), so both directions have the same shape. An IdP
 * should not depend on it: the reference IdP accepts any `apu` (it enters the KDF either way).
 *
 * @module
 */

import { generateKeyPairSync, type KeyObject, webcrypto } from 'node:crypto';
import { CompactEncrypt } from 'jose';
import { EMBEDDED_APV_PREFIX, embeddedApv } from './embedded-apv.js';
import { embeddedAssertionClaims } from './embedded-assertion.js';
import { asP256Public } from './key-id.js';
import { audienceOf } from './login-jwt.js';
import { responseApu } from './party-info.js';

/** The JWE `typ` of the encrypted embedded assertion. */
export const ENCRYPTED_ASSERTION_TYP = 'platformsso-encrypted-login-assertion+jwt';
/** The longest password (UTF-8 bytes) the builder and the reference IdP accept. */
export const MAX_ASSERTION_PASSWORD_BYTES = 1024;

/** Inputs of {@link encryptedAssertionClaims}. */
export interface EncryptedAssertionClaimsParams {
  /** The user name: `iss` and `sub` (and `username`). */
  readonly username: string;
  readonly password: string;
  /** The outer login JWT's context nonce (uppercase UUID). */
  readonly nonce: string;
  /** The server nonce (also the last `apv` field). */
  readonly serverNonce: string;
  /** The claim carrying the server nonce; default `request_nonce`. */
  readonly serverNonceClaimName?: string;
  /** The outer login JWT's scope. */
  readonly scope: string;
  /** `aud`: the configuration's `audience`, else the token endpoint's audience form. */
  readonly audience?: string;
  /** The token endpoint; gives the default `aud`. */
  readonly tokenEndpoint: string | URL;
  /** `customAssertionRequestBodyClaims`, applied first (standard claims win on a clash). */
  readonly customBodyClaims?: Readonly<Record<string, unknown>>;
  /** Current time in seconds since the epoch; default now. */
  readonly now?: number;
}

/** Inputs of {@link buildEncryptedAssertion}. */
export interface EncryptedAssertionParams extends EncryptedAssertionClaimsParams {
  /** The IdP's `loginRequestEncryptionPublicKey` (P-256). */
  readonly encryptionKey: KeyObject;
  /** The first `apv` field (`loginRequestEncryptionAPVPrefix`); default `APPLEEMBEDDED`. */
  readonly apvPrefix?: string;
  /** `customAssertionRequestHeaderClaims`; they cannot replace alg, enc, typ, epk, apu or apv. */
  readonly customHeaderClaims?: Readonly<Record<string, unknown>>;
  /** The ephemeral private key (P-256); default a fresh one. For tests and vectors only. */
  readonly ephemeralPrivateKey?: KeyObject;
}

function nonEmpty(name: string, value: unknown): void {
  if (typeof value !== 'string' || value === '')
    throw new TypeError(`${name} must be a non-empty string`);
}

/**
 * The inner claims (§3.9 plus `password`): `aud`, `iat`, `exp` = `iat` + 300, `iss` = `sub` =
 * `username` = the user, `nonce`, the server nonce claim, `scope`, `password`.
 *
 * @throws {TypeError} when a value is missing or the password is longer than 1 KiB.
 * @example
 * ```ts
 * const claims = encryptedAssertionClaims({
 *   username: 'bob@example.com', password, nonce, serverNonce,
 *   scope: 'openid offline_access urn:apple:platformsso',
 *   tokenEndpoint: 'https://idp.example.com/psso/token',
 * });
 * ```
 */
export function encryptedAssertionClaims(
  p: EncryptedAssertionClaimsParams,
): Record<string, unknown> {
  nonEmpty('password', p.password);
  if (Buffer.byteLength(p.password, 'utf8') > MAX_ASSERTION_PASSWORD_BYTES)
    throw new TypeError('the password is longer than 1 KiB');
  const audience =
    p.audience === undefined || p.audience === '' ? audienceOf(p.tokenEndpoint) : p.audience;
  // The claims of a signed embedded assertion (§3.9), plus `username` and the password (§3.10).
  return {
    ...embeddedAssertionClaims({ ...p, audience }),
    username: p.username,
    password: p.password,
  };
}

/**
 * Builds the encrypted embedded assertion (compact JWE) to pass as `buildLoginJwt`'s
 * `embeddedAssertion`.
 *
 * @throws {TypeError} when a value is missing or a key is not P-256.
 * @example
 * ```ts
 * const assertion = await buildEncryptedAssertion({
 *   encryptionKey: loginRequestEncryptionKey(config.loginRequestEncryptionPublicKey),
 *   username, password, nonce, serverNonce, scope,
 *   tokenEndpoint: config.tokenEndpointURL,
 * });
 * const jwt = await buildLoginJwt({ ...common, username, embeddedAssertion: assertion });
 * ```
 */
export async function buildEncryptedAssertion(p: EncryptedAssertionParams): Promise<string> {
  const claims = encryptedAssertionClaims(p);
  const key = asP256Public(p.encryptionKey);
  const apv = embeddedApv(p.apvPrefix || EMBEDDED_APV_PREFIX, key, p.serverNonce);
  const ephemeral =
    p.ephemeralPrivateKey ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  // jose exports the public half of this key as the header epk: it must be extractable.
  const epk = await webcrypto.subtle.importKey(
    'jwk',
    ephemeral.export({ format: 'jwk' }),
    { name: 'ECDH', namedCurve: 'P-256' },
    true,
    ['deriveBits'],
  );
  const header = {
    ...p.customHeaderClaims,
    alg: 'ECDH-ES',
    enc: 'A256GCM',
    typ: ENCRYPTED_ASSERTION_TYP,
  };
  for (const reserved of ['epk', 'apu', 'apv', 'zip', 'crit'])
    delete (header as Record<string, unknown>)[reserved];
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader(header)
    .setKeyManagementParameters({ apu: responseApu(ephemeral).bytes, apv: apv.bytes, epk })
    .encrypt(key);
}
