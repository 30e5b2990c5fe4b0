/**
 * One lockout for every password-bearing method (the STS and the token endpoint's password grant),
 * canonical usernames, smart lockout by source address, and honest "busy" answers, end to end over
 * loopback (127.0.0.1 and 127.0.0.2).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Agent } from 'undici';
import { WsTrustFaultError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import { buildLoginJwt } from '../../packages/psso-wstrust/src/jose/login-jwt.ts';
import { generateDeviceKeys } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { buildRequestSecurityToken } from '../../packages/psso-wstrust/src/wstrust/rst.ts';
import { boundAgent } from '../helpers/bound-agent.ts';
import { stsLogin, tokenRequest } from './logins.ts';
import {
  CONFIG,
  endpointOf,
  enrol,
  serverNonceFrom,
  startTestIdp,
  type TestIdp,
  tempDataDir,
  URN,
} from './support.ts';

const SCOPE = 'openid offline_access urn:apple:platformsso';
const NFC_DOMAIN = 'bücher.example';
const keys = generateDeviceKeys();
const PASSWORD = 'the right one';
/** A federated user on a non-ASCII domain, and managed users, one per test. */
const EVE = `eve@${NFC_DOMAIN}`;
const MANAGED = ['carol', 'dan', 'frank', 'grace'].map((n) => `${n}@managed.example`);

let idp: TestIdp;
const agents: Agent[] = [];
/** An https client whose connections leave from `address` (a loopback address of this host). */
function from(address: string): Agent {
  const agent = boundAgent({ localAddress: address, ca: idp.caPem });
  agents.push(agent);
  return agent;
}

before(async () => {
  const dataDir = tempDataDir();
  await enrol(dataDir, keys);
  const { openIdpState } = await import('../../packages/idp/src/state/open.ts');
  const store = await openIdpState({ dataDir: dataDir });
  for (const upn of [EVE, ...MANAGED]) await store.users.add(upn, PASSWORD);
  await store.close();
  idp = await startTestIdp({
    dataDir,
    config: {
      ...CONFIG,
      federatedDomains: ['federated.example', NFC_DOMAIN],
      lockout: { threshold: 5, windowSeconds: 600, lockoutSeconds: 1800, familiarDays: 14 },
      credentialCacheSeconds: 0,
    },
  });
});
after(async () => {
  await idp.close();
  await Promise.all(agents.map((a) => a.close()));
  await closeHttpAgents();
});

/** A password grant at /psso/token. */
async function passwordGrant(username: string, password: string, agent?: Agent) {
  const jwt = await buildLoginJwt({
    signingKey: keys.signing.privateKey,
    encryptionPublicKey: keys.encryption.publicKey,
    clientId: 'psso',
    username,
    password,
    tokenEndpoint: `${idp.origin}/psso/token`,
    nonce: randomUUID().toUpperCase(),
    serverNonce: await serverNonceFrom(idp),
    scope: SCOPE,
  });
  return tokenRequest(idp, jwt, agent === undefined ? { ca: idp.caPem } : { dispatcher: agent });
}

/** A WS-Trust 1.3 login at the STS: 'ok' or the fault. */
async function sts(username: string, password: string, agent?: Agent) {
  try {
    await stsLogin(idp, {
      username,
      password,
      http: agent === undefined ? { ca: idp.caPem } : { dispatcher: agent },
    });
    return 'ok';
  } catch (e) {
    if (e instanceof WsTrustFaultError) return e;
    throw e;
  }
}

function faults(label: string): number {
  const m = new RegExp(`psso_idp_faults_total\\{reason="${label}"\\} (\\d+)`).exec(
    idp.metrics.render(),
  );
  return Number(m?.[1] ?? 0);
}

function wrongPassword(r: { status: number; text: string }): void {
  assert.equal(r.status, 401, r.text);
  assert.deepEqual(JSON.parse(r.text), {
    error: 'invalid_grant',
    error_description: 'The credentials were refused.',
  });
}

describe('one lockout for every password-bearing method', () => {
  test('password grant: 30 wrong guesses lock the account like the STS', async () => {
    const carol = MANAGED[0] as string;
    const before = faults('psso-bad-credentials');
    for (let i = 0; i < 30; i++) wrongPassword(await passwordGrant(carol, `guess-${i}`));
    // Five counted; the 25 after them met the lock (same answer, same cost).
    assert.equal(faults('psso-bad-credentials') - before, 5);
    assert.equal(faults('psso-locked-out') >= 25, true);
    wrongPassword(await passwordGrant(carol, PASSWORD));
    const fault = await sts(carol, PASSWORD);
    assert.ok(fault instanceof WsTrustFaultError, 'locked at the STS too');
    assert.equal(fault.code, 'PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION');
  });

  test('locked at the STS, refused at the token endpoint', async () => {
    const dan = MANAGED[1] as string;
    for (let i = 0; i < 5; i++) assert.ok((await sts(dan, `guess-${i}`)) instanceof Error);
    const lockedBefore = faults('psso-locked-out');
    wrongPassword(await passwordGrant(dan, PASSWORD));
    wrongPassword(await passwordGrant(dan.toUpperCase(), PASSWORD));
    assert.equal(faults('psso-locked-out') - lockedBefore, 2);
  });

  test('NFD spelling of a federated domain: the password grant refuses it as federated, and a locked user stays locked', async () => {
    const nfd = EVE.normalize('NFD');
    assert.notEqual(nfd, EVE);
    const before = faults('psso-password-for-federated-user');
    for (const spelling of [EVE, nfd, 'EVE@XN--BCHER-KVA.example'])
      wrongPassword(await passwordGrant(spelling, PASSWORD));
    assert.equal(faults('psso-password-for-federated-user') - before, 3);
    // Locked at the STS under one spelling, locked under every other.
    for (let i = 0; i < 5; i++) await sts(EVE, `guess-${i}`);
    for (const spelling of [nfd, 'eve@xn--bcher-kva.example', EVE.toUpperCase()]) {
      const r = await sts(spelling, PASSWORD);
      assert.ok(r instanceof WsTrustFaultError, spelling);
    }
  });

  test('smart lockout: a flood from 127.0.0.1 does not lock the user out of 127.0.0.2 where they logged in before', async () => {
    const frank = MANAGED[2] as string;
    const home = from('127.0.0.2');
    assert.equal((await passwordGrant(frank, PASSWORD, home)).status, 200);
    // A flood twice the threshold, through both methods.
    for (let i = 0; i < 8; i++) assert.ok((await sts(frank, `guess-${i}`)) instanceof Error);
    for (let i = 0; i < 2; i++) wrongPassword(await passwordGrant(frank, `guess-${i}`));
    wrongPassword(await passwordGrant(frank, PASSWORD));
    assert.ok((await sts(frank, PASSWORD)) instanceof WsTrustFaultError, 'locked from 127.0.0.1');
    assert.equal((await passwordGrant(frank, PASSWORD, home)).status, 200, 'not from 127.0.0.2');
    assert.equal(await sts(frank, PASSWORD, home), 'ok');
  });
});

describe('a bounded password-check queue', () => {
  let busy: TestIdp;
  before(async () => {
    const dataDir = tempDataDir();
    await enrol(dataDir, keys, { upn: MANAGED[3] as string, password: PASSWORD });
    busy = await startTestIdp({
      dataDir,
      config: { ...CONFIG, passwordChecks: { concurrency: 1, queue: 1, perSource: 2 } },
    });
  });
  after(() => busy.close());

  test('past the bound: STS server-busy fault with Retry-After; token endpoint 503 temporarily_unavailable', async () => {
    const saved = idp;
    idp = busy;
    try {
      const grace = MANAGED[3] as string;
      const grants = await Promise.all(
        Array.from({ length: 6 }, (_, i) => passwordGrant(grace, `guess-${i}`)),
      );
      const refused = grants.filter((r) => r.status === 503);
      assert.ok(refused.length >= 3, `busy answers: ${grants.map((r) => r.status)}`);
      for (const r of refused) {
        assert.deepEqual(JSON.parse(r.text), {
          error: 'temporarily_unavailable',
          error_description: 'The server is busy; try again later.',
        });
        assert.match(String(r.headers['retry-after']), /^\d+$/);
      }
      for (const r of grants.filter((g) => g.status !== 503)) wrongPassword(r);
      const bodies = Array.from(
        { length: 6 },
        (_, i) =>
          buildRequestSecurityToken({
            endpoint: endpointOf(busy, '1.3'),
            appliesTo: URN,
            username: grace,
            password: `guess-${i}`,
            profile: 'macos',
            now: new Date(),
          }).body,
      );
      const answers = await Promise.all(
        bodies.map((body) =>
          httpRequest(
            {
              method: 'POST',
              url: busy.sts13Url,
              headers: { 'content-type': 'application/soap+xml; charset=utf-8' },
              body,
            },
            { ca: busy.caPem },
          ),
        ),
      );
      const stsBusy = answers.filter((a) => a.headers['retry-after'] !== undefined);
      assert.ok(stsBusy.length >= 3, 'some STS requests were answered busy');
      for (const a of stsBusy) {
        assert.equal(a.status, 500);
        const text = Buffer.from(a.body).toString();
        assert.match(text, /s:Receiver/);
        assert.match(text, /wsa:EndpointUnavailable/);
        assert.match(text, /<a:RetryAfter>\d+<\/a:RetryAfter>/);
      }
    } finally {
      idp = saved;
    }
  });
});
