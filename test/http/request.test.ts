import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { HttpError } from '../../src/errors.ts';
import { closeHttpAgents } from '../../src/http/agents.ts';
import { httpRequest } from '../../src/http/request.ts';
import { checkUrl, isLoopback } from '../../src/http/url.ts';
import { makeTestPki } from '../helpers/tls.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
let server: Server;
let origin = '';
const routes = new Map<string, Handler>();
const sockets = new Set<Socket>();

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () =>
      (routes.get(req.url ?? '') ?? ((_, r) => r.writeHead(404).end()))(
        req,
        res,
        Buffer.concat(chunks),
      ),
    );
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  for (const s of sockets) s.destroy();
  server.close();
  await closeHttpAgents();
});

const loop = { dangerouslyAllowHttpLoopback: true, timeoutMs: 2000 } as const;
const code = (c: string, status?: number) => (e: unknown) =>
  e instanceof HttpError && e.code === c && (status === undefined || e.status === status);

routes.set('/echo', (req, res, body) => {
  res.writeHead(200, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
  res.end(
    JSON.stringify({ method: req.method, headers: req.headers, body: body.toString('base64') }),
  );
});
routes.set('/redirect', (_req, res) => res.writeHead(302, { location: '/echo' }).end());
routes.set('/redirect-307', (_req, res) => res.writeHead(307, { location: '/echo' }).end());
routes.set('/redirect-loop', (_req, res) =>
  res.writeHead(302, { location: '/redirect-loop' }).end(),
);
routes.set('/redirect-http-remote', (_req, res) =>
  res.writeHead(302, { location: 'http://example.com/' }).end(),
);
routes.set('/never', () => {});
routes.set('/dribble', (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  const timer = setInterval(() => res.write('x'), 100);
  res.on('close', () => clearInterval(timer));
});
routes.set('/big-declared', (_req, res) =>
  res
    .writeHead(200, { 'content-length': String(2 * 1024 * 1024) })
    .end(Buffer.alloc(2 * 1024 * 1024)),
);
routes.set('/big-chunked', (_req, res) => {
  res.writeHead(200);
  for (let i = 0; i < 40; i++) res.write(Buffer.alloc(64 * 1024));
  res.end();
});

describe('httpRequest against a loopback server', () => {
  test('GET and POST: method, headers and body bytes arrive exactly; headers come back flattened', async () => {
    const body = Buffer.from('<x>é😀 &amp; $&</x>');
    const res = await httpRequest(
      {
        method: 'POST',
        url: `${origin}/echo`,
        headers: { 'content-type': 'application/soap+xml; charset=utf-8', soapaction: 'urn:a' },
        body,
      },
      loop,
    );
    const seen = JSON.parse(Buffer.from(res.body).toString()) as {
      method: string;
      headers: Record<string, string>;
      body: string;
    };
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-multi'], 'a, b');
    assert.equal(seen.method, 'POST');
    assert.equal(seen.headers.soapaction, 'urn:a');
    assert.equal(seen.headers['content-type'], 'application/soap+xml; charset=utf-8');
    assert.deepEqual(Buffer.from(seen.body, 'base64'), body);
    const get = JSON.parse(
      Buffer.from(
        (await httpRequest({ method: 'GET', url: `${origin}/echo` }, loop)).body,
      ).toString(),
    ) as { headers: Record<string, string> };
    assert.equal(get.headers['content-type'], undefined);
  });

  test('a 404 is returned as is (callers decide which statuses they accept)', async () => {
    assert.equal(
      (await httpRequest({ method: 'GET', url: `${origin}/missing` }, loop)).status,
      404,
    );
  });

  test('http is refused without the loopback option, before connecting', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: `${origin}/echo` }),
      code('PSSO_ERR_HTTP_INSECURE_URL'),
    );
  });
  test('http to a non-loopback host is refused even with the option', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: 'http://example.com/' }, loop),
      code('PSSO_ERR_HTTP_INSECURE_URL'),
    );
  });
  test('a URL with credentials is refused', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: 'https://user:secret@example.com/' }),
      (e) => code('PSSO_ERR_HTTP_INVALID_URL')(e) && !(e as Error).message.includes('secret'),
    );
  });
  test('an invalid URL is refused', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: 'not a url' }),
      code('PSSO_ERR_HTTP_INVALID_URL'),
    );
  });

  test('an HTTP redirect is refused with its status', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: `${origin}/redirect` }, loop),
      code('PSSO_ERR_HTTP_REDIRECT', 302),
    );
  });
  test('a redirect is followed when allowed', async () => {
    const res = await httpRequest(
      { method: 'GET', url: `${origin}/redirect` },
      { ...loop, maxRedirects: 1 },
    );
    assert.equal(res.status, 200);
    assert.equal(res.url, `${origin}/echo`);
  });
  test('a redirect hop to plain http on another host is refused', async () => {
    await assert.rejects(
      httpRequest(
        { method: 'GET', url: `${origin}/redirect-http-remote` },
        { ...loop, maxRedirects: 3 },
      ),
      code('PSSO_ERR_HTTP_INSECURE_URL'),
    );
  });
  test('too many redirects', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: `${origin}/redirect-loop` }, { ...loop, maxRedirects: 3 }),
      code('PSSO_ERR_HTTP_TOO_MANY_REDIRECTS'),
    );
  });
  test('a POST is not re-sent on 302, but is on 307 with its body', async () => {
    await assert.rejects(
      httpRequest(
        { method: 'POST', url: `${origin}/redirect`, body: 'b' },
        { ...loop, maxRedirects: 1 },
      ),
      code('PSSO_ERR_HTTP_REDIRECT', 302),
    );
    const res = await httpRequest(
      { method: 'POST', url: `${origin}/redirect-307`, body: 'b' },
      { ...loop, maxRedirects: 1 },
    );
    assert.equal(
      Buffer.from(
        (JSON.parse(Buffer.from(res.body).toString()) as { body: string }).body,
        'base64',
      ).toString(),
      'b',
    );
  });

  test('a server that never answers: timeout at the deadline', async () => {
    const started = performance.now();
    await assert.rejects(
      httpRequest({ method: 'GET', url: `${origin}/never` }, { ...loop, timeoutMs: 300 }),
      code('PSSO_ERR_HTTP_TIMEOUT'),
    );
    assert.ok(performance.now() - started < 2000);
  });
  test('a slow server dribbling its body past the timeout: timeout at the overall deadline', async () => {
    const started = performance.now();
    await assert.rejects(
      httpRequest({ method: 'GET', url: `${origin}/dribble` }, { ...loop, timeoutMs: 400 }),
      code('PSSO_ERR_HTTP_TIMEOUT'),
    );
    assert.ok(performance.now() - started < 2000, 'the deadline is not reset by each byte');
  });
  test('an oversized response with Content-Length is refused early', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: `${origin}/big-declared` }, loop),
      code('PSSO_ERR_HTTP_RESPONSE_TOO_LARGE'),
    );
  });
  test('an oversized chunked response is refused while reading', async () => {
    await assert.rejects(
      httpRequest(
        { method: 'GET', url: `${origin}/big-chunked` },
        { ...loop, maxResponseBytes: 100_000 },
      ),
      code('PSSO_ERR_HTTP_RESPONSE_TOO_LARGE'),
    );
  });
  test('a refused connection is a network error', async () => {
    const s = createServer();
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    const port = (s.address() as AddressInfo).port;
    s.close();
    await once(s, 'close');
    await assert.rejects(
      httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/` }, loop),
      code('PSSO_ERR_HTTP_NETWORK'),
    );
  });
  test('a caller abort rethrows the caller’s reason', async () => {
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
});

describe('https', () => {
  test('untrusted without the CA, trusted with it', async () => {
    const pki = await makeTestPki();
    const s = createHttpsServer({ key: pki.keyPem, cert: pki.certPem }, (_req, res) =>
      res.end('ok'),
    );
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    const url = `https://127.0.0.1:${(s.address() as AddressInfo).port}/`;
    try {
      await assert.rejects(
        httpRequest({ method: 'GET', url }, { timeoutMs: 2000 }),
        code('PSSO_ERR_HTTP_NETWORK'),
      );
      const res = await httpRequest({ method: 'GET', url }, { timeoutMs: 2000, ca: pki.caPem });
      assert.equal(Buffer.from(res.body).toString(), 'ok');
    } finally {
      s.closeAllConnections();
      s.close();
    }
  });
});

describe('URL policy', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]']) {
    test(`${host} is loopback`, () => assert.ok(isLoopback(new URL(`http://${host}/`).hostname)));
  }
  for (const host of ['10.0.0.1', 'localhost.example.com', '128.0.0.1', '[::2]', '0.0.0.0']) {
    test(`${host} is not loopback`, () =>
      assert.ok(!isLoopback(new URL(`http://${host}/`).hostname)));
  }
  test('HTTPS in capitals is https', () =>
    assert.equal(checkUrl('HTTPS://EXAMPLE.COM/x', {}).protocol, 'https:'));
  test('file: URLs are refused', () =>
    assert.throws(
      () => checkUrl('file:///etc/passwd', { dangerouslyAllowHttpLoopback: true }),
      code('PSSO_ERR_HTTP_INSECURE_URL'),
    ));
});
