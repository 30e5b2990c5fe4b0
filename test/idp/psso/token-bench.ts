/**
 * The token endpoint handler over real stores, for in-process tests: one SQLite database for the
 * devices and server nonces, another for the users and refresh tokens (so a test can close one and
 * keep the request reaching the grant), a memory replay cache, and helpers that build the login
 * and refresh request forms a Mac sends.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { idTokenKey } from '../../../packages/idp/src/psso/keys.ts';
import { ServerNonces } from '../../../packages/idp/src/psso/server-nonce.ts';
import type { TokenAnswer, TokenEndpointDeps } from '../../../packages/idp/src/psso/token.ts';
import { handleTokenRequest } from '../../../packages/idp/src/psso/token.ts';
import { issueAssertion } from '../../../packages/idp/src/saml/index.ts';
import { MemoryReplayCache } from '../../../packages/idp/src/state/memory/replay.ts';
import { consumedNonces } from '../../../packages/idp/src/state/nonces.ts';
import type { PasswordHasher } from '../../../packages/idp/src/state/password.ts';
import type { IdpDatabase } from '../../../packages/idp/src/state/sqlite/database.ts';
import {
  openSqliteBackend,
  type SqliteBackendOptions,
} from '../../../packages/idp/src/state/sqlite/index.ts';
import type { ReplayCache } from '../../../packages/idp/src/state/types.ts';
import {
  buildLoginJwt,
  buildRefreshJwt,
} from '../../../packages/psso-wstrust/src/jose/login-jwt.ts';
import { decryptLoginResponse } from '../../../packages/psso-wstrust/src/jose/login-response.ts';
import { loginApv } from '../../../packages/psso-wstrust/src/jose/party-info.ts';
import {
  type DeviceKeys,
  generateDeviceKeys,
  publicJwk,
} from '../../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { tempDataDir } from '../../e2e/support.ts';
import { storePasswordCheck } from '../../helpers/password-check.ts';
import { testSigningMaterial } from '../../helpers/signing.ts';

export const ORIGIN = 'https://idp.test';
export const ENDPOINT = `${ORIGIN}/psso/token`;
export const ISSUER = `${ORIGIN}/adfs/services/trust`;
export const URN = 'urn:federation:MicrosoftOnline';
export const BOB = { upn: 'bob@managed.example', password: 'bob password' };
export const ALICE = 'alice@federated.example';

/** Not a password hash: keeps the tests fast (scrypt is what the IdP uses). */
const FAST_HASHER: PasswordHasher = {
  hash: async (p) => `plain:${p}`,
  verify: async (stored, p) => stored === `plain:${p}`,
  dummyHash: 'plain:\u0000',
};

/** The durable stores of one SQLite database, the database, and a synchronous close. */
export type BenchStore = ReturnType<typeof openSqliteBackend>['durable'] & {
  readonly database: IdpDatabase;
  close(): void;
};

/** A SQLite backend in a fresh data folder, as a {@link BenchStore}. */
export function benchStore(options: SqliteBackendOptions = {}): BenchStore {
  const backend = openSqliteBackend(tempDataDir(), options);
  return {
    ...backend.durable,
    database: backend.database,
    close: () => backend.database.close(),
  };
}

export interface Bench {
  /** Devices and server nonces. */
  readonly core: BenchStore;
  /** Users and refresh tokens. */
  readonly accounts: BenchStore;
  readonly deps: TokenEndpointDeps;
  readonly device: DeviceKeys;
  /** A second registered device (same client id). */
  readonly other: DeviceKeys;
  close(): void;
}

/** Opens the stores, registers two devices, a managed user (bob) and a federated one (alice). */
export async function openBench(
  o: { replay?: ReplayCache; clock?: () => Date } = {},
): Promise<Bench> {
  const clock = o.clock ?? (() => new Date());
  const core = benchStore();
  const accounts = benchStore({ hasher: FAST_HASHER, now: () => clock().getTime() });
  const device = generateDeviceKeys();
  const other = generateDeviceKeys();
  for (const d of [device, other])
    await core.devices.add(
      'psso',
      publicJwk(d.signing.publicKey),
      publicJwk(d.encryption.publicKey),
    );
  await accounts.users.add(BOB.upn, BOB.password);
  await accounts.users.add(ALICE, 'unused');
  const signing = await testSigningMaterial();
  const replay = o.replay ?? new MemoryReplayCache();
  const nonces = new ServerNonces({
    key: randomBytes(32),
    consumed: consumedNonces(replay),
    clock,
  });
  const deps: TokenEndpointDeps = {
    device: (kid) => core.devices.get(kid),
    nonces,
    user: (upn) => accounts.users.get(upn),
    passwords: storePasswordCheck(accounts.users, { clock }),
    isFederated: (upn) => upn.endsWith('@federated.example'),
    replay,
    refreshTokens: accounts.refreshTokens,
    idTokenKey: await idTokenKey(signing.privateKey),
    saml: {
      trustedCertificates: [signing.certificatePem],
      trustedIssuers: () => [ISSUER],
      audience: URN,
    },
    issuer: () => ORIGIN,
    endpoint: () => ENDPOINT,
    clock,
    skewSeconds: 120,
  };
  return {
    core,
    accounts,
    deps,
    device,
    other,
    close() {
      core.close();
      accounts.close();
    },
  };
}

/** A signed SAML 1.1 assertion for alice, as the IdP's STS issues it. */
export async function aliceAssertion(now = new Date()): Promise<string> {
  return issueAssertion(
    {
      samlVersion: '1.1',
      id: `_${randomUUID()}`,
      issuer: ISSUER,
      issueInstant: now,
      notBefore: now,
      notOnOrAfter: new Date(now.getTime() + 3600_000),
      audience: URN,
      subject: ALICE,
      attributes: [],
      authnInstant: now,
    },
    await testSigningMaterial(),
  );
}

/** A request as a Mac sends it, with its context nonce (for decrypting the answer). */
export interface Request {
  readonly form: Record<string, string>;
  readonly contextNonce: string;
  readonly device: DeviceKeys;
}

type Grant =
  | { readonly password: string; readonly username?: string }
  | { readonly saml: string }
  | { readonly refreshToken: string };

/** A login or refresh request form from `device` (default the bench's first device). */
export async function requestForm(b: Bench, grant: Grant, device = b.device): Promise<Request> {
  const contextNonce = randomUUID().toUpperCase();
  const common = {
    signingKey: device.signing.privateKey,
    encryptionPublicKey: device.encryption.publicKey,
    clientId: 'psso',
    nonce: contextNonce,
    serverNonce: b.core.database.isOpen ? b.deps.nonces.issue() : 'no-nonce',
    scope: 'openid offline_access urn:apple:platformsso',
    now: Math.floor(b.deps.clock().getTime() / 1000),
  };
  const jwt =
    'refreshToken' in grant
      ? await buildRefreshJwt({
          ...common,
          refreshEndpoint: ENDPOINT,
          refreshToken: grant.refreshToken,
        })
      : await buildLoginJwt({
          ...common,
          tokenEndpoint: ENDPOINT,
          ...('saml' in grant
            ? { username: ALICE, samlAssertion: { xml: grant.saml, version: '1.1' as const } }
            : { username: grant.username ?? BOB.upn, password: grant.password }),
        });
  return {
    form: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt },
    contextNonce,
    device,
  };
}

/** Sends the request to the handler. */
export function send(b: Bench, r: Request): Promise<TokenAnswer> {
  return handleTokenRequest(r.form, b.deps);
}

/** The refresh token of a 200 answer. */
export async function refreshTokenOf(r: Request, a: TokenAnswer): Promise<string> {
  if (a.status !== 200) throw new Error(`expected 200, got ${a.status} ${a.outcome} ${a.body}`);
  const response = await decryptLoginResponse(a.body, {
    encryptionPrivateKey: r.device.encryption.privateKey,
    apv: loginApv(r.device.encryption.publicKey, r.contextNonce).base64url,
  });
  return response.refreshToken;
}
