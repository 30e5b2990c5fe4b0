/**
 * Limits: one overall deadline (connect, headers, whole body, every hop), caller aborts, and the
 * response size cap.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import { HttpError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import {
  echoHandler,
  type Handler,
  startServer,
  startSilentServer,
  type TestServer,
} from './server.ts';

const MiB = 1024 * 1024;
let dribbled = 0;
const routes = new Map<string, Handler>([
  ['/echo', echoHandler],
  ['/never', () => {}],
  ['/redirect-to-never', (_req, res) => res.writeHead(302, { location: '/never' }).end()],
  [
    '/dribble',
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => {
        dribbled++;
        res.write('x');
      }, 50);
      res.on('close', () => clearInterval(timer));
    },
  ],
  [
    '/big-declared',
    (_req, res) =>
      res.writeHead(200, { 'content-length': String(2 * MiB) }).end(Buffer.alloc(2 * MiB)),
  ],
  [
    '/big-chunked',
    (_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 40; i++) res.write(Buffer.alloc(64 * 1024));
      res.end();
    },
  ],
  ['/exactly-1000', (_req, res) => res.end(Buffer.alloc(1000, 7))],
]);
let server: TestServer;
let origin = '';
before(async () => {
  server = await startServer(routes);
  origin = server.origin;
});
after(async () => {
  await server.close();
  await closeHttpAgents();
});

const loop = { dangerouslyAllowHttpLoopback: true, timeoutMs: 2000 } as const;
const code = (c: string, status?: number) => (e: unknown) =>
  e instanceof HttpError && e.code === c && (status === undefined || e.status === status);

// Timing tests run concurrently: each waits on its own deadline.
describe('deadline and abort', { concurrency: true }, () => {
  test('a server that never answers: timeout at the deadline', async () => {
    const started = performance.now();
    await assert.rejects(
      httpRequest({ method: 'GET', url: `${origin}/never` }, { ...loop, timeoutMs: 300 }),
      code('PSSO_ERR_HTTP_TIMEOUT'),
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 250 && elapsed < 1000, `${elapsed} ms`);
  });
  test('a body dribbled a byte every 50 ms: timeout at the overall deadline, not reset per byte', async () => {
    dribbled = 0;
    const started = performance.now();
    await assert.rejects(
      httpRequest({ method: 'GET', url: `${origin}/dribble` }, { ...loop, timeoutMs: 400 }),
      code('PSSO_ERR_HTTP_TIMEOUT'),
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 350 && elapsed < 1000, `${elapsed} ms`);
    // Bytes kept arriving (every 50 ms) and the deadline still fired: it is not reset per byte.
    assert.ok(dribbled >= 2, 'bytes kept arriving before the deadline');
  });
  test('the deadline covers the connect phase, even with a dispatcher whose connect timeout is long', async () => {
    const silent = await startSilentServer();
    const agent = new Agent({ connectTimeout: 10_000 });
    try {
      await Promise.all(
        [undefined, agent].map(async (dispatcher) => {
          const started = performance.now();
          await assert.rejects(
            httpRequest(
              { method: 'GET', url: `${silent.origin}/` },
              { timeoutMs: 300, ...(dispatcher === undefined ? {} : { dispatcher }) },
            ),
            code('PSSO_ERR_HTTP_TIMEOUT'),
          );
          const elapsed = performance.now() - started;
          assert.ok(elapsed < 1000, `${elapsed} ms`);
        }),
      );
    } finally {
      await silent.close();
      await agent.destroy();
    }
  });
  test('the deadline spans the redirect chain', async () => {
    await assert.rejects(
      httpRequest(
        { method: 'GET', url: `${origin}/redirect-to-never` },
        { ...loop, timeoutMs: 300, maxRedirects: 1 },
      ),
      code('PSSO_ERR_HTTP_TIMEOUT'),
    );
  });
  test('a caller abort while waiting rethrows the caller’s reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(
      httpRequest(
        { method: 'GET', url: `${origin}/never` },
        { ...loop, signal: controller.signal },
      ),
      (e) => e === reason,
    );
  });
  test('an already aborted signal rethrows its reason', async () => {
    const reason = new Error('already');
    await assert.rejects(
      httpRequest(
        { method: 'GET', url: `${origin}/echo` },
        { ...loop, signal: AbortSignal.abort(reason) },
      ),
      (e) => e === reason,
    );
  });
});

describe('size limit', () => {
  test('an oversized response with Content-Length is refused', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: `${origin}/big-declared` }, loop),
      code('PSSO_ERR_HTTP_RESPONSE_TOO_LARGE'),
    );
  });
  test('an oversized chunked response (no Content-Length) is refused while reading', async () => {
    await assert.rejects(
      httpRequest(
        { method: 'GET', url: `${origin}/big-chunked` },
        { ...loop, maxResponseBytes: 100_000 },
      ),
      code('PSSO_ERR_HTTP_RESPONSE_TOO_LARGE'),
    );
  });
  test('a body of exactly the limit is accepted, one byte less of limit is not', async () => {
    const url = `${origin}/exactly-1000`;
    const res = await httpRequest({ method: 'GET', url }, { ...loop, maxResponseBytes: 1000 });
    assert.deepEqual(res.body, new Uint8Array(1000).fill(7));
    await assert.rejects(
      httpRequest({ method: 'GET', url }, { ...loop, maxResponseBytes: 999 }),
      code('PSSO_ERR_HTTP_RESPONSE_TOO_LARGE'),
    );
  });
});
