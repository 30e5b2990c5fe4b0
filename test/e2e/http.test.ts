import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect } from 'node:tls';
import { WsTrustFaultError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import { wsTrustLogin } from '../../packages/psso-wstrust/src/wstrust/login.ts';
import { CONFIG, endpointOf, startTestIdp, type TestIdp, tempDataDir, URN } from './support.ts';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp({ config: { ...CONFIG, requestTimeoutMs: 1500 } });
});
after(async () => {
  await idp.close();
  await closeHttpAgents();
});

const get = async (path: string) => {
  const r = await httpRequest({ method: 'GET', url: `${idp.origin}${path}` }, { ca: idp.caPem });
  return { status: r.status, headers: r.headers, text: Buffer.from(r.body).toString('utf8') };
};

describe('user realm (what dynamic WS-Trust asks first)', () => {
  test('a federated domain: WSTrust, the MEX URL and the active endpoint', async () => {
    const r = await get('/common/userrealm/alice@federated.example?api-version=1.0');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.text), {
      ver: '1.0',
      account_type: 'Federated',
      domain_name: 'federated.example',
      federation_protocol: 'WSTrust',
      federation_metadata_url: idp.mexUrl,
      federation_active_auth_url: idp.sts2005Url,
      cloud_audience_urn: 'urn:federation:MicrosoftOnline',
      cloud_instance_name: 'login.microsoftonline.com',
    });
  });
  test('the Entra query form, with a + kept in the UPN (RFC 3986 decoding)', async () => {
    const r = JSON.parse(
      (await get('/common/UserRealm?api-version=1.0&user=bob+tag@managed.example')).text,
    ) as Record<string, string>;
    assert.equal(r.account_type, 'Managed');
    assert.equal(r.domain_name, 'managed.example');
  });
  test('an unknown domain answers Unknown', async () => {
    assert.equal(
      (
        JSON.parse((await get('/common/userrealm/x@nowhere.example')).text) as Record<
          string,
          string
        >
      ).account_type,
      'Unknown',
    );
  });
  test('an unsupported api-version is a 400', async () => {
    assert.equal((await get('/common/userrealm/x@federated.example?api-version=2.0')).status, 400);
  });
});

describe('operations', () => {
  test('/healthz', async () => {
    assert.deepEqual(JSON.parse((await get('/healthz')).text), { status: 'ok' });
  });
  test('/metrics counts requests, tokens, faults and latency (Prometheus text)', async () => {
    await wsTrustLogin({
      endpoint: endpointOf(idp, '1.3'),
      federationRequestURN: URN,
      username: idp.demoUser.upn,
      password: idp.password,
      http: { ca: idp.caPem },
    });
    await assert.rejects(
      wsTrustLogin({
        endpoint: endpointOf(idp, '1.3'),
        federationRequestURN: URN,
        username: idp.demoUser.upn,
        password: 'wrong',
        http: { ca: idp.caPem },
      }),
      WsTrustFaultError,
    );
    const m = await get('/metrics');
    assert.match(m.headers['content-type'] ?? '', /^text\/plain/);
    assert.match(m.text, /psso_idp_tokens_issued_total\{saml="1\.1"\} [1-9]/);
    assert.match(m.text, /psso_idp_faults_total\{reason="bad-credentials"\} [1-9]/);
    assert.match(m.text, /psso_idp_request_duration_seconds_bucket\{le="\+Inf"\} [1-9]/);
    assert.match(m.text, /psso_idp_replays_refused_total \d+/);
  });
  test('nothing redirects: a trailing slash is a 404, not a 301', async () => {
    assert.equal((await get('/adfs/services/trust/mex/')).status, 404);
  });
  test('the MEX is served as SOAP XML', async () => {
    const r = await get('/adfs/services/trust/mex');
    assert.match(r.headers['content-type'] ?? '', /^application\/soap\+xml/);
    assert.match(r.text, /^<\?xml version="1\.0" encoding="utf-8"\?><wsdl:definitions /);
  });
});

describe('limits', () => {
  test('an oversized body (over 64 KB) is refused before the STS reads it', async () => {
    const r = await httpRequest(
      {
        method: 'POST',
        url: idp.sts13Url,
        headers: { 'content-type': 'application/soap+xml; charset=utf-8' },
        body: 'x'.repeat(100 * 1024),
      },
      { ca: idp.caPem },
    );
    assert.equal(r.status, 413);
  });
  test('a non-SOAP content type is refused with 415', async () => {
    const r = await httpRequest(
      {
        method: 'POST',
        url: idp.sts13Url,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
      { ca: idp.caPem },
    );
    assert.equal(r.status, 415);
  });
  test('slow-loris: a body dribbled slower than the request timeout is cut off', async () => {
    const { port } = new URL(idp.origin);
    const socket = connect({
      host: '127.0.0.1',
      port: Number(port),
      ca: idp.caPem,
      servername: 'localhost',
    });
    await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
    socket.write(
      `POST /adfs/services/trust/13/usernamemixed HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/soap+xml\r\nContent-Length: 5000\r\n\r\n`,
    );
    const timer = setInterval(() => socket.write('<'), 200);
    const started = performance.now();
    const closedOrAnswered = await new Promise<string>((resolve) => {
      socket.once('data', (d: Buffer) => resolve(d.toString('utf8').split('\r\n')[0] ?? ''));
      socket.once('close', () => resolve('closed'));
      setTimeout(() => resolve('still open'), 6000);
    });
    clearInterval(timer);
    socket.destroy();
    assert.notEqual(closedOrAnswered, 'still open');
    assert.ok(performance.now() - started < 5000);
  });
});

describe('lockout', () => {
  test('lockout persists across restarts and is indistinguishable from a wrong password', async () => {
    const dataDir = tempDataDir();
    const config = {
      ...CONFIG,
      lockout: { threshold: 2, windowSeconds: 600, lockoutSeconds: 600 },
      credentialCacheSeconds: 0,
    };
    let a = await startTestIdp({ dataDir, config });
    const password = a.password;
    const attempt = (i: TestIdp, pw: string) =>
      wsTrustLogin({
        endpoint: endpointOf(i, '1.3'),
        federationRequestURN: URN,
        username: i.demoUser.upn,
        password: pw,
        http: { ca: i.caPem },
      });
    const wrong = await attempt(a, 'wrong-1').catch((e: unknown) => e);
    await attempt(a, 'wrong-2').catch(() => {});
    await a.close();
    a = await startTestIdp({ dataDir, config });
    const locked = await attempt(a, password).catch((e: unknown) => e);
    await a.close();
    assert.ok(wrong instanceof WsTrustFaultError && locked instanceof WsTrustFaultError);
    assert.equal(locked.code, 'PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION');
    assert.deepEqual(
      [locked.faultCode, locked.subcode, locked.reason],
      [wrong.faultCode, wrong.subcode, wrong.reason],
    );
  });
});
