/**
 * What `demo` sets up before it runs the methods (docs/PLATFORM-SSO.md §1): the device registered at
 * each reference IdP, a managed user, and the login configurations — static WS-Trust at IdP 1
 * (SAML 1.1), static WS-Trust at IdP 2 (SAML 2.0), dynamic WS-Trust at IdP 1 — with one method
 * session per IdP, so a refresh follows that IdP's last login.
 *
 * @module
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PssoStep, SmartCardCredential } from 'psso-wstrust/psso';
import {
  type DeviceKeys,
  generateDeviceKeys,
  generateUserSecureEnclaveKey,
  type MethodSession,
  newMethodSession,
  parseLoginConfiguration,
  publicJwk,
  resolveLoginConfiguration,
} from 'psso-wstrust/psso';
import type { RunningIdp } from 'psso-wstrust-idp';
import { openIdpState } from 'psso-wstrust-idp';
import type { DemoUser, DemoWorld } from './demo-methods.js';
import { demoSmartCard } from './demo-smartcard.js';

/** What the key-based methods need beyond the device: set up at IdP 1 by {@link enrolDemoExtras}. */
export interface DemoExtras {
  /** The device keys with the managed user's Secure Enclave key stand-in added. */
  readonly keys: DeviceKeys;
  /** A second device whose responses are HPKE (P-256 suite). */
  readonly hpkeKeys: DeviceKeys;
  /** The managed user's SmartCard (its CA trusted at IdP 1). */
  readonly smartCard: SmartCardCredential;
  /** IdP 1's login request encryption key (public JWK), as `/psso/jwks` publishes it. */
  readonly loginEncryptionKey: Record<string, string>;
}

/**
 * Registers at IdP 1 what the key methods need: the managed user's Secure Enclave key, a SmartCard
 * CA, and an HPKE device; reads the IdP's login request encryption key.
 *
 * @example
 * ```ts
 * const extras = await enrolDemoExtras(dir1, keys, managed);
 * ```
 */
export async function enrolDemoExtras(
  dir: string,
  keys: DeviceKeys,
  managed: DemoUser,
): Promise<DemoExtras> {
  const userSecureEnclaveKey = generateUserSecureEnclaveKey();
  const hpkeKeys = generateDeviceKeys({ hpkeSuite: 'HPKE-P256-SHA256-A256GCM' });
  const { caPem, card } = await demoSmartCard(managed.upn);
  const state = await openIdpState({ dataDir: dir });
  try {
    await state.userKeys.add(managed.upn, publicJwk(userSecureEnclaveKey.publicKey));
    await state.smartCardCas.add(caPem);
    const hpke = hpkeKeys.hpkeEncryption;
    if (hpke === undefined) throw new TypeError('no HPKE key was generated');
    await state.devices.add(
      'psso',
      publicJwk(hpkeKeys.signing.publicKey),
      hpke.publicJwk,
      hpke.alg,
    );
  } finally {
    await state.close();
  }
  const pem = readFileSync(join(dir, 'login-encryption-key.pem'), 'utf8');
  const { kty, crv, x, y } = createPublicKey(createPrivateKey(pem)).export({ format: 'jwk' });
  return {
    keys: { ...keys, userSecureEnclaveKey },
    hpkeKeys,
    smartCard: card,
    loginEncryptionKey: { kty: kty ?? 'EC', crv: crv ?? 'P-256', x: x ?? '', y: y ?? '' },
  };
}

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
  const state = await openIdpState({ dataDir: dir });
  try {
    await state.devices.add(
      'psso',
      publicJwk(keys.signing.publicKey),
      publicJwk(keys.encryption.publicKey),
    );
    if (user !== undefined) await state.users.add(user.upn, user.password);
  } finally {
    await state.close();
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
  extras: DemoExtras,
  managed: DemoUser,
  onStep: (s: PssoStep) => void,
): DemoWorld {
  const { keys } = extras;
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
  const managedConfig = resolve(baseOf(idp));
  const encrypted = resolve({
    ...baseOf(idp),
    loginRequestEncryptionPublicKey: extras.loginEncryptionKey,
  });
  const enclave = resolve({ ...baseOf(idp), authenticationMethod: 'userSecureEnclaveKey' });
  const smartcard = resolve({ ...baseOf(idp), authenticationMethod: 'smartCard' });
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
    configs: { saml11, saml2, dynamic, managed: managedConfig, encrypted, enclave, smartcard },
    hpkeKeys: extras.hpkeKeys,
    smartCard: extras.smartCard,
    users: { federated: user(idp), federated2: user(idp2), managed },
    context(config, u, inputs, deviceKeys = keys) {
      // One session per IdP and device: a refresh token is bound to the device it was issued to.
      const id = `${config.issuer} ${deviceKeys.signing.kid}`;
      const session = sessions.get(id) ?? newMethodSession();
      sessions.set(id, session);
      return {
        config,
        keys: deviceKeys,
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
