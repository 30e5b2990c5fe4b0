/**
 * What `demo` sets up before it runs the methods (docs/PLATFORM-SSO.md §1): the device registered at
 * each reference IdP, a managed user, and the login configurations — static WS-Trust at IdP 1
 * (SAML 1.1), static WS-Trust at IdP 2 (SAML 2.0), dynamic WS-Trust at IdP 1 — with one method
 * session per IdP, so a refresh follows that IdP's last login.
 *
 * @module
 */
import type { RunningIdp } from '../idp/server.js';
import { openIdpStore } from '../idp/store/index.js';
import { parseLoginConfiguration } from '../psso/config/load.js';
import { resolveLoginConfiguration } from '../psso/config/types.js';
import type { PssoStep } from '../psso/flow/login.js';
import { type DeviceKeys, publicJwk } from '../psso/keys/device-keys.js';
import { type MethodSession, newMethodSession } from '../psso/methods.js';
import type { DemoUser, DemoWorld } from './demo-methods.js';

/** The SAML 2.0 relying party of IdP 2 (its token endpoint's audience). */
export const DEMO_SAML2_URN = 'urn:example:saml2-relying-party';
/** The SAML 1.1 relying party of IdP 1 (the default). */
export const DEMO_SAML11_URN = 'urn:federation:MicrosoftOnline';

/**
 * Registers the device (client `psso`) and, when given, a managed user in an IdP's data folder.
 *
 * @example
 * ```ts
 * await enrolDemoDevice(dataDir, keys, { upn: 'bob@managed.example', password });
 * ```
 */
export async function enrolDemoDevice(
  dir: string,
  keys: DeviceKeys,
  user?: DemoUser,
): Promise<void> {
  const store = openIdpStore(dir);
  try {
    store.devices.add(
      'psso',
      publicJwk(keys.signing.publicKey),
      publicJwk(keys.encryption.publicKey),
    );
    if (user !== undefined) await store.users.add(user.upn, user.password);
  } finally {
    store.close();
  }
}

/** The configuration fields every demo configuration of `idp` shares. */
function baseOf(idp: RunningIdp) {
  return {
    clientID: 'psso',
    issuer: idp.origin,
    tokenEndpointURL: `${idp.origin}/psso/token`,
    jwksEndpointURL: `${idp.origin}/psso/jwks`,
    nonceEndpointURL: `${idp.origin}/psso/nonce`,
    refreshEndpointURL: `${idp.origin}/psso/token`,
    invalidCredentialPredicate:
      "error = 'invalid_grant' AND suberror != 'device_authentication_failed'",
  };
}

/**
 * The demo's {@link DemoWorld} over two running IdPs (IdP 2's relying party is SAML 2.0).
 *
 * @example
 * ```ts
 * const world = demoWorld(idp, idp2, keys, managed, onStep);
 * await DEMO_METHODS[0]?.run(world);
 * ```
 */
export function demoWorld(
  idp: RunningIdp,
  idp2: RunningIdp,
  keys: DeviceKeys,
  managed: DemoUser,
  onStep: (s: PssoStep) => void,
): DemoWorld {
  const resolve = (o: Record<string, unknown>) =>
    resolveLoginConfiguration(parseLoginConfiguration(o));
  const saml11 = resolve({
    ...baseOf(idp),
    federationType: 'wsTrust',
    federationRequestURN: DEMO_SAML11_URN,
    federationMEXURL: idp.mexUrl,
  });
  const saml2 = resolve({
    ...baseOf(idp2),
    federationType: 'wsTrust',
    federationRequestURN: DEMO_SAML2_URN,
    federationMEXURL: idp2.mexUrl,
  });
  const dynamic = resolve({
    ...baseOf(idp),
    federationType: 'dynamicWSTrust',
    federationRequestURN: DEMO_SAML11_URN,
    federationUserPreauthenticationURL: `${idp.origin}/common/UserRealm?api-version=1.0`,
    federationMEXURLKeypath: 'federation_metadata_url',
    federationPredicate: "account_type = 'Federated'",
  });
  const sessions = new Map<string, MethodSession>();
  const ca = new Map([
    [idp.origin, idp.caPem],
    [idp2.origin, idp2.caPem],
  ]);
  const user = (i: RunningIdp): DemoUser => ({
    upn: i.demoUser.upn,
    password: i.demoUser.password ?? '',
  });
  return {
    configs: { saml11, saml2, dynamic },
    users: { federated: user(idp), federated2: user(idp2), managed },
    context(config, u, inputs) {
      const session = sessions.get(config.issuer) ?? newMethodSession();
      sessions.set(config.issuer, session);
      return {
        config,
        keys,
        username: u?.upn ?? '',
        ...(u === undefined ? {} : { password: u.password }),
        ...inputs,
        http: { ca: ca.get(config.issuer) ?? '' },
        onStep,
        session,
      };
    },
  };
}
