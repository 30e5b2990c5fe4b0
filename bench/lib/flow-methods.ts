/**
 * The login methods `bench:flow` times, one runner each, built on the shared methods table
 * (`src/psso/methods.ts`, docs/PLATFORM-SSO.md §1, §3.6–§3.8). A new method is one entry in
 * {@link benchMethods}: the shared method and the configuration and user it runs with.
 */
import type { DemoExtras } from '../../packages/cli/src/demo-world.ts';
import {
  loginConfigurationToJSON,
  parseLoginConfiguration,
} from '../../packages/psso-wstrust/src/psso/config/load.ts';
import {
  type ResolvedLoginConfiguration,
  resolveLoginConfiguration,
} from '../../packages/psso-wstrust/src/psso/config/types.ts';
import type { DeviceKeys } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import {
  FEDERATED_METHOD,
  type MethodInputs,
  type MethodSession,
  newMethodSession,
  PASSWORD_METHOD,
  type PssoMethod,
  REFRESH_METHOD,
} from '../../packages/psso-wstrust/src/psso/methods.ts';
import {
  ENCRYPTED_PASSWORD_METHOD,
  HPKE_METHOD,
  KEY_EXCHANGE_METHOD,
  KEY_REQUEST_METHOD,
  SECURE_ENCLAVE_METHOD,
  SMARTCARD_METHOD,
} from '../../packages/psso-wstrust/src/psso/methods-keys.ts';

/** One IdP the bench started: its configurations, CA and users. */
export interface BenchIdp {
  readonly ca: string;
  readonly configs: {
    readonly federated: ResolvedLoginConfiguration;
    readonly managed: ResolvedLoginConfiguration;
  };
  readonly federatedUser: { readonly upn: string; readonly password: string };
  readonly managedUser?: { readonly upn: string; readonly password: string };
}

/** A timed runner: one call is one operation. */
export interface BenchMethod {
  readonly name: string;
  readonly method: PssoMethod;
  readonly once: () => Promise<void>;
}

/**
 * The runner of `method` with this configuration, user, session and extra credentials (a user
 * key…); throws when it fails.
 */
function runner(
  name: string,
  method: PssoMethod,
  idp: BenchIdp,
  config: ResolvedLoginConfiguration,
  keys: DeviceKeys,
  session: MethodSession,
  user?: { readonly upn: string; readonly password: string },
  inputs: MethodInputs = {},
): BenchMethod {
  const ctx = {
    config,
    keys,
    username: user?.upn ?? '',
    ...(user === undefined ? {} : { password: user.password }),
    ...inputs,
    http: { ca: idp.ca },
    session,
  };
  return {
    name,
    method,
    once: async () => {
      const why = method.unavailable(ctx);
      if (why !== undefined) throw new Error(`${name}: ${why}`);
      const r = await method.run(ctx);
      if (r.skippedBecause !== undefined) throw new Error(`${name}: ${r.skippedBecause}`);
    },
  };
}

/**
 * The runners, in order: refresh comes after a login of IdP 1 (its session holds the token).
 *
 * @example
 * ```ts
 * for (const m of benchMethods(idp1, idp2, keys)) await m.once();
 * ```
 */
export function benchMethods(saml11: BenchIdp, saml2: BenchIdp, extras: DemoExtras): BenchMethod[] {
  const { keys } = extras;
  const s1 = newMethodSession();
  const s2 = newMethodSession();
  const s3 = newMethodSession();
  const managed = saml11.configs.managed;
  const variant = (fields: Record<string, unknown>) =>
    resolveLoginConfiguration(
      parseLoginConfiguration({ ...loginConfigurationToJSON(managed), ...fields }),
    );
  const user = saml11.managedUser;
  return [
    runner(
      'password (managed)',
      PASSWORD_METHOD,
      saml11,
      saml11.configs.managed,
      keys,
      s1,
      saml11.managedUser,
    ),
    runner(
      'federated SAML 1.1',
      FEDERATED_METHOD,
      saml11,
      saml11.configs.federated,
      keys,
      s1,
      saml11.federatedUser,
    ),
    runner(
      'federated SAML 2.0',
      FEDERATED_METHOD,
      saml2,
      saml2.configs.federated,
      keys,
      s2,
      saml2.federatedUser,
    ),
    runner(
      'encrypted password',
      ENCRYPTED_PASSWORD_METHOD,
      saml11,
      variant({ loginRequestEncryptionPublicKey: extras.loginEncryptionKey }),
      keys,
      s1,
      user,
    ),
    runner(
      'Secure Enclave key',
      SECURE_ENCLAVE_METHOD,
      saml11,
      variant({ authenticationMethod: 'userSecureEnclaveKey' }),
      keys,
      s1,
      user,
    ),
    runner(
      'SmartCard',
      SMARTCARD_METHOD,
      saml11,
      variant({ authenticationMethod: 'smartCard' }),
      keys,
      s1,
      user,
      { smartCard: extras.smartCard },
    ),
    runner('HPKE login', HPKE_METHOD, saml11, managed, extras.hpkeKeys, s3, user),
    runner('refresh', REFRESH_METHOD, saml11, saml11.configs.federated, keys, s1),
    runner('key request', KEY_REQUEST_METHOD, saml11, managed, keys, s1, user),
    runner('key exchange', KEY_EXCHANGE_METHOD, saml11, managed, keys, s1, user),
  ];
}
