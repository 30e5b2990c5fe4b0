/**
 * A real IdP on PostgreSQL when the database goes away: stopped (refused) or paused (hung), every
 * endpoint that needs state answers 503 `temporarily_unavailable` (the STS a Receiver fault),
 * never a credential failure; when the database returns, the same requests succeed again, with
 * nothing to restart.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { openIdpState } from '../../packages/idp/src/state/open.ts';
import { WsTrustFaultError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import { buildLoginJwt } from '../../packages/psso-wstrust/src/jose/login-jwt.ts';
import {
  generateDeviceKeys,
  publicJwk,
} from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { postgresSkip, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { stsLogin, tokenRequest } from './logins.ts';
import { CONFIG, serverNonceFrom, startTestIdp, type TestIdp, tempDataDir } from './support.ts';

const BOB = { upn: 'bob@managed.example', password: 'bob password' };
const keys = generateDeviceKeys();

describe('a real IdP on PostgreSQL fails closed while the database is away', {
  skip: postgresSkip(),
}, () => {
  let pg: TestPostgres;
  let idp: TestIdp;

  before(async () => {
    pg = await startPostgres();
    const database = await pg.createDatabase();
    const dataDir = tempDataDir();
    const state = await openIdpState({ dataDir, database });
    try {
      await state.users.add(BOB.upn, BOB.password);
      await state.devices.add(
        'psso',
        publicJwk(keys.signing.publicKey),
        publicJwk(keys.encryption.publicKey),
      );
    } finally {
      await state.close();
    }
    // No verified-credential cache: every STS login reads the user (a cached one needs no store).
    idp = await startTestIdp({
      dataDir,
      database,
      config: { ...CONFIG, credentialCacheSeconds: 0 },
    });
  });
  after(async () => {
    await idp?.close();
    await closeHttpAgents();
    await pg?.destroy();
  });

  const passwordGrant = async () =>
    tokenRequest(
      idp,
      await buildLoginJwt({
        signingKey: keys.signing.privateKey,
        encryptionPublicKey: keys.encryption.publicKey,
        clientId: 'psso',
        username: BOB.upn,
        password: BOB.password,
        tokenEndpoint: `${idp.origin}/psso/token`,
        nonce: randomUUID().toUpperCase(),
        serverNonce: await serverNonceFrom(idp),
        scope: 'openid',
      }),
    );
  const health = async () =>
    (await httpRequest({ method: 'GET', url: `${idp.origin}/healthz` }, { ca: idp.caPem })).status;

  /** The token endpoint, the STS and /healthz say "unavailable", none says "bad credentials". */
  async function unavailable(): Promise<void> {
    const t0 = performance.now();
    const token = await passwordGrant();
    assert.equal(token.status, 503, token.text);
    assert.equal(JSON.parse(token.text).error, 'temporarily_unavailable');
    assert.match(String(token.headers['retry-after']), /^[1-9]\d*$/);
    await assert.rejects(
      stsLogin(idp, { username: BOB.upn, password: BOB.password }),
      (e) =>
        e instanceof WsTrustFaultError &&
        e.faultCode === 's:Receiver' &&
        e.subcode !== 'wsse:FailedAuthentication',
    );
    assert.equal(await health(), 503);
    assert.ok(performance.now() - t0 < 15_000, `${Math.round(performance.now() - t0)} ms`);
  }

  /** Everything works (again). */
  async function available(): Promise<void> {
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = await health();
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 200, 'healthy again');
    const token = await passwordGrant();
    assert.equal(token.status, 200, token.text);
    await stsLogin(idp, { username: BOB.upn, password: BOB.password });
  }

  test('before: a password grant and a WS-Trust login succeed', available);

  test('PostgreSQL stopped: 503 / Receiver fault; restarted: works again', async () => {
    await pg.stop();
    try {
      await unavailable();
    } finally {
      await pg.restart();
    }
    await available();
  });

  test('PostgreSQL paused (hung): 503 / Receiver fault within the timeouts; resumed: works again', async () => {
    pg.pause();
    try {
      await unavailable();
    } finally {
      pg.resume();
    }
    await available();
  });
});
