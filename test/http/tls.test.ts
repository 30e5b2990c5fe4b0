import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HttpError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents, httpRequest } from '../../packages/psso-wstrust/src/http/index.ts';
import { makeTestPki, type TestPki } from '../helpers/tls.ts';
import { startServer, type TestServer } from './server.ts';

let pki: TestPki;
let server: TestServer;

before(async () => {
  pki = await makeTestPki();
  server = await startServer(new Map([['/', (_req, res) => res.end('ok')]]), {
    key: pki.keyPem,
    cert: pki.certPem,
  });
});
after(async () => {
  await server.close();
  await closeHttpAgents();
});

describe('https trust', () => {
  test('a server certificate from an unknown CA is a network error (Node roots only)', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: `${server.origin}/` }, { timeoutMs: 2000 }),
      (e) =>
        e instanceof HttpError &&
        e.code === 'PSSO_ERR_HTTP_NETWORK' &&
        typeof (e.cause as { code?: unknown } | undefined)?.code === 'string',
    );
  });
  test('trusted with the CA as PEM text', async () => {
    const res = await httpRequest(
      { method: 'GET', url: `${server.origin}/` },
      { timeoutMs: 2000, ca: pki.caPem },
    );
    assert.equal(res.status, 200);
    assert.equal(Buffer.from(res.body).toString(), 'ok');
  });
  test('trusted with the CA as PEM bytes in a list', async () => {
    const res = await httpRequest(
      { method: 'GET', url: `${server.origin}/` },
      { timeoutMs: 2000, ca: [new TextEncoder().encode(pki.caPem)] },
    );
    assert.equal(Buffer.from(res.body).toString(), 'ok');
  });
  test('the extra CA does not replace Node’s roots nor leak into the default agent', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: `${server.origin}/` }, { timeoutMs: 2000 }),
      (e) => e instanceof HttpError && e.code === 'PSSO_ERR_HTTP_NETWORK',
    );
  });
});
