import assert from 'node:assert/strict';
import { type Socket, connect as tcpConnect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { defaultMaxConnections, openFileLimit } from '../../packages/idp/src/http/fd-limit.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { stsLogin } from './logins.ts';
import { CONFIG, startTestIdp, type TestIdp } from './support.ts';

const MAX = 6;
// Short timeouts for the timeout tests; the cap tests get default timeouts, so that no timeout
// closes a connection the test means the cap to close.
let short: TestIdp;
let capped: TestIdp;
let idp: TestIdp;
const sockets: Socket[] = [];
before(async () => {
  short = await startTestIdp({
    config: {
      ...CONFIG,
      handshakeTimeoutMs: 400,
      requestTimeoutMs: 800,
      headersTimeoutMs: 600,
      keepAliveTimeoutMs: 300,
    },
  });
  capped = await startTestIdp({ config: { ...CONFIG, maxConnections: MAX } });
});
after(async () => {
  for (const s of sockets) s.destroy();
  await short.close();
  await capped.close();
  await closeHttpAgents();
});

const port = () => Number(new URL(idp.origin).port);
const gauge = () => {
  const text = idp.metrics.render();
  const n = (re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);
  return {
    handshake: n(/^psso_idp_connections\{state="handshake"\} (\d+)$/m),
    idle: n(/^psso_idp_connections\{state="idle"\} (\d+)$/m),
    active: n(/^psso_idp_connections\{state="active"\} (\d+)$/m),
    shedHandshake: n(/^psso_idp_connections_shed_total\{state="handshake"\} (\d+)$/m),
    shedIdle: n(/^psso_idp_connections_shed_total\{state="idle"\} (\d+)$/m),
    refused: n(/^psso_idp_connections_refused_total (\d+)$/m),
  };
};
const until = async (what: string, ok: () => boolean, ms = 2000) => {
  const end = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};
/** A raw TCP socket that never sends a byte; resolves once connected. */
const silent = () =>
  new Promise<Socket>((resolve) => {
    const s = tcpConnect(port(), '127.0.0.1');
    sockets.push(s);
    s.on('error', () => {});
    s.once('connect', () => resolve(s));
  });
/** A TLS connection that completed its handshake and sends nothing. */
const tlsIdle = () =>
  new Promise<TLSSocket>((resolve) => {
    const s = tlsConnect({
      port: port(),
      host: '127.0.0.1',
      ca: idp.caPem,
      servername: 'localhost',
    });
    sockets.push(s);
    s.on('error', () => {});
    s.once('secureConnect', () => resolve(s));
  });
const closed = (s: Socket) =>
  new Promise<number>((resolve) => {
    const t = performance.now();
    if (s.destroyed) resolve(0);
    else s.once('close', () => resolve(performance.now() - t));
  });
const drop = async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await closeHttpAgents();
  await until('the server to see the sockets close', () => {
    const g = gauge();
    return g.handshake + g.idle + g.active === 0;
  });
};

describe('timeouts', { timeout: 10_000 }, () => {
  before(() => {
    idp = short;
  });
  test('pre-TLS slowloris: a socket that never sends a ClientHello is closed at the handshake timeout', async () => {
    const s = await silent();
    const started = performance.now();
    await closed(s);
    const took = performance.now() - started;
    assert.ok(took >= 300 && took < 2000, `closed after ${Math.round(took)} ms`);
  });
  test('a ClientHello dribbled a byte at a time is cut at the same deadline (it is not an idle timer)', async () => {
    const s = await silent();
    const hello = Buffer.from('16030100c8010000c40303', 'hex');
    let i = 0;
    const timer = setInterval(() => {
      if (!s.destroyed && i < hello.length) s.write(hello.subarray(i, ++i));
    }, 50);
    const started = performance.now();
    await closed(s);
    clearInterval(timer);
    const took = performance.now() - started;
    assert.ok(took >= 300 && took < 2000, `closed after ${Math.round(took)} ms`);
  });
  test('post-TLS idle: a TLS connection that never sends a request is closed', async () => {
    const s = await tlsIdle();
    const took = await closed(s);
    assert.ok(took < 3000, `closed after ${Math.round(took)} ms`);
  });
  test('slowloris headers: headers dribbled past the headers timeout are cut', async () => {
    const s = await tlsIdle();
    s.resume();
    s.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    const timer = setInterval(() => {
      if (!s.destroyed) s.write('X-Slow: 1\r\n');
    }, 100);
    const took = await closed(s);
    clearInterval(timer);
    assert.ok(took < 2500, `closed after ${Math.round(took)} ms`);
  });
  test('keep-alive: an idle connection is closed after keepAliveTimeoutMs', async () => {
    const s = await tlsIdle();
    let answered = 0;
    s.on('data', () => {
      answered = performance.now();
    });
    s.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await closed(s);
    const idle = performance.now() - answered;
    assert.ok(answered > 0, 'the request was answered');
    assert.ok(idle >= 250 && idle < 3000, `closed ${Math.round(idle)} ms after the answer`);
  });
});

describe('the connection cap', { timeout: 10_000 }, () => {
  before(() => {
    idp = capped;
  });
  test('at the cap the oldest pre-TLS socket is shed for a new connection, and a login succeeds', async () => {
    await drop();
    const before = gauge();
    const first = await silent();
    for (let i = 1; i < MAX; i++) await silent();
    await until('every socket tracked', () => gauge().handshake === MAX);
    await silent();
    await closed(first);
    await until('the shed counted', () => gauge().shedHandshake === before.shedHandshake + 1);
    const r = await stsLogin(idp);
    assert.equal(r.token.grantType, 'urn:ietf:params:oauth:grant-type:saml1_1-bearer');
    await drop();
  });
  test('with no pre-TLS socket left, the longest-idle TLS connection is shed', async () => {
    const before = gauge();
    const oldest = await tlsIdle();
    for (let i = 1; i < MAX; i++) await tlsIdle();
    await until('every connection idle', () => gauge().idle === MAX);
    await silent();
    await closed(oldest);
    await until('the shed counted', () => gauge().shedIdle === before.shedIdle + 1);
    await drop();
  });
  test('when every connection has a request in flight, a new connection is refused, not queued', async () => {
    const before = gauge();
    const busy: TLSSocket[] = [];
    for (let i = 0; i < MAX; i++) {
      const s = await tlsIdle();
      // Headers sent, body withheld: the request is in flight until the request timeout.
      s.write(
        'POST /adfs/services/trust/13/usernamemixed HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/soap+xml\r\nContent-Length: 100\r\n\r\n',
      );
      busy.push(s);
    }
    await until('every connection active', () => gauge().active === MAX);
    const late = await silent();
    await closed(late);
    assert.equal(gauge().refused, before.refused + 1);
    assert.ok(
      busy.every((s) => !s.destroyed),
      'no request in flight was cut to admit it',
    );
    await drop();
  });
});

test('the default cap is the open-file limit less a reserve, below the limit', () => {
  assert.equal(defaultMaxConnections(1024), 896);
  assert.equal(defaultMaxConnections(256), 192);
  assert.equal(defaultMaxConnections(4), 3);
  assert.equal(defaultMaxConnections(undefined), 4096);
  const limit = openFileLimit();
  if (limit !== undefined) assert.ok(defaultMaxConnections(limit) < limit);
});
