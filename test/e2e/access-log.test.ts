import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect } from 'node:tls';
import { jsonLogger } from '../../packages/idp/src/log.ts';
import { type RunningIdp, startIdp } from '../../packages/idp/src/server.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import { pssoLogin } from '../../packages/psso-wstrust/src/psso/flow/login.ts';
import { generateDeviceKeys } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { wsTrustLogin } from '../../packages/psso-wstrust/src/wstrust/login.ts';
import { buildRequestSecurityToken } from '../../packages/psso-wstrust/src/wstrust/rst.ts';
import { federatedConfig } from './logins.ts';
import { CONFIG, endpointOf, enrol, tempDataDir, URN } from './support.ts';

const METRICS_TOKEN = 'metrics-token-for-the-tests-0123456789';
const keys = generateDeviceKeys();
const lines: string[] = [];
let idp: RunningIdp;
let password = '';

before(async () => {
  const dataDir = tempDataDir();
  await enrol(dataDir, keys);
  idp = await startIdp({
    dataDir,
    config: { ...CONFIG, metricsToken: METRICS_TOKEN },
    // Debug level: even the internal detail must be bounded.
    logger: jsonLogger((l) => lines.push(l), 'debug'),
  });
  password = idp.demoUser.password ?? '';
});
after(async () => {
  await idp.close();
  await closeHttpAgents();
});

type Line = Record<string, unknown>;
const parsed = (from = 0): Line[] => lines.slice(from).map((l) => JSON.parse(l) as Line);
const send = async (
  path: string,
  o: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {},
) => {
  const r = await httpRequest(
    {
      method: o.method ?? 'GET',
      url: `${idp.origin}${path}`,
      ...(o.headers === undefined ? {} : { headers: o.headers }),
      ...(o.body === undefined ? {} : { body: o.body }),
    },
    { ca: idp.caPem },
  );
  return { status: r.status, headers: r.headers, text: Buffer.from(r.body).toString() };
};
/** Waits for the onResponse hook (it runs after the client has the answer). */
const settle = () => new Promise((r) => setTimeout(r, 50));
const access = (from: number) => parsed(from).filter((l) => l.event === 'http.access');

describe('logs an attacker cannot flood', () => {
  test('log flood: a 58 KB mustUnderstand namespace and a 45 KB JWT alg give log lines under 2 KB', async () => {
    const from = lines.length;
    const rst = buildRequestSecurityToken({
      endpoint: endpointOf(idp, '1.3'),
      appliesTo: URN,
      username: 'anyone@federated.example',
      password: 'x',
      profile: 'macos',
    });
    const ns = `urn:${'n'.repeat(58_000)}`;
    const soap = rst.body.replace(
      '<s:Header>',
      `<s:Header><x:Trace xmlns:x="${ns}" s:mustUnderstand="1">1</x:Trace>`,
    );
    const r1 = await send('/adfs/services/trust/13/usernamemixed', {
      method: 'POST',
      headers: { 'content-type': 'application/soap+xml; charset=utf-8' },
      body: soap,
    });
    assert.equal(r1.status, 500);
    const header = Buffer.from(
      JSON.stringify({ alg: 'A'.repeat(45_000), typ: 'JWT', kid: 'k' }),
    ).toString('base64url');
    const r2 = await send('/psso/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=${header}.e30.c2ln`,
    });
    assert.equal(r2.status, 401);
    await settle();
    const mine = parsed(from);
    assert.deepEqual(
      mine.filter((l) => l.event === 'http.access').map((l) => l.reason),
      ['must-understand', 'jwt-alg'],
    );
    // The detail is there, at debug, capped and marked.
    assert.match(String(mine.find((l) => l.event === 'sts.refused')?.detail), /^urn:n+…\[\+\d+\]$/);
    assert.match(
      String(mine.find((l) => l.event === 'psso.token.refused')?.detail),
      /^A+…\[\+\d+\]$/,
    );
    for (const l of lines.slice(from)) assert.ok(l.length < 2048, `a line of ${l.length}`);
  });
  test('terminal injection through a header: a C1 control byte in the User-Agent is escaped', {
    timeout: 5000,
  }, async () => {
    const from = lines.length;
    const { port } = new URL(idp.origin);
    const s = connect({
      port: Number(port),
      host: '127.0.0.1',
      ca: idp.caPem,
      servername: 'localhost',
    });
    await new Promise((r) => s.once('secureConnect', r));
    // 0x9b is CSI in a terminal that honours C1 controls; HTTP allows it as obs-text.
    s.write(
      Buffer.concat([
        Buffer.from(
          'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nUser-Agent: evil',
        ),
        Buffer.from([0x9b]),
        Buffer.from('2J\r\n\r\n'),
      ]),
    );
    s.resume();
    await new Promise((r) => s.once('close', r));
    await settle();
    const line = access(from)[0];
    assert.equal(line?.userAgent, 'evil\\u{9b}2J');
  });
});

describe('an access line per request, a line per token issued', () => {
  test('one http.access line per request: request id (sent as x-request-id), worker, method, route pattern, status, duration, reason', async () => {
    const from = lines.length;
    const ok = await send('/common/userrealm/alice@federated.example?api-version=1.0', {
      headers: { 'user-agent': 'test-agent/1' },
    });
    const missing = await send('/nothing/here?secret=1');
    await settle();
    const [a, b, ...rest] = access(from);
    assert.equal(rest.length, 0);
    assert.ok(a !== undefined && b !== undefined);
    assert.equal(a.requestId, ok.headers['x-request-id']);
    assert.equal(b.requestId, missing.headers['x-request-id']);
    assert.notEqual(a.requestId, b.requestId);
    assert.equal(a.level, 'info');
    assert.equal(a.worker, 0);
    assert.equal(a.method, 'GET');
    assert.equal(a.route, '/common/userrealm/:user');
    assert.equal(a.status, 200);
    assert.equal(typeof a.durationMs, 'number');
    assert.equal(a.reason, undefined);
    assert.equal(a.userAgent, 'test-agent/1');
    assert.deepEqual([b.route, b.status, b.reason], ['unmatched', 404, 'not_found']);
    assert.ok(!lines.slice(from).some((l) => l.includes('secret')), 'no raw URL is logged');
  });
  test('a wrong password: the access line says bad-credentials, and no other info line is written', async () => {
    const from = lines.length;
    await assert.rejects(
      wsTrustLogin({
        endpoint: endpointOf(idp, '1.3'),
        federationRequestURN: URN,
        username: idp.demoUser.upn,
        password: 'wrong password',
        http: { ca: idp.caPem },
      }),
    );
    await settle();
    const info = parsed(from).filter((l) => l.level !== 'debug');
    assert.deepEqual(
      info.map((l) => [l.event, l.route, l.status, l.reason]),
      [['http.access', '/adfs/services/trust/13/usernamemixed', 500, 'bad-credentials']],
    );
  });
  test('token.issued for a WS-Trust login and a Platform SSO login: user, relying party or client, method; never a secret', async () => {
    const from = lines.length;
    const sts = await wsTrustLogin({
      endpoint: endpointOf(idp, '1.3'),
      federationRequestURN: URN,
      username: idp.demoUser.upn,
      password,
      http: { ca: idp.caPem },
    });
    const psso = await pssoLogin({
      config: federatedConfig(idp),
      username: idp.demoUser.upn,
      password,
      keys,
      http: { ca: idp.caPem },
    });
    await settle();
    const issued = parsed(from).filter((l) => l.event === 'token.issued');
    assert.deepEqual(
      issued.map((l) => [l.level, l.user, l.relyingParty, l.clientId, l.method]),
      [
        ['info', idp.demoUser.upn, URN, undefined, 'wstrust-1.3'],
        ['info', idp.demoUser.upn, URN, undefined, (issued[1] as Line).method],
        ['info', idp.demoUser.upn, undefined, 'psso', 'saml1.1-bearer'],
      ],
    );
    assert.match(String((issued[1] as Line).method), /^wstrust-(1\.3|2005)$/);
    const secrets = [
      password,
      sts.token.assertion.slice(0, 40),
      psso.response.refreshToken,
      psso.response.idToken.slice(0, 40),
    ];
    for (const l of lines.slice(from))
      for (const s of secrets) assert.ok(!l.includes(s), `a secret in ${l.slice(0, 80)}`);
  });
});

test('the start says the connection cap and the timeouts in force', () => {
  const limits = parsed().find((l) => l.event === 'http.limits');
  assert.ok(limits !== undefined);
  assert.equal(typeof limits.maxConnections, 'number');
  assert.deepEqual(
    [limits.handshakeTimeoutMs, limits.headersTimeoutMs, limits.keepAliveTimeoutMs],
    [10_000, 10_000, 5_000],
  );
});

describe('/metrics with metricsToken', () => {
  test('without the bearer token: 401, counted and logged as metrics-token', async () => {
    const from = lines.length;
    assert.equal((await send('/metrics')).status, 401);
    const wrong = await send('/metrics', { headers: { authorization: 'Bearer not-the-token' } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers['www-authenticate'], 'Bearer');
    await settle();
    assert.deepEqual(
      access(from).map((l) => l.reason),
      ['metrics-token', 'metrics-token'],
    );
  });
  test('with it: the Prometheus text', async () => {
    const r = await send('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(r.status, 200);
    assert.match(r.text, /^psso_idp_requests_total\{route="\/metrics",status="401"\} 2$/m);
    assert.match(r.text, /^psso_idp_workers_reporting 1$/m);
  });
});
