/**
 * `Recorder.transport(step)`: the library's own request functions send through it, and each
 * exchange is recorded under its step, answered or failed (the error rethrown, as the bounded
 * transport throws it).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Recorder } from '../../packages/psso-wstrust/src/check/record.ts';
import { HttpError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { mexRequest } from '../../packages/psso-wstrust/src/mex/exchange.ts';

let server: ReturnType<typeof createServer>;
let origin: string;
before(async () => {
  server = createServer((_req, res) =>
    res.writeHead(404, { 'content-type': 'text/plain' }).end('no'),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await closeHttpAgents();
  server.close();
});

describe('Recorder.transport', () => {
  test('an answered request: the response handed back, and recorded under its step', async () => {
    const rec = new Recorder({ redact: false });
    const http = { dangerouslyAllowHttpLoopback: true, transport: rec.transport('mex') };
    const response = await mexRequest(`${origin}/mex`, http);
    assert.equal(response.status, 404);
    const [x] = rec.raw();
    assert.equal(x?.step, 'mex');
    assert.equal(x?.request.method, 'GET');
    assert.equal(x?.response?.status, 404);
    assert.equal(x?.response?.body, 'no');
  });
  test('a failed request: recorded with its code, and the error rethrown', async () => {
    const rec = new Recorder({ redact: false });
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await assert.rejects(
      mexRequest(`http://127.0.0.1:${port}/mex`, {
        dangerouslyAllowHttpLoopback: true,
        transport: rec.transport('mex'),
      }),
      (e) => e instanceof HttpError && e.code === 'PSSO_ERR_HTTP_NETWORK',
    );
    assert.equal(rec.raw()[0]?.error?.code, 'PSSO_ERR_HTTP_NETWORK');
  });
});
