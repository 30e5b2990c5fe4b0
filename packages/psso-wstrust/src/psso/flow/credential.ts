/**
 * Which credential a login JWT carries, chosen from the configuration's `authenticationMethod` as
 * macOS chooses it (docs/PLATFORM-SSO.md §3.4, §3.9): `password` → the `password` claim (or, federated,
 * a SAML assertion, chosen by the flow); `userSecureEnclaveKey` → an embedded assertion signed by
 * the user's Secure Enclave key, no password; `smartCard` → an embedded assertion signed by the
 * SmartCard key with its chain in `x5c`, no password.
 *
 * @module
 */
import { ConfigError } from '../../errors.js';
import { buildEmbeddedAssertion } from '../../jose/embedded-assertion.js';
import { audienceOf } from '../../jose/login-jwt.js';
import type { SamlVersion } from '../../protocol/grant-types.js';
import type { AuthenticationMethod, ResolvedLoginConfiguration } from '../config/types.js';
import type { DeviceKeys } from '../keys/device-keys.js';
import type { SmartCardCredential } from '../keys/smartcard.js';
import { assertionClaimOptions, passwordCredential } from './encrypted-password.js';

/** The credential part of a login JWT's inputs (`buildLoginJwt`). */
export type LoginCredential =
  | { readonly password: string }
  | { readonly samlAssertion: { readonly xml: string; readonly version: SamlVersion } }
  | { readonly embeddedAssertion: string };

/** What {@link loginCredential} needs. */
export interface CredentialInputs {
  readonly username: string;
  /** Needed by the `password` method only. */
  readonly password?: string | undefined;
  readonly keys: DeviceKeys;
  /** Needed by the `smartCard` method only. */
  readonly smartCard?: SmartCardCredential | undefined;
  /** The login JWT's `nonce` (context UUID). */
  readonly contextNonce: string;
  readonly serverNonce: string;
  readonly scope: string;
  /** Seconds since the epoch; default now. */
  readonly now?: number;
}

/**
 * The configured method (`password` when unset).
 *
 * @example
 * ```ts
 * if (authenticationMethodOf(config) === 'password') await readPassword();
 * ```
 */
export function authenticationMethodOf(config: ResolvedLoginConfiguration): AuthenticationMethod {
  return config.authenticationMethod ?? 'password';
}

/**
 * The credential of a non-federated login: the password, or an embedded assertion built and
 * signed now (audience: `config.audience`, else the token endpoint's audience form).
 *
 * @throws {TypeError} when the method's input is missing (a password, a SmartCard).
 * @throws {ConfigError} `PSSO_ERR_KEYS_FILE` when the key file has no user Secure Enclave key.
 * @example
 * ```ts
 * const credential = await loginCredential(config, { username, keys, contextNonce, serverNonce, scope });
 * const jwt = await buildLoginJwt({ ...common, ...credential });
 * ```
 */
export async function loginCredential(
  config: ResolvedLoginConfiguration,
  i: CredentialInputs,
): Promise<LoginCredential> {
  const method = authenticationMethodOf(config);
  if (method === 'password') {
    if (typeof i.password !== 'string') throw new TypeError('a password is required');
    // §3.10: with loginRequestEncryptionPublicKey, the password goes in an encrypted assertion.
    return passwordCredential(config, {
      username: i.username,
      password: i.password,
      nonce: i.contextNonce,
      serverNonce: i.serverNonce,
      scope: i.scope,
      ...(i.now === undefined ? {} : { now: i.now }),
    });
  }
  let signing: { privateKey: import('node:crypto').KeyObject; x5c?: readonly string[] };
  if (method === 'userSecureEnclaveKey') {
    const key = i.keys.userSecureEnclaveKey;
    if (key === undefined)
      throw new ConfigError(
        'PSSO_ERR_KEYS_FILE',
        'the device key file has no user Secure Enclave key: add one and register it (psso user-key register)',
      );
    signing = { privateKey: key.privateKey };
  } else {
    if (i.smartCard === undefined)
      throw new TypeError('a SmartCard (key and certificate) is required by this configuration');
    signing = { privateKey: i.smartCard.privateKey, x5c: i.smartCard.certificates };
  }
  const embeddedAssertion = await buildEmbeddedAssertion({
    signingKey: signing.privateKey,
    ...(signing.x5c === undefined ? {} : { x5c: signing.x5c }),
    username: i.username,
    audience: config.audience ?? audienceOf(config.tokenEndpointURL),
    nonce: i.contextNonce,
    serverNonce: i.serverNonce,
    serverNonceClaimName: config.serverNonceClaimName,
    scope: i.scope,
    ...assertionClaimOptions(config),
    ...(i.now === undefined ? {} : { now: i.now }),
  });
  return { embeddedAssertion };
}
