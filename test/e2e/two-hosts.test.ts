/**
 * Two IdP hosts, as behind a load balancer: two `psso-wstrust idp` processes with separate data
 * folders, one PostgreSQL database (`--database`) and one Redis (`--redis`), and the same keys
 * (`idp keys export` on A, `idp keys import` on B). What one host records, the other honours:
 * devices, server nonce consumption, refresh token rotation, STS replay, lockout.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WsTrustFaultError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import {
  buildLoginJwt,
  buildRefreshJwt,
  loginRequestBody,
} from '../../packages/psso-wstrust/src/jose/login-jwt.ts';
import { decryptLoginResponse } from '../../packages/psso-wstrust/src/jose/login-response.ts';
import { loginApv } from '../../packages/psso-wstrust/src/jose/party-info.ts';
import { WSTRUST13 } from '../../packages/psso-wstrust/src/protocol/wstrust.ts';
import {
  generateDeviceKeys,
  publicJwk,
} from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { buildRequestSecurityToken } from '../../packages/psso-wstrust/src/wstrust/rst.ts';
import { readSecurityTokenResponse } from '../../packages/psso-wstrust/src/wstrust/rstr.ts';
import { runCli } from '../helpers/cli.ts';
import { postgresSkip, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { redisSkip, startRedis, type TestRedis } from '../helpers/redis.ts';
import { type IdpProcess, spawnIdp } from './idp-process.ts';
import { tempDataDir, URN } from './support.ts';

const SCOPE = 'openid offline_access urn:apple:platformsso';
const PASSWORD = 'a managed password';
const USERS = ['bob', 'carol', 'dan', 'erin'].map((n) => `${n}@managed.example`);
const [BOB, CAROL, DAN, ERIN] = USERS as [string, string, string, string];
const keys = generateDeviceKeys();

describe('two IdP hosts sharing one PostgreSQL and one Redis', {
  skip: postgresSkip() || redisSkip(),
}, () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  let database = '';
  let a: IdpProcess;
  let b: IdpProcess;
  let ca = '';

  before(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    database = await pg.createDatabase();
    const config = join(tempDataDir(), 'idp.json');
    writeFileSync(
      config,
      JSON.stringify({
        lockout: { threshold: 3, windowSeconds: 600, lockoutSeconds: 600, familiarDays: 0 },
        credentialCacheSeconds: 0,
      }),
    );
    const host = (dir: string) =>
      spawnIdp([
        '--data',
        dir,
        '--port',
        '0',
        '--config',
        config,
        '--database',
        database,
        '--redis',
        redis.url,
      ]);
    a = await host(tempDataDir());
    const dirB = join(tempDataDir(), 'host-b');
    await shareKeys(a.info.dataDir, dirB);
    b = await host(dirB);
    ca = readFileSync(a.info.caFile, 'utf8');
    // The users: once, through the admin command on the shared database.
    for (const upn of USERS) {
      const r = await runCli(
        ['idp', 'user', 'add', upn, '--password-stdin', '--database', database, '--json'],
        PASSWORD,
      );
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await closeHttpAgents();
    await Promise.all([pg?.destroy(), redis?.stop()]);
  });

  /** `idp keys export` from one data folder, `idp keys import` into another. */
  const shareKeys = async (from: string, to: string) => {
    const bundle = join(tempDataDir(), 'idp-keys.json');
    const exported = await runCli(['idp', 'keys', 'export', '--data', from, '--out', bundle]);
    assert.equal(exported.code, 0, exported.stderr);
    const imported = await runCli(['idp', 'keys', 'import', bundle, '--data', to]);
    assert.equal(imported.code, 0, imported.stderr);
  };
  const post = async (host: IdpProcess, path: string, body: string, type: string, headers = {}) => {
    const r = await httpRequest(
      {
        method: 'POST',
        url: `${host.info.origin}${path}`,
        headers: { 'content-type': type, ...headers },
        body,
      },
      { ca },
    );
    return { status: r.status, text: Buffer.from(r.body).toString('utf8') };
  };
  const nonceFrom = async (host: IdpProcess) =>
    (
      JSON.parse(
        (
          await post(
            host,
            '/psso/nonce',
            'grant_type=srv_challenge',
            'application/x-www-form-urlencoded',
          )
        ).text,
      ) as { Nonce: string }
    ).Nonce;
  /** How often `host` refused for `reason` (its /metrics). */
  const faults = async (host: IdpProcess, reason: string) => {
    const r = await httpRequest({ method: 'GET', url: `${host.info.origin}/metrics` }, { ca });
    const m = new RegExp(`psso_idp_faults_total\\{reason="${reason}"\\} (\\d+)`).exec(
      Buffer.from(r.body).toString('utf8'),
    );
    return Number(m?.[1] ?? 0);
  };
  /** A token request at `host`: the status, and the refresh token of a 200. */
  const tokenAt = async (
    host: IdpProcess,
    build: (nonce: string, serverNonce: string) => Promise<string>,
    serverNonce?: string,
  ) => {
    const nonce = randomUUID().toUpperCase();
    const jwt = await build(nonce, serverNonce ?? (await nonceFrom(host)));
    const r = await post(
      host,
      '/psso/token',
      loginRequestBody(jwt),
      'application/x-www-form-urlencoded',
    );
    if (r.status !== 200) return { status: r.status, text: r.text, refreshToken: undefined };
    const response = await decryptLoginResponse(r.text, {
      encryptionPrivateKey: keys.encryption.privateKey,
      apv: loginApv(keys.encryption.publicKey, nonce).base64url,
    });
    return { status: r.status, text: r.text, refreshToken: response.refreshToken };
  };
  const common = (nonce: string, serverNonce: string) => ({
    signingKey: keys.signing.privateKey,
    encryptionPublicKey: keys.encryption.publicKey,
    clientId: 'psso',
    nonce,
    serverNonce,
    scope: SCOPE,
  });
  const passwordLogin = (
    host: IdpProcess,
    username: string,
    password = PASSWORD,
    serverNonce?: string,
  ) =>
    tokenAt(
      host,
      (nonce, sn) =>
        buildLoginJwt({
          ...common(nonce, sn),
          username,
          password,
          tokenEndpoint: `${host.info.origin}/psso/token`,
        }),
      serverNonce,
    );
  const refresh = (host: IdpProcess, refreshToken: string) =>
    tokenAt(host, (nonce, sn) =>
      buildRefreshJwt({
        ...common(nonce, sn),
        refreshToken,
        refreshEndpoint: `${host.info.origin}/psso/token`,
      }),
    );

  test('the hosts are separate processes with separate data folders on one database', () => {
    assert.notEqual(a.info.dataDir, b.info.dataDir);
    assert.notEqual(a.info.port, b.info.port);
    assert.ok(
      a.info.database?.includes('***'),
      'the start line shows the URL without its password',
    );
    assert.ok(!JSON.stringify(a.info).includes(pg.password));
  });

  test('a device registered on host A logs in on host B', async () => {
    const admin = readFileSync(a.info.adminTokenFile, 'utf8').trim();
    const registered = await post(
      a,
      '/psso/devices',
      JSON.stringify({
        clientId: 'psso',
        signingJwk: publicJwk(keys.signing.publicKey),
        encryptionJwk: publicJwk(keys.encryption.publicKey),
      }),
      'application/json',
      { authorization: `Bearer ${admin}` },
    );
    assert.equal(registered.status, 201, registered.text);
    const atB = await passwordLogin(b, BOB);
    assert.equal(atB.status, 200, atB.text);
    assert.ok(atB.refreshToken);
  });

  test('a server nonce issued by A and used on B cannot be used again on A', async () => {
    const nonce = await nonceFrom(a);
    assert.equal((await passwordLogin(b, BOB, PASSWORD, nonce)).status, 200);
    const before = await faults(a, 'psso-server-nonce-replayed');
    const again = await passwordLogin(a, BOB, PASSWORD, nonce);
    assert.equal(again.status, 401, again.text);
    assert.equal(await faults(a, 'psso-server-nonce-replayed'), before + 1);
  });

  test('a refresh token rotated on A is refused on B (and its family is revoked)', async () => {
    const login = await passwordLogin(a, BOB);
    const first = login.refreshToken as string;
    const rotated = await refresh(a, first);
    assert.equal(rotated.status, 200, rotated.text);
    const before = await faults(b, 'psso-refresh-token-reuse');
    const replayed = await refresh(b, first);
    assert.equal(replayed.status, 401, replayed.text);
    assert.equal(await faults(b, 'psso-refresh-token-reuse'), before + 1);
    // Reuse revoked the family: the rotated token is refused too, on either host.
    assert.equal((await refresh(a, rotated.refreshToken as string)).status, 401);
  });

  test('an STS replay across hosts is refused (the same UsernameToken Nonce)', async () => {
    const rst = buildRequestSecurityToken({
      endpoint: {
        version: '1.3',
        address: a.info.endpoints.sts13,
        soapAction: WSTRUST13.issueAction,
      },
      appliesTo: URN,
      username: CAROL,
      password: PASSWORD,
      // The full Username Token Profile: a Nonce and Created, which the STS records as used.
      profile: 'wss11',
    });
    const send = (host: IdpProcess) =>
      httpRequest(
        {
          method: 'POST',
          url: host.info.endpoints.sts13,
          headers: { 'content-type': 'application/soap+xml; charset=utf-8' },
          body: rst.body,
        },
        { ca },
      );
    const first = await send(a);
    assert.equal(first.status, 200);
    readSecurityTokenResponse(Buffer.from(first.body).toString('utf8'), {
      version: '1.3',
      messageId: rst.messageId,
    });
    const before = await faults(b, 'replayed-nonce');
    const replay = await send(b);
    assert.throws(
      () =>
        readSecurityTokenResponse(Buffer.from(replay.body).toString('utf8'), {
          version: '1.3',
          messageId: rst.messageId,
        }),
      WsTrustFaultError,
    );
    assert.equal(await faults(b, 'replayed-nonce'), before + 1);
  });

  test('lockout is shared: failures on A lock the account on B', async () => {
    for (let i = 0; i < 3; i++)
      assert.equal((await passwordLogin(a, DAN, `wrong-${i}`)).status, 401);
    const before = await faults(b, 'psso-locked-out');
    const right = await passwordLogin(b, DAN);
    assert.equal(right.status, 401, 'the right password, refused: the account is locked');
    assert.equal(await faults(b, 'psso-locked-out'), before + 1);
    // Another user is not affected, and the lock lives in Redis (the operator unlocks there).
    assert.equal((await passwordLogin(b, ERIN)).status, 200);
    const unlock = await runCli([
      'idp',
      'user',
      'unlock',
      DAN,
      '--database',
      database,
      '--redis',
      redis.url,
    ]);
    assert.equal(unlock.code, 0, unlock.stderr);
    assert.equal((await passwordLogin(a, DAN)).status, 200);
  });
  test('--workers works with --database: a third host of 2 workers serves the same state', async () => {
    const dirC = join(tempDataDir(), 'host-c');
    await shareKeys(a.info.dataDir, dirC);
    const c = await spawnIdp([
      '--data',
      dirC,
      '--port',
      '0',
      '--workers',
      '2',
      '--database',
      database,
    ]);
    try {
      assert.equal(c.info.workers, 2);
      for (let i = 0; i < 4; i++) {
        const r = await passwordLogin(c, ERIN);
        assert.equal(r.status, 200, r.text);
      }
    } finally {
      await c.stop();
    }
  });
});
