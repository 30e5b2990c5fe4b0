import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HttpError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import {
  commandDeadline,
  withCommandSignal,
} from '../../packages/psso-wstrust/src/http/command-deadline.ts';
import {
  classifyNetworkFailure,
  NETWORK_HINTS,
  statusHint,
} from '../../packages/psso-wstrust/src/http/failure.ts';
import type { HttpExchange } from '../../packages/psso-wstrust/src/http/observe.ts';
import { formatExchange } from '../../packages/psso-wstrust/src/http/observe.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import { mexRequest, processMexResponse } from '../../packages/psso-wstrust/src/mex/exchange.ts';
import { makeTestCert, makeTestPki } from '../helpers/tls.ts';
import { freePort, startServer, startSilentServer, type TestServer } from './server.ts';

const ok = new Map([
  ['/', (_q: unknown, res: import('node:http').ServerResponse) => res.end('hi')],
]);
const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await closeHttpAgents();
});

async function failure(url: string, options: Parameters<typeof httpRequest>[1] = {}) {
  const error = await httpRequest({ method: 'GET', url }, { timeoutMs: 5000, ...options }).then(
    () => assert.fail('the request succeeded'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof HttpError, `not an HttpError: ${String(error)}`);
  return error;
}

const DAY = 86_400_000;
let untrusted: TestServer;
let expired: TestServer;
let wrongName: TestServer;
let expiredCa = '';
let wrongNameCa = '';

before(async () => {
  const pki = await makeTestPki();
  untrusted = await startServer(ok, { key: pki.keyPem, cert: pki.certPem });
  const e = await makeTestCert({
    notBefore: new Date(Date.now() - 10 * DAY),
    notAfter: new Date(Date.now() - DAY),
  });
  expired = await startServer(ok, { key: e.keyPem, cert: e.certPem });
  expiredCa = e.caPem;
  const w = await makeTestCert({ dnsNames: ['sts.other.example'], ip: false });
  wrongName = await startServer(ok, { key: w.keyPem, cert: w.certPem });
  wrongNameCa = w.caPem;
  servers.push(untrusted, expired, wrongName);
});

describe('a network failure says its cause, with a hint', () => {
  test('connection refused: reason, host, port and hint', async () => {
    const port = await freePort();
    const e = await failure(`https://127.0.0.1:${port}/`);
    assert.equal(e.code, 'PSSO_ERR_HTTP_NETWORK');
    assert.equal(e.reason, 'connection-refused');
    assert.equal(e.host, '127.0.0.1');
    assert.equal(e.port, port);
    assert.equal(e.hint, NETWORK_HINTS['connection-refused']);
    assert.match(e.message, /refused/);
  });
  test('a name that does not resolve (.invalid): name-not-found', async () => {
    const e = await failure('https://nonexistent.invalid/');
    assert.equal(e.code, 'PSSO_ERR_HTTP_NETWORK');
    assert.equal(e.reason, 'name-not-found');
    assert.equal(e.host, 'nonexistent.invalid');
    assert.equal(e.port, 443);
    assert.match(e.hint ?? '', /DNS/);
  });
  test('an untrusted certificate (no --ca): tls-untrusted, the verification code, the --ca hint', async () => {
    const e = await failure(`${untrusted.origin}/`);
    assert.equal(e.reason, 'tls-untrusted');
    assert.equal(e.tlsCode, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.match(e.hint ?? '', /pass `--ca FILE` with the CA that issued it/);
  });
  test('an expired certificate: tls-expired, CERT_HAS_EXPIRED', async () => {
    const e = await failure(`${expired.origin}/`, { ca: expiredCa });
    assert.equal(e.reason, 'tls-expired');
    assert.equal(e.tlsCode, 'CERT_HAS_EXPIRED');
    assert.match(e.hint ?? '', /expired/);
  });
  test('a certificate for another host name: tls-hostname, ERR_TLS_CERT_ALTNAME_INVALID', async () => {
    const e = await failure(`${wrongName.origin}/`, { ca: wrongNameCa });
    assert.equal(e.reason, 'tls-hostname');
    assert.equal(e.tlsCode, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.match(e.hint ?? '', /host name/);
  });
  test('https sent to a plain-http port: not-tls, "does not speak TLS on this port"', async () => {
    const plain = await startServer(ok);
    servers.push(plain);
    const e = await failure(`https://127.0.0.1:${plain.port}/`);
    assert.equal(e.reason, 'not-tls');
    assert.match(e.tlsCode ?? '', /^ERR_SSL_/);
    assert.match(e.hint ?? '', /does not speak TLS on this port/);
  });
  test('plain http sent to a TLS port (loopback http allowed): http-to-tls-port', async () => {
    const e = await failure(`http://127.0.0.1:${untrusted.port}/`, {
      dangerouslyAllowHttpLoopback: true,
    });
    assert.equal(e.reason, 'http-to-tls-port');
    assert.match(e.hint ?? '', /use an https:\/\/ URL/);
  });
  test('plain http without the loopback switch: insecure-url with a hint', async () => {
    const e = await failure('http://sts.example.com/mex');
    assert.equal(e.code, 'PSSO_ERR_HTTP_INSECURE_URL');
    assert.equal(e.reason, 'insecure-url');
    assert.match(e.hint ?? '', /https:\/\//);
  });
  test('a server that never answers: PSSO_ERR_HTTP_TIMEOUT, reason timeout', async () => {
    const silent = await startSilentServer();
    servers.push(silent);
    const e = await failure(`https://127.0.0.1:${silent.port}/`, { timeoutMs: 300 });
    assert.equal(e.code, 'PSSO_ERR_HTTP_TIMEOUT');
    assert.equal(e.reason, 'timeout');
    assert.equal(e.port, silent.port);
  });
  test('the classifier reads AggregateError members and nested causes', () => {
    const refused = Object.assign(new Error('x'), { code: 'ECONNREFUSED' });
    assert.equal(
      classifyNetworkFailure(new AggregateError([refused]), 'https:').reason,
      'connection-refused',
    );
    const nested = new Error('outer', {
      cause: Object.assign(new Error('in'), { code: 'CERT_NOT_YET_VALID' }),
    });
    assert.deepEqual(classifyNetworkFailure(nested, 'https:'), {
      reason: 'tls-not-yet-valid',
      tlsCode: 'CERT_NOT_YET_VALID',
    });
    assert.equal(classifyNetworkFailure(new Error('?'), 'https:').reason, 'other');
  });
});

describe('an unexpected status says what it likely means', () => {
  test('a MEX URL answering 404: status and the "nothing is served at that path" hint', async () => {
    const pki = await makeTestPki();
    const response = await mexRequest(`${untrusted.origin}/adfs/services/trust/mex`, {
      ca: pki.caPem,
    });
    const error = await Promise.resolve()
      .then(() => processMexResponse(response))
      .then(
        () => assert.fail('the MEX was accepted'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof HttpError);
    assert.equal(error.code, 'PSSO_ERR_HTTP_STATUS');
    assert.equal(error.status, 404);
    assert.equal(error.hint, statusHint(404));
    assert.match(statusHint(503), /proxy or load balancer/);
  });
});

describe('one deadline for a whole command', () => {
  test('a command deadline stops a request whose own timeout is far away, and every later one', async () => {
    const silent = await startSilentServer();
    servers.push(silent);
    const deadline = commandDeadline(400);
    const http = withCommandSignal({ timeoutMs: 30_000 }, deadline.signal);
    const t0 = performance.now();
    const e = await failure(`https://127.0.0.1:${silent.port}/`, http);
    assert.equal(e.code, 'PSSO_ERR_HTTP_TIMEOUT');
    assert.equal(e.reason, 'deadline');
    assert.ok(performance.now() - t0 < 5000);
    const again = await failure(`https://127.0.0.1:${silent.port}/`, http);
    assert.equal(again.reason, 'deadline');
    deadline.dispose();
  });
});

describe('the exchange observer', () => {
  test('reports method, URL, status, bytes, ms, TLS version and the peer subject', async () => {
    const pki = await makeTestPki();
    const seen: HttpExchange[] = [];
    await httpRequest(
      { method: 'GET', url: `${untrusted.origin}/` },
      { ca: pki.caPem, onExchange: (e) => seen.push(e) },
    );
    assert.equal(seen.length, 1);
    const [e] = seen as [HttpExchange];
    assert.equal(e.method, 'GET');
    assert.equal(e.url, `${untrusted.origin}/`);
    assert.equal(e.status, 200);
    assert.equal(e.bytes, 2);
    assert.ok(e.ms >= 0);
    assert.match(e.tlsVersion ?? '', /^TLSv1\.[23]$/);
    assert.equal(e.peerSubject, 'CN=localhost');
    assert.match(
      formatExchange(e),
      /^GET https:\/\/127\.0\.0\.1:\d+\/ → 200 2 B \d+ ms TLSv1\.[23] CN=localhost$/,
    );
  });
  test('reports a failed exchange with its code and reason', async () => {
    const seen: HttpExchange[] = [];
    const port = await freePort();
    await failure(`https://127.0.0.1:${port}/`, { onExchange: (e) => seen.push(e) });
    assert.equal(seen[0]?.error, 'PSSO_ERR_HTTP_NETWORK');
    assert.equal(seen[0]?.reason, 'connection-refused');
  });
  test('an observer that throws does not break the exchange', async () => {
    const pki = await makeTestPki();
    const res = await httpRequest(
      { method: 'GET', url: `${untrusted.origin}/` },
      {
        ca: pki.caPem,
        onExchange: () => {
          throw new Error('observer bug');
        },
      },
    );
    assert.equal(res.status, 200);
  });
});
