/**
 * httpRequest against a loopback server: what is sent and received, the URL policy applied before
 * anything is sent, network failures and caller misuse.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MockAgent } from 'undici';
import { HttpError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import {
  echoed,
  echoHandler,
  freePort,
  type Handler,
  startServer,
  type TestServer,
} from './server.ts';

const routes = new Map<string, Handler>([
  ['/echo', echoHandler],
  ['/reset', (req) => req.socket.destroy()],
  [
    '/reset-mid-body',
    (req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial', () => req.socket.destroy());
    },
  ],
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

describe('exchange', () => {
  test('GET: method, headers and an empty body arrive; headers come back lower-case and joined', async () => {
    const res = await httpRequest(
      { method: 'GET', url: `${origin}/echo`, headers: { 'X-Trace': 'abc' } },
      loop,
    );
    const seen = echoed(res.body);
    assert.equal(res.status, 200);
    assert.equal(res.url, `${origin}/echo`);
    assert.equal(res.headers['x-multi'], 'a, b');
    assert.equal(res.headers['content-type'], 'application/json');
    assert.ok(res.body instanceof Uint8Array);
    assert.equal(seen.method, 'GET');
    assert.equal(seen.headers['x-trace'], 'abc');
    assert.equal(seen.headers['content-type'], undefined);
    assert.equal(seen.body, '');
  });

  test('POST: method, headers and every body byte arrive exactly (bytes and string bodies)', async () => {
    const bytes = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
    const res = await httpRequest(
      {
        method: 'POST',
        url: `${origin}/echo`,
        headers: { 'content-type': 'application/soap+xml; charset=utf-8', soapaction: 'urn:a' },
        body: bytes,
      },
      loop,
    );
    const seen = echoed(res.body);
    assert.equal(seen.method, 'POST');
    assert.equal(seen.headers.soapaction, 'urn:a');
    assert.equal(seen.headers['content-type'], 'application/soap+xml; charset=utf-8');
    assert.deepEqual(new Uint8Array(Buffer.from(seen.body, 'base64')), bytes);
    const text = '<x>é😀 &amp; $&</x>';
    const str = echoed(
      (await httpRequest({ method: 'POST', url: `${origin}/echo`, body: text }, loop)).body,
    );
    assert.equal(Buffer.from(str.body, 'base64').toString('utf8'), text);
  });

  test('a 404 is returned as is (callers decide which statuses they accept)', async () => {
    const res = await httpRequest({ method: 'GET', url: `${origin}/missing` }, loop);
    assert.equal(res.status, 404);
  });

  test('a caller dispatcher is used instead of the built-in agents', async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    mock.get('https://sts.example.test').intercept({ path: '/mex', method: 'GET' }).reply(200, 'm');
    try {
      const res = await httpRequest(
        { method: 'GET', url: 'https://sts.example.test/mex' },
        { dispatcher: mock, timeoutMs: 1000 },
      );
      assert.equal(Buffer.from(res.body).toString(), 'm');
    } finally {
      await mock.close();
    }
  });
});

describe('URL policy at request time (nothing is sent)', () => {
  test('http is refused without the loopback option', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: `${origin}/echo` }),
      code('PSSO_ERR_HTTP_INSECURE_URL'),
    );
  });
  test('http to a non-loopback host is refused even with the option; the URL is not in the message', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: 'http://example.com/?token=s3cret' }, loop),
      (e) => code('PSSO_ERR_HTTP_INSECURE_URL')(e) && !(e as Error).message.includes('s3cret'),
    );
  });
  test('a URL with credentials is refused without echoing them', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: 'https://user:s3cret@example.com/' }),
      (e) => code('PSSO_ERR_HTTP_INVALID_URL')(e) && !(e as Error).message.includes('s3cret'),
    );
  });
  test('an invalid URL is refused', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: 'not a url' }),
      code('PSSO_ERR_HTTP_INVALID_URL'),
    );
  });
});

describe('failures and misuse', () => {
  test('a refused connection is a network error carrying undici’s error', async () => {
    const port = await freePort();
    await assert.rejects(
      httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/` }, loop),
      (e) => code('PSSO_ERR_HTTP_NETWORK')(e) && (e as Error).cause !== undefined,
    );
  });
  test('a connection reset before or during the response is a network error', async () => {
    for (const path of ['/reset', '/reset-mid-body']) {
      await assert.rejects(
        httpRequest({ method: 'GET', url: `${origin}${path}` }, loop),
        code('PSSO_ERR_HTTP_NETWORK'),
      );
    }
  });
  test('bad limits and methods are TypeErrors', async () => {
    const url = `${origin}/echo`;
    for (const bad of [
      { timeoutMs: 0 },
      { timeoutMs: Number.NaN },
      { timeoutMs: 2 ** 31 },
      { maxResponseBytes: -1 },
      { maxRedirects: 1.5 },
      { maxRedirects: -1 },
    ]) {
      await assert.rejects(httpRequest({ method: 'GET', url }, { ...loop, ...bad }), TypeError);
    }
    const method = 'PUT' as 'GET';
    await assert.rejects(httpRequest({ method, url }, loop), TypeError);
  });
  test('a header value with CR/LF is refused as a TypeError, nothing sent', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: `${origin}/echo`, headers: { 'x-a': 'a\r\nb: c' } }, loop),
      TypeError,
    );
  });
});
