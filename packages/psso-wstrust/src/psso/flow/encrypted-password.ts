/**
 * How a (non-federated) password login carries the password, chosen from the configuration as
 * macOS does (docs/PLATFORM-SSO.md §3.2 loginType 0, §3.10): with `loginRequestEncryptionPublicKey`
 * set, inside an encrypted embedded assertion (`assertion`, grant_type jwt-bearer); otherwise in
 * the login JWT's `password` claim.
 *
 * @module
 */
import { loginRequestEncryptionKey } from '../../jose/embedded-apv.js';
import { buildEncryptedAssertion } from '../../jose/encrypted-assertion.js';
import type { JsonObject, ResolvedLoginConfiguration } from '../config/types.js';

/** The login context the encrypted assertion is bound to. */
export interface PasswordCredentialContext {
  readonly username: string;
  readonly password: string;
  /** The outer login JWT's context nonce. */
  readonly nonce: string;
  readonly serverNonce: string;
  /** The outer login JWT's scope. */
  readonly scope: string;
  /** Seconds since the epoch; default now. */
  readonly now?: number;
}

/**
 * The password credential for `buildLoginJwt`: `{ embeddedAssertion }` when the configuration has
 * `loginRequestEncryptionPublicKey`, else `{ password }`.
 *
 * @throws {TypeError} when the configured key is not a public P-256 JWK (a configuration loaded
 *   with `parseLoginConfiguration` was already checked).
 * @example
 * ```ts
 * const credential = await passwordCredential(config, {
 *   username, password, nonce: contextNonce, serverNonce, scope,
 * });
 * const jwt = await buildLoginJwt({ ...common, username, ...credential });
 * ```
 */
export async function passwordCredential(
  config: ResolvedLoginConfiguration,
  c: PasswordCredentialContext,
): Promise<{ password: string } | { embeddedAssertion: string }> {
  const jwk = config.loginRequestEncryptionPublicKey;
  if (jwk === undefined) return { password: c.password };
  let encryptionKey: ReturnType<typeof loginRequestEncryptionKey>;
  try {
    encryptionKey = loginRequestEncryptionKey(jwk);
  } catch (e) {
    throw new TypeError(`loginRequestEncryptionPublicKey ${(e as Error).message}`);
  }
  const embeddedAssertion = await buildEncryptedAssertion({
    encryptionKey,
    ...(config.loginRequestEncryptionAPVPrefix === undefined
      ? {}
      : { apvPrefix: config.loginRequestEncryptionAPVPrefix }),
    username: c.username,
    password: c.password,
    nonce: c.nonce,
    serverNonce: c.serverNonce,
    serverNonceClaimName: config.serverNonceClaimName,
    scope: c.scope,
    ...(config.audience === undefined ? {} : { audience: config.audience }),
    tokenEndpoint: config.tokenEndpointURL,
    ...assertionClaimOptions(config),
    ...(c.now === undefined ? {} : { now: c.now }),
  });
  return { embeddedAssertion };
}

/**
 * The configuration's custom embedded-assertion claims (header and body) as builder options, for
 * the signed (§3.9) and the encrypted (§3.10) assertion alike.
 *
 * @example
 * ```ts
 * await buildEncryptedAssertion({ ...params, ...assertionClaimOptions(config) });
 * ```
 */
export function assertionClaimOptions(config: ResolvedLoginConfiguration): {
  customHeaderClaims?: JsonObject;
  customBodyClaims?: JsonObject;
} {
  const header = config.customAssertionRequestHeaderClaims;
  const body = config.customAssertionRequestBodyClaims;
  return {
    ...(header === undefined ? {} : { customHeaderClaims: header }),
    ...(body === undefined ? {} : { customBodyClaims: body }),
  };
}
