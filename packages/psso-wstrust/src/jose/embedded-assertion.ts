/**
 * The embedded assertion of a Secure Enclave key or SmartCard login (docs/PLATFORM-SSO.md §3.9): a JWS,
 * `typ` `platformsso-login-assertion+jwt`, signed by the user's key, that becomes the login JWT's
 * `assertion` with `grant_type` jwt-bearer.
 *
 * - `alg` follows the key: ES256 (P-256: the Secure Enclave key, or a SmartCard), ES384 (P-384
 *   SmartCard), RS256 (RSA SmartCard, at least 2048 bits).
 * - `kid` is standard base64 of SHA-256 over the X9.63 public key (`04‖X‖Y`) for an EC key, as the
 *   system computes it. An RSA key has no X9.63 form: this project uses SHA-256 over its SPKI DER
 *   (the IdP never trusts the `kid` of a SmartCard assertion: it uses the `x5c` leaf).
 * - `x5c` (SmartCard): the certificate chain, standard base64 DER, leaf first.
 * - Claims: `aud` (the configured `audience`), `iat`, `exp` = `iat` + 300, `iss` = `sub` = the user
 *   name, `nonce` (the outer login JWT's), the server nonce (`request_nonce` or the configured
 *   name), `scope`, and the custom assertion body claims (standard claims win a clash).
 *
 * @module
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { type JwsObject, signCompactJws } from './compact-sign.js';

/** The `typ` of an embedded assertion (extension SDK 14 and later; `JWT` before). */
export const EMBEDDED_ASSERTION_TYP = 'platformsso-login-assertion+jwt';

/** The algorithms an embedded assertion is signed with here. */
export type AssertionAlgorithm = 'ES256' | 'ES384' | 'RS256';

/** The smallest RSA key accepted for a SmartCard assertion. */
export const MIN_RSA_BITS = 2048;

function publicOf(key: KeyObject): KeyObject {
  return key.type === 'private' ? createPublicKey(key) : key;
}

/**
 * The JWS algorithm a key signs with: ES256 for P-256, ES384 for P-384, RS256 for RSA of at least
 * {@link MIN_RSA_BITS} bits.
 *
 * @throws {TypeError} for any other key (another curve, a short RSA key, RSA-PSS, EdDSA).
 * @example
 * ```ts
 * assertionAlgorithm(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey); // 'ES384'
 * ```
 */
export function assertionAlgorithm(key: KeyObject): AssertionAlgorithm {
  const pub = publicOf(key);
  if (pub.asymmetricKeyType === 'ec') {
    const curve = pub.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    throw new TypeError('only P-256 and P-384 EC keys sign an embedded assertion');
  }
  if (pub.asymmetricKeyType === 'rsa') {
    if ((pub.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS)
      throw new TypeError(`an RSA key must have at least ${MIN_RSA_BITS} bits`);
    return 'RS256';
  }
  throw new TypeError('an embedded assertion is signed by an EC (P-256, P-384) or RSA key');
}

/**
 * The `kid` of an assertion key: standard base64 of SHA-256 over the X9.63 point of an EC key;
 * over the SPKI DER of an RSA key (no X9.63 form; a project choice, see the module header).
 *
 * @throws {TypeError} for a key {@link assertionAlgorithm} refuses.
 * @example
 * ```ts
 * assertionKeyId(userKey.publicKey); // 'WMPGy7o9k+Wh7DB3V7oXBPh3QCP4xuTXtMANwfzn6+k='
 * ```
 */
export function assertionKeyId(key: KeyObject): string {
  const alg = assertionAlgorithm(key);
  const pub = publicOf(key);
  if (alg === 'RS256')
    return createHash('sha256')
      .update(pub.export({ format: 'der', type: 'spki' }))
      .digest('base64');
  const { x, y } = pub.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([0x04]),
    Buffer.from(x ?? '', 'base64url'),
    Buffer.from(y ?? '', 'base64url'),
  ]);
  return createHash('sha256').update(point).digest('base64');
}

/** The claims of an embedded assertion (signed or, §3.10, encrypted). */
export interface EmbeddedAssertionClaimsParams {
  /** The user name: `iss` and `sub`. */
  readonly username: string;
  /** `aud`: the configured `audience` (callers default it to the token endpoint's audience form). */
  readonly audience: string;
  /** The outer login JWT's `nonce` (the context UUID). */
  readonly nonce: string;
  /** The server nonce. */
  readonly serverNonce: string;
  /** The claim carrying the server nonce; default `request_nonce`. */
  readonly serverNonceClaimName?: string;
  readonly scope: string;
  /** `customAssertionRequestBodyClaims`: applied first, the standard claims win a clash. */
  readonly customBodyClaims?: Readonly<Record<string, unknown>>;
  /** Current time in seconds since the epoch; default now. */
  readonly now?: number;
}

function required(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0)
    throw new TypeError(`${name} must be a non-empty string`);
}

/**
 * The unsigned claims of an embedded assertion, for a signed one ({@link buildEmbeddedAssertion})
 * or an encrypted one (§3.10 adds `password`).
 *
 * @throws {TypeError} when a required value is missing.
 * @example
 * ```ts
 * const claims = embeddedAssertionClaims({ username, audience, nonce, serverNonce, scope });
 * claims.exp === (claims.iat as number) + 300; // true
 * ```
 */
export function embeddedAssertionClaims(p: EmbeddedAssertionClaimsParams): Record<string, unknown> {
  for (const name of ['username', 'audience', 'nonce', 'serverNonce', 'scope'] as const)
    required(name, p[name]);
  const iat = p.now ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(iat)) throw new TypeError('now must be an integer number of seconds');
  return {
    ...p.customBodyClaims,
    aud: p.audience,
    iat,
    exp: iat + 300,
    iss: p.username,
    sub: p.username,
    nonce: p.nonce,
    [p.serverNonceClaimName || 'request_nonce']: p.serverNonce,
    scope: p.scope,
  };
}

/** Inputs of {@link buildEmbeddedAssertion}. */
export interface EmbeddedAssertionParams extends EmbeddedAssertionClaimsParams {
  /** The user's private key: the Secure Enclave key (P-256) or the SmartCard key. */
  readonly signingKey: KeyObject;
  /** The header `kid`; default {@link assertionKeyId}. */
  readonly kid?: string;
  /** SmartCard: the certificate chain, standard base64 DER, leaf first (the header `x5c`). */
  readonly x5c?: readonly string[];
  /** `customAssertionRequestHeaderClaims`: applied after `typ`, before `alg`/`kid`/`x5c`. */
  readonly customHeaderClaims?: Readonly<Record<string, unknown>>;
}

/**
 * Builds and signs the embedded assertion (compact JWS), `alg` from the key.
 *
 * @throws {TypeError} when a required value is missing or the key is not usable.
 * @example
 * ```ts
 * const assertion = await buildEmbeddedAssertion({
 *   signingKey: keys.userSecureEnclaveKey.privateKey,
 *   username: 'alice@example.com', audience: 'https://idp.example.com/psso/token',
 *   nonce: contextNonce, serverNonce, scope: 'openid offline_access urn:apple:platformsso',
 * });
 * const jwt = await buildLoginJwt({ ...common, embeddedAssertion: assertion });
 * ```
 */
export async function buildEmbeddedAssertion(p: EmbeddedAssertionParams): Promise<string> {
  if (p.signingKey?.type !== 'private') throw new TypeError('signingKey must be a private key');
  const alg = assertionAlgorithm(p.signingKey);
  const header: Record<string, unknown> = {
    typ: EMBEDDED_ASSERTION_TYP,
    ...p.customHeaderClaims,
    alg,
    kid: p.kid ?? assertionKeyId(p.signingKey),
  };
  if (p.x5c !== undefined) {
    if (p.x5c.length === 0 || p.x5c.some((c) => typeof c !== 'string' || c === ''))
      throw new TypeError('x5c must be a non-empty list of base64 certificates');
    header.x5c = [...p.x5c];
  }
  // Written as the Mac writes it: NSJSONSerialization, in this key order (PSSO-PEERS §5).
  return signCompactJws({
    header: header as JwsObject,
    payload: embeddedAssertionClaims(p) as JwsObject,
    key: p.signingKey,
  });
}
