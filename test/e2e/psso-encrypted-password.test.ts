/**
 * The encrypted password (docs/PLATFORM-SSO.md §3.10) end to end: a real IdP publishes its login
 * request encryption key in /psso/jwks (`use` `enc`); the client takes it from there as
 * `loginRequestEncryptionPublicKey` and logs in with the password inside an encrypted embedded
 * assertion; wrong passwords sent that way count toward the same lockout as plain ones.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { LoginError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import { buildLoginJwt } from '../../packages/psso-wstrust/src/jose/login-jwt.ts';
import { parseLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/types.ts';
import { pssoLogin } from '../../packages/psso-wstrust/src/psso/flow/login.ts';
import { generateDeviceKeys } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { tokenRequest } from './logins.ts';
import {
  CONFIG,
  enrol,
  serverNonceFrom,
  startTestIdp,
  type TestIdp,
  tempDataDir,
} from './support.ts';

const keys = generateDeviceKeys();
const PASSWORD = 'erin password';
const ERIN = 'erin@managed.example';
const HANK = 'hank@managed.example';
let idp: TestIdp;

before(async () => {
  const dataDir = tempDataDir();
  await enrol(dataDir, keys, { upn: ERIN, password: PASSWORD });
  await enrol(dataDir, keys, { upn: HANK, password: PASSWORD });
  idp = await startTestIdp({
    dataDir,
    config: {
      ...CONFIG,
      lockout: { threshold: 5, windowSeconds: 600, lockoutSeconds: 1800, familiarDays: 14 },
      credentialCacheSeconds: 0,
    },
  });
});
after(async () => {
  await idp.close();
  await closeHttpAgents();
});

async function jwks(): Promise<{ keys: Record<string, unknown>[] }> {
  const r = await httpRequest({ method: 'GET', url: `${idp.origin}/psso/jwks` }, { ca: idp.caPem });
  assert.equal(r.status, 200);
  return JSON.parse(Buffer.from(r.body).toString());
}

/** The configuration a client derives from the IdP, its encryption key taken from the JWKS. */
async function config(key?: Record<string, unknown>) {
  const enc = key ?? (await jwks()).keys.find((k) => k.use === 'enc');
  assert.ok(enc !== undefined, 'the JWKS publishes a use: enc key');
  return resolveLoginConfiguration(
    parseLoginConfiguration({
      clientID: 'psso',
      issuer: idp.origin,
      tokenEndpointURL: `${idp.origin}/psso/token`,
      jwksEndpointURL: `${idp.origin}/psso/jwks`,
      nonceEndpointURL: `${idp.origin}/psso/nonce`,
      loginRequestEncryptionPublicKey: enc,
    }),
  );
}

function login(username: string, password: string, c: Awaited<ReturnType<typeof config>>) {
  return pssoLogin({ config: c, username, password, keys, http: { ca: idp.caPem } });
}

function faults(label: string): number {
  const m = new RegExp(`psso_idp_faults_total\\{reason="${label}"\\} (\\d+)`).exec(
    idp.metrics.render(),
  );
  return Number(m?.[1] ?? 0);
}

async function refusedLogin(p: Promise<unknown>): Promise<LoginError> {
  const e = await p.then(
    () => assert.fail('the login succeeded'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof LoginError, String(e));
  return e;
}

describe('encrypted password login against the reference IdP', () => {
  test('JWKS: the signing key and a separate ECDH-ES encryption key', async () => {
    const set = await jwks();
    assert.equal(set.keys.length, 2);
    const [sig, enc] = set.keys;
    assert.equal(sig?.use, 'sig');
    assert.deepEqual(
      { kty: enc?.kty, crv: enc?.crv, use: enc?.use, alg: enc?.alg, d: enc?.d },
      { kty: 'EC', crv: 'P-256', use: 'enc', alg: 'ECDH-ES', d: undefined },
    );
    assert.notEqual(enc?.kid, sig?.kid);
  });

  test('a login with the password encrypted to the key from /psso/jwks', async () => {
    const before = faults('psso-encrypted-assertion-apv-key');
    const r = await login(ERIN, PASSWORD, await config());
    assert.equal(r.idTokenClaims.sub, ERIN);
    assert.equal(faults('psso-encrypted-assertion-apv-key'), before);
  });

  test('encrypted to a key that is not the IdP’s: refused as a request failure (apv-key), not a bad password', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const before = faults('psso-encrypted-assertion-apv-key');
    const e = await refusedLogin(
      login(ERIN, PASSWORD, await config(stranger.export({ format: 'jwk' }) as never)),
    );
    assert.equal(e.status, 401);
    assert.equal(e.suberror, 'device_authentication_failed');
    assert.equal(faults('psso-encrypted-assertion-apv-key') - before, 1);
  });

  test('lockout: five wrong encrypted passwords lock the account for the plain password grant too', async () => {
    const c = await config();
    const bad = faults('psso-bad-credentials');
    for (let i = 0; i < 5; i++) {
      const e = await refusedLogin(login(HANK, `guess-${i}`, c));
      assert.equal(e.status, 401);
      assert.equal(e.suberror, undefined, 'a wrong password is a credential failure');
    }
    assert.equal(faults('psso-bad-credentials') - bad, 5, 'counted like plain password logins');
    const locked = faults('psso-locked-out');
    await refusedLogin(login(HANK, PASSWORD, c));
    const jwt = await buildLoginJwt({
      signingKey: keys.signing.privateKey,
      encryptionPublicKey: keys.encryption.publicKey,
      clientId: 'psso',
      username: HANK,
      password: PASSWORD,
      tokenEndpoint: `${idp.origin}/psso/token`,
      nonce: randomUUID().toUpperCase(),
      serverNonce: await serverNonceFrom(idp),
      scope: 'openid offline_access urn:apple:platformsso',
    });
    const plain = await tokenRequest(idp, jwt, { ca: idp.caPem });
    assert.equal(plain.status, 401);
    assert.equal(faults('psso-locked-out') - locked, 2, 'locked for both paths');
  });
});
