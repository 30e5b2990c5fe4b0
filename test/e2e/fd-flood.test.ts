import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import { WSTRUST13 } from '../../packages/psso-wstrust/src/protocol/wstrust.ts';
import { pssoLogin } from '../../packages/psso-wstrust/src/psso/flow/login.ts';
import { generateDeviceKeys } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { wsTrustLogin } from '../../packages/psso-wstrust/src/wstrust/login.ts';
import { startLine } from './idp-process.ts';
import { federatedConfig } from './logins.ts';
import { CONFIG, enrol, tempDataDir, URN } from './support.ts';

const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));
const FD_LIMIT = 1024;
const FLOOD = 1100;

interface Info {
  mexUrl: string;
  sts13Url: string;
  caFile: string;
  demoUser: { upn: string; password?: string };
}

let child: ChildProcess | undefined;
const flood: Socket[] = [];
after(async () => {
  for (const s of flood) s.destroy();
  if (child !== undefined && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child?.once('exit', r));
  }
  await closeHttpAgents();
});

test(`slowloris pre-TLS flood: ${FLOOD} idle sockets against ${FD_LIMIT} descriptors, legitimate STS and Platform SSO logins succeed`, {
  timeout: 60_000,
}, async () => {
  const dataDir = tempDataDir();
  const keys = generateDeviceKeys();
  await enrol(dataDir, keys);
  // The handshake timeout is set far beyond the test, so only the connection cap is at work.
  const configFile = join(dataDir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({ relyingParties: CONFIG.relyingParties, handshakeTimeoutMs: 60_000 }),
  );
  const stderr: string[] = [];
  const started = spawn(
    'bash',
    [
      '-c',
      `ulimit -n ${FD_LIMIT} && exec "$0" "$@"`,
      process.execPath,
      '--import',
      'tsx',
      MAIN,
      'idp',
      '--json',
      '--data',
      dataDir,
      '--config',
      configFile,
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child = started;
  createInterface({ input: started.stderr }).on('line', (l) => stderr.push(l));
  const info = await startLine<Info>(started, () => stderr.join('\n'));
  // Linux shows the limit the IdP runs under (elsewhere, trust bash's ulimit).
  if (existsSync(`/proc/${started.pid}/limits`)) {
    assert.match(
      readFileSync(`/proc/${started.pid}/limits`, 'utf8'),
      new RegExp(`Max open files\\s+${FD_LIMIT}\\s`),
      'the IdP runs under the limit',
    );
  }
  const origin = new URL(info.mexUrl).origin;
  const { port } = new URL(origin);
  const ca = readFileSync(info.caFile, 'utf8');

  // The attack: sockets that connect and never send a byte.
  let closedByServer = 0;
  await Promise.all(
    Array.from(
      { length: FLOOD },
      () =>
        new Promise<void>((resolve) => {
          const s = connect(Number(port), '127.0.0.1');
          flood.push(s);
          s.on('error', () => {});
          s.once('close', () => closedByServer++);
          s.once('connect', () => resolve());
          s.once('close', () => resolve());
        }),
    ),
  );
  // The server sheds at least the sockets beyond its descriptors; on a loaded machine it may take
  // a moment to accept them all.
  for (let waited = 0; closedByServer < FLOOD - FD_LIMIT && waited < 15_000; waited += 100)
    await new Promise((r) => setTimeout(r, 100));
  assert.ok(closedByServer >= FLOOD - FD_LIMIT, `the server shed sockets (${closedByServer})`);

  // Legitimate logins: WS-Trust directly, and the Platform SSO federated flow (nonce, MEX,
  // WS-Trust, token endpoint).
  const password = info.demoUser.password ?? '';
  const sts = await wsTrustLogin({
    endpoint: { version: '1.3', address: info.sts13Url, soapAction: WSTRUST13.issueAction },
    federationRequestURN: URN,
    username: info.demoUser.upn,
    password,
    http: { ca },
  });
  assert.equal(sts.token.grantType, 'urn:ietf:params:oauth:grant-type:saml1_1-bearer');
  const psso = await pssoLogin({
    config: federatedConfig({ origin, mexUrl: info.mexUrl }),
    username: info.demoUser.upn,
    password,
    keys,
    http: { ca },
  });
  assert.equal(psso.idTokenClaims.sub, info.demoUser.upn);

  // The flood was still in place: the server made room by shedding, not by timing out.
  const open = flood.filter((s) => !s.destroyed).length;
  assert.ok(open > (FD_LIMIT * 3) / 4, `attacker sockets still open: ${open}`);
  const metrics = Buffer.from(
    (await httpRequest({ method: 'GET', url: `${origin}/metrics` }, { ca })).body,
  ).toString();
  const max = Number(/^psso_idp_connections_max (\d+)$/m.exec(metrics)?.[1]);
  assert.ok(max > 0 && max < FD_LIMIT, `the default cap is below the descriptor limit (${max})`);
  const shed = Number(
    /^psso_idp_connections_shed_total\{state="handshake"\} (\d+)$/m.exec(metrics)?.[1],
  );
  assert.ok(shed >= FLOOD - max, `pre-TLS sockets shed: ${shed}`);
  // Shedding is logged as a summary, not one line per socket.
  const shedLines = stderr.filter((l) => l.includes('"http.connections.shed"'));
  assert.ok(shedLines.length >= 1 && shedLines.length <= 3, `${shedLines.length} shed lines`);
});
