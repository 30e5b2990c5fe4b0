/**
 * No anonymous request grows a store that logins depend on (issue 7 §1): floods of RSTs with fresh
 * Nonces and of server nonce requests against the stores of a running reference IdP, then
 * legitimate logins on that IdP. The floods run in-process (the STS pipeline, the nonce route's
 * handler) against the very database the IdP uses; the logins go over HTTPS.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadOrCreateNonceKey, ServerNonces } from '../../packages/idp/src/psso/server-nonce.ts';
import { serverNonceAnswer } from '../../packages/idp/src/routes/psso.ts';
import { consumedNonces } from '../../packages/idp/src/state/nonces.ts';
import { DATABASE_FILE, IdpDatabase } from '../../packages/idp/src/state/sqlite/database.ts';
import { SqliteReplayCache } from '../../packages/idp/src/state/sqlite/replay.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { pssoLogin } from '../../packages/psso-wstrust/src/psso/flow/login.ts';
import { generateDeviceKeys } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { buildRequestSecurityToken } from '../../packages/psso-wstrust/src/wstrust/rst.ts';
import { fakeDeps, NOW, settings } from '../idp/sts/fakes.ts';
import { aroundNonce, nonceFlood } from '../idp/sts/requests.ts';
import { federatedConfig, stsLogin } from './logins.ts';
import {
  endpointOf,
  enrol,
  serverNonceFrom,
  startTestIdp,
  type TestIdp,
  tempDataDir,
  URN,
} from './support.ts';

const FLOOD = 101_000;
const keys = generateDeviceKeys();
let idp: TestIdp;
let db: IdpDatabase;

before(async () => {
  idp = await startTestIdp({ dataDir: tempDataDir() });
  await enrol(idp.dataDir, keys);
  db = IdpDatabase.open(idp.dataDir);
});
after(async () => {
  db.close();
  await idp.close();
  await closeHttpAgents();
});

const replayRows = () =>
  (db.statement('SELECT count(*) AS n FROM replay_cache').get() as { n: number }).n;

async function legitimateLogins(): Promise<void> {
  for (const profile of ['wss11', 'macos'] as const) {
    const r = await stsLogin(idp, { profile });
    assert.equal(r.token.samlVersion, '1.1', `${profile} login`);
  }
  const psso = await pssoLogin({
    config: federatedConfig(idp),
    username: idp.demoUser.upn,
    password: idp.password,
    keys,
    http: { ca: idp.caPem },
  });
  assert.equal(psso.federated, true);
  assert.equal(psso.idTokenClaims.sub, idp.demoUser.upn);
}

describe('anonymous floods against a running IdP', () => {
  test(`replay-cache flood: ${FLOOD.toLocaleString('en')} anonymous RSTs with fresh Nonces (unknown AppliesTo, wrong password) write nothing to the IdP's replay store; a login in both profiles and a federated Platform SSO login succeed`, async () => {
    // The IdP's own store (its table in its database, through a second connection); the relying
    // parties and a cheap password check come from the fakes.
    const replay = SqliteReplayCache.open(idp.dataDir, { pruneIntervalMs: 0 });
    const deps = Object.assign(fakeDeps(), { replay });
    const s = settings();
    const template = (appliesTo: string, username: string, password: string) => {
      const body = buildRequestSecurityToken({
        endpoint: endpointOf(idp, '1.3'),
        appliesTo,
        username,
        password,
        profile: 'wss11',
        now: NOW,
      }).body;
      return aroundNonce(body);
    };
    const kinds = [
      template('urn:unknown:relying-party', idp.demoUser.upn, idp.password),
      template(URN, 'spray@federated.example', 'guess'),
    ];
    const outcomes = await nonceFlood(kinds, FLOOD, deps, s);
    await replay.close();
    assert.deepEqual(outcomes, {
      'unknown-relying-party': FLOOD / 2,
      'bad-credentials': FLOOD / 2,
    });
    assert.equal(replayRows(), 0, 'the replay store is as empty as before');
    // The flood ran in this process and held its event loop for seconds: connections pooled
    // before it may have been closed by the server's keep-alive timeout meanwhile. A real client
    // would not have been frozen; start from fresh connections.
    await closeHttpAgents();
    await legitimateLogins();
    assert.ok(replayRows() >= 3, 'the logins recorded their Nonce, server nonce and assertion id');
  });

  test(`server-nonce flood: ${FLOOD.toLocaleString('en')} POST /psso/nonce write nothing; a nonce request and a login succeed`, async () => {
    // The route's handler with the IdP's key and replay store (fastify's inject would take 40 s
    // for this many requests; the handler is all the route runs).
    const replay = SqliteReplayCache.open(idp.dataDir, { pruneIntervalMs: 0 });
    const nonces = new ServerNonces({
      key: await loadOrCreateNonceKey(idp.dataDir),
      consumed: consumedNonces(replay),
    });
    const rowsBefore = replayRows();
    const file = join(idp.dataDir, DATABASE_FILE);
    const sizes = () => [
      statSync(file).size,
      statSync(`${file}-wal`, { throwIfNoEntry: false })?.size,
    ];
    const sizesBefore = sizes();
    const sample = new Set<string>();
    for (let i = 0; i < FLOOD; i++) {
      const answer = serverNonceAnswer({ grant_type: 'srv_challenge' }, nonces);
      if (answer.status !== 200) assert.fail(`request ${i}: ${answer.status}`);
      if (i % 1000 === 0) sample.add(answer.body.Nonce);
    }
    await replay.close();
    assert.equal(sample.size, FLOOD / 1000, 'every nonce differs');
    assert.equal(replayRows(), rowsBefore, 'issuing wrote nothing to the replay store');
    assert.deepEqual(sizes(), sizesBefore, 'nor anything else to the database');
    // The flood ran in this process and held its event loop for seconds: connections pooled
    // before it may have been closed by the server's keep-alive timeout meanwhile. A real client
    // would not have been frozen; start from fresh connections.
    await closeHttpAgents();
    // The running IdP (same key, same store) answers a nonce request over HTTPS, and a login.
    assert.match(await serverNonceFrom(idp), /^[A-Za-z0-9_-]{55}$/);
    await legitimateLogins();
  });
});
