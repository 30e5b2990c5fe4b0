/**
 * Replay state survives restarts and crashes, and is shared by `--workers` (issue 7 §5), without
 * Redis: a captured wss11 RST, a captured login request (its server nonce consumed) and a redeemed
 * SAML assertion are refused after a clean restart, after kill -9, and by another worker.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { silentLogger } from '../../packages/idp/src/log.ts';
import { startIdp } from '../../packages/idp/src/server.ts';
import { WsTrustFaultError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import { buildLoginJwt, loginRequestBody } from '../../packages/psso-wstrust/src/jose/login-jwt.ts';
import { WSTRUST13 } from '../../packages/psso-wstrust/src/protocol/wstrust.ts';
import { generateDeviceKeys } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import {
  processSecurityTokenResponse,
  securityTokenRequest,
} from '../../packages/psso-wstrust/src/wstrust/exchange.ts';
import { wsTrustLogin } from '../../packages/psso-wstrust/src/wstrust/login.ts';
import {
  buildRequestSecurityToken,
  type RequestSecurityToken,
} from '../../packages/psso-wstrust/src/wstrust/rst.ts';
import { startLine } from './idp-process.ts';
import { CONFIG, enrol, tempDataDir, URN } from './support.ts';

const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));
const keys = generateDeviceKeys();

/** What the tests need of a running IdP, however started. */
interface Target {
  readonly origin: string;
  readonly ca: string;
  readonly upn: string;
  readonly password: string;
}

after(() => closeHttpAgents());

/** A fresh connection per request (so `--workers` round-robin spreads them). */
function fresh(t: Target) {
  return { ca: t.ca, dispatcher: new Agent({ connect: { ca: t.ca }, pipelining: 0 }) };
}

const sts13 = (t: Target) => ({
  version: '1.3' as const,
  address: `${t.origin}/adfs/services/trust/13/usernamemixed`,
  soapAction: WSTRUST13.issueAction,
});

async function sendRst(t: Target, rst: RequestSecurityToken) {
  const http = fresh(t);
  try {
    const body = await securityTokenRequest(sts13(t), rst, http);
    return processSecurityTokenResponse(body, { version: '1.3', messageId: rst.messageId });
  } finally {
    await http.dispatcher.close();
  }
}

/** A wss11 login (with a Nonce), accepted; returns the request, as an eavesdropper keeps it. */
async function capturedWss11(t: Target): Promise<RequestSecurityToken> {
  const rst = buildRequestSecurityToken({
    endpoint: sts13(t),
    appliesTo: URN,
    username: t.upn,
    password: t.password,
    profile: 'wss11',
  });
  assert.equal((await sendRst(t, rst)).samlVersion, '1.1');
  return rst;
}

async function refusedAsReplay(t: Target, rst: RequestSecurityToken): Promise<void> {
  await assert.rejects(
    sendRst(t, rst),
    (e) => e instanceof WsTrustFaultError && e.subcode === 'wsse:InvalidSecurity',
  );
}

async function post(t: Target, path: string, body: string, type: string) {
  const http = fresh(t);
  try {
    const r = await httpRequest(
      { method: 'POST', url: `${t.origin}${path}`, headers: { 'content-type': type }, body },
      http,
    );
    return { status: r.status, text: Buffer.from(r.body).toString('utf8') };
  } finally {
    await http.dispatcher.close();
  }
}

async function loginJwt(t: Target, assertion: string): Promise<string> {
  const nonce = await post(t, '/psso/nonce', 'grant_type=srv_challenge', FORM);
  assert.equal(nonce.status, 200);
  return buildLoginJwt({
    signingKey: keys.signing.privateKey,
    encryptionPublicKey: keys.encryption.publicKey,
    clientId: 'psso',
    username: t.upn,
    tokenEndpoint: `${t.origin}/psso/token`,
    nonce: 'CONTEXT',
    serverNonce: (JSON.parse(nonce.text) as { Nonce: string }).Nonce,
    scope: 'openid offline_access urn:apple:platformsso',
    samlAssertion: { xml: assertion, version: '1.1' },
  });
}

const FORM = 'application/x-www-form-urlencoded';
const token = (t: Target, jwt: string) => post(t, '/psso/token', loginRequestBody(jwt), FORM);

/** A federated Platform SSO login: a SAML assertion redeemed with a login JWT. Both kept. */
async function redeemed(t: Target): Promise<{ assertion: string; jwt: string }> {
  const login = await wsTrustLogin({
    endpoint: sts13(t),
    federationRequestURN: URN,
    username: t.upn,
    password: t.password,
    http: { ca: t.ca },
  });
  const jwt = await loginJwt(t, login.token.assertion);
  const r = await token(t, jwt);
  assert.equal(r.status, 200, r.text);
  return { assertion: login.token.assertion, jwt };
}

/** Everything captured before, replayed: each refused (four connections). */
async function replayAll(
  t: Target,
  captured: { rst: RequestSecurityToken; assertion: string; jwt: string },
): Promise<void> {
  await refusedAsReplay(t, captured.rst);
  // The captured login request as is: its server nonce was consumed.
  assert.equal((await token(t, captured.jwt)).status, 401);
  // The redeemed assertion with a fresh server nonce: its id was recorded.
  assert.equal((await token(t, await loginJwt(t, captured.assertion))).status, 401);
}

async function get(t: Target, path: string): Promise<string> {
  const http = fresh(t);
  try {
    const r = await httpRequest({ method: 'GET', url: `${t.origin}${path}` }, http);
    return Buffer.from(r.body).toString('utf8');
  } finally {
    await http.dispatcher.close();
  }
}

const faultCounts = (t: Target) => get(t, '/metrics');

function assertReplayLabels(metrics: string): void {
  for (const label of [
    'replayed-nonce',
    'psso-server-nonce-replayed',
    'psso-refused:PSSO_ERR_SAML_REPLAY',
  ]) {
    assert.match(metrics, new RegExp(`psso_idp_faults_total\\{reason="${label}"\\} 1\\n`), label);
  }
  assert.match(metrics, /psso_idp_replays_refused_total 3\n/);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface CliIdp extends Target {
  readonly child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** `psso-wstrust idp --json` as a separate process (no Redis). */
async function cliIdp(dataDir: string, args: string[], password?: string): Promise<CliIdp> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'idp', '--json', '--data', dataDir, '--log-level', 'error', ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const info = await startLine<{
    sts13Url: string;
    caFile: string;
    demoUser: { upn: string; password?: string };
  }>(child);
  return {
    child,
    origin: new URL(info.sts13Url).origin,
    ca: readFileSync(info.caFile, 'utf8'),
    upn: info.demoUser.upn,
    password: info.demoUser.password ?? password ?? assert.fail('the demo password is unknown'),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}

describe('replay state survives restarts and crashes, and is shared by workers (no Redis)', () => {
  test('replay after restart: a captured wss11 RST, a captured login request and a redeemed assertion are refused by the restarted IdP', async () => {
    const dataDir = tempDataDir();
    const port = await freePort();
    const start = () =>
      startIdp({ dataDir, port, config: CONFIG, logger: silentLogger, demoUser: true });
    const first = await start();
    await enrol(dataDir, keys);
    const t: Target = {
      origin: first.origin,
      ca: first.caPem,
      upn: first.demoUser.upn,
      password: first.demoUser.password ?? assert.fail('a new data folder has a new demo user'),
    };
    const captured = { rst: await capturedWss11(t), ...(await redeemed(t)) };
    await first.close();
    const second = await start();
    try {
      assert.equal(second.origin, t.origin);
      await replayAll(t, captured);
      assertReplayLabels(await faultCounts(t));
      // The restarted IdP still serves new logins.
      await capturedWss11(t);
      await redeemed(t);
    } finally {
      await second.close();
    }
  });

  test('replay after kill -9: the same three replays are refused by the IdP started again', async () => {
    const dataDir = tempDataDir();
    const port = String(await freePort());
    const first = await cliIdp(dataDir, ['--port', port]);
    let second: CliIdp | undefined;
    try {
      await enrol(dataDir, keys);
      const captured = { rst: await capturedWss11(first), ...(await redeemed(first)) };
      await first.stop('SIGKILL');
      second = await cliIdp(dataDir, ['--port', port], first.password);
      assert.equal(second.origin, first.origin);
      await replayAll(second, captured);
      assertReplayLabels(await faultCounts(second));
    } finally {
      await first.stop('SIGKILL');
      await second?.stop();
    }
  });

  test('replay across two workers on one data folder: every replay, on fresh connections spread over both workers, is refused', async () => {
    const dataDir = tempDataDir();
    const pool = await cliIdp(dataDir, ['--workers', '2']);
    try {
      await enrol(dataDir, keys);
      const captured = { rst: await capturedWss11(pool), ...(await redeemed(pool)) };
      // Round-robin hands successive connections to alternate workers. One round of replays opens
      // an even number of connections, so one extra connection between rounds sends each replay
      // to the other worker next time.
      for (let i = 0; i < 2; i++) {
        await replayAll(pool, captured);
        await get(pool, '/healthz');
      }
      // And a nonce issued by one worker is accepted by the other (one shared key).
      for (let i = 0; i < 2; i++) {
        await redeemed(pool);
        await get(pool, '/healthz');
      }
    } finally {
      await pool.stop();
    }
  });
});
