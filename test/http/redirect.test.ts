/**
 * Redirects: refused by default, followed within maxRedirects, each hop re-checked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HttpError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import { echoed, echoHandler, type Handler, startServer, type TestServer } from './server.ts';

const routes = new Map<string, Handler>([['/echo', echoHandler]]);
for (const status of [300, 301, 302, 303, 304, 307, 308]) {
  routes.set(`/redirect-${status}`, (_req, res) =>
    res.writeHead(status, { location: '/echo' }).end(),
  );
}
routes.set('/redirect-no-location', (_req, res) => res.writeHead(302).end());
routes.set('/redirect-loop', (_req, res) =>
  res.writeHead(302, { location: '/redirect-loop' }).end(),
);
routes.set('/redirect-http-remote', (_req, res) =>
  res.writeHead(302, { location: 'http://example.com/' }).end(),
);
routes.set('/redirect-other-origin', (_req, res) =>
  res.writeHead(307, { location: `${other.origin}/echo` }).end(),
);
let server: TestServer;
let other: TestServer; // a second origin, for cross-origin redirects
let origin = '';
before(async () => {
  server = await startServer(routes);
  other = await startServer(routes);
  origin = server.origin;
});
after(async () => {
  await Promise.all([server.close(), other.close()]);
  await closeHttpAgents();
});

const loop = { dangerouslyAllowHttpLoopback: true, timeoutMs: 2000 } as const;
const code = (c: string, status?: number) => (e: unknown) =>
  e instanceof HttpError && e.code === c && (status === undefined || e.status === status);

describe('redirects', () => {
  test('by default a 302 is refused, carrying its status', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: `${origin}/redirect-302` }, loop),
      code('PSSO_ERR_HTTP_REDIRECT', 302),
    );
  });
  test('by default any 3xx is refused, even 300 and 304', async () => {
    for (const status of [300, 304, 308]) {
      await assert.rejects(
        httpRequest({ method: 'GET', url: `${origin}/redirect-${status}` }, loop),
        code('PSSO_ERR_HTTP_REDIRECT', status),
      );
    }
  });
  test('GET follows 301/302/303/307/308 when allowed, Location resolved against the URL', async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      const res = await httpRequest(
        { method: 'GET', url: `${origin}/redirect-${status}` },
        { ...loop, maxRedirects: 1 },
      );
      assert.equal(res.status, 200);
      assert.equal(res.url, `${origin}/echo`);
      assert.equal(echoed(res.body).method, 'GET');
    }
  });
  test('300 and 304 are not followable: refused even when redirects are allowed', async () => {
    await assert.rejects(
      httpRequest({ method: 'GET', url: `${origin}/redirect-300` }, { ...loop, maxRedirects: 2 }),
      code('PSSO_ERR_HTTP_REDIRECT', 300),
    );
  });
  test('a redirect without Location is refused', async () => {
    await assert.rejects(
      httpRequest(
        { method: 'GET', url: `${origin}/redirect-no-location` },
        { ...loop, maxRedirects: 2 },
      ),
      code('PSSO_ERR_HTTP_REDIRECT', 302),
    );
  });
  test('a hop to plain http on another host is refused on the hop', async () => {
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
  test('a POST is not re-sent on 301/302/303, but is on 307/308 with its method and body', async () => {
    for (const status of [301, 302, 303]) {
      await assert.rejects(
        httpRequest(
          { method: 'POST', url: `${origin}/redirect-${status}`, body: 'b' },
          { ...loop, maxRedirects: 1 },
        ),
        code('PSSO_ERR_HTTP_REDIRECT', status),
      );
    }
    for (const status of [307, 308]) {
      const res = await httpRequest(
        { method: 'POST', url: `${origin}/redirect-${status}`, body: 'b' },
        { ...loop, maxRedirects: 1 },
      );
      const seen = echoed(res.body);
      assert.equal(seen.method, 'POST');
      assert.equal(Buffer.from(seen.body, 'base64').toString(), 'b');
    }
  });
  test('credential headers are dropped when a hop changes origin, other headers kept', async () => {
    const res = await httpRequest(
      {
        method: 'POST',
        url: `${origin}/redirect-other-origin`,
        headers: { authorization: 'Basic eDp5', cookie: 'c=1', soapaction: 'urn:a' },
        body: 'b',
      },
      { ...loop, maxRedirects: 1 },
    );
    const seen = echoed(res.body);
    assert.equal(res.url, `${other.origin}/echo`);
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers.cookie, undefined);
    assert.equal(seen.headers.soapaction, 'urn:a');
  });
});
