/**
 * `npm run bench:flow`: full Platform SSO logins through the whole flow — server nonce, MEX,
 * WS-Trust, login JWT, encrypted token response, id_token check — against reference IdPs running
 * in their own processes on loopback (IdP 1: SAML 1.1 relying party and a managed user; IdP 2:
 * SAML 2.0 relying party). Reports, PER METHOD (bench/lib/flow-methods.ts), p50/p99 of one
 * operation end to end (sequential) and the client-side CPU per operation (process.cpuUsage of
 * this process, so waiting on the network is excluded); then federated SAML 1.1 logins per second
 * with 8 in flight. Target: federated SAML 1.1 p50 under 25 ms.
 *
 * Options: `--duration S` (default 15 per phase), `--iterations N` (a fixed count per method
 * instead, e.g. 3 for a smoke run; the 8-in-flight phase then does N rounds), `--warmup N`
 * (default 20), `--check`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { enrolDemoExtras } from '../packages/cli/src/demo-world.ts';
import { openIdpState } from '../packages/idp/src/state/open.ts';
import { closeHttpAgents } from '../packages/psso-wstrust/src/http/agents.ts';
import { parseLoginConfiguration } from '../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../packages/psso-wstrust/src/psso/config/types.ts';
import {
  type DeviceKeys,
  generateDeviceKeys,
  publicJwk,
} from '../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { BUILT_CLI, builtCliEnv } from './lib/built-cli.ts';
import { type BenchIdp, benchMethods } from './lib/flow-methods.ts';

const args = process.argv.slice(2);
const option = (name: string) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined;
const duration = option('--duration') || 15;
const iterations = option('--iterations');
const warmup = option('--warmup') ?? 20;
const MAIN = BUILT_CLI;
const SAML11_URN = 'urn:federation:MicrosoftOnline';
const SAML2_URN = 'urn:example:saml2-relying-party';

const children: ChildProcess[] = [];
const dirs: string[] = [];
const keys = generateDeviceKeys();
const managedUser = { upn: 'bench@managed.example', password: `bench-${Date.now()}` };

/** Starts `idp` in its own process with this relying party; registers the device (and a user). */
async function startIdp(
  urn: string,
  samlVersion: '1.1' | '2.0',
  k: DeviceKeys,
  managed?: typeof managedUser,
): Promise<BenchIdp> {
  const data = mkdtempSync(join(tmpdir(), 'psso-bench-flow-'));
  dirs.push(data);
  const configFile = join(data, 'idp-config.json');
  writeFileSync(configFile, JSON.stringify({ relyingParties: [{ identifier: urn, samlVersion }] }));
  const child = spawn(
    process.execPath,
    [MAIN, 'idp', '--json', '--data', data, '--config', configFile, '--log-level', 'error'],
    { stdio: ['ignore', 'pipe', 'inherit'], env: builtCliEnv() },
  );
  children.push(child);
  const info = JSON.parse(
    await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (c) => reject(new Error(`idp exited ${c}`)));
    }),
  ) as { mexUrl: string; caFile: string; demoUser: { upn: string; password: string } };
  const origin = new URL(info.mexUrl).origin;
  const store = await openIdpState({ dataDir: data });
  try {
    await store.devices.add(
      'psso',
      publicJwk(k.signing.publicKey),
      publicJwk(k.encryption.publicKey),
    );
    if (managed !== undefined) await store.users.add(managed.upn, managed.password);
  } finally {
    await store.close();
  }
  const base = {
    clientID: 'psso',
    issuer: origin,
    tokenEndpointURL: `${origin}/psso/token`,
    jwksEndpointURL: `${origin}/psso/jwks`,
    nonceEndpointURL: `${origin}/psso/nonce`,
    refreshEndpointURL: `${origin}/psso/token`,
  };
  const resolve = (o: Record<string, unknown>) =>
    resolveLoginConfiguration(parseLoginConfiguration(o));
  return {
    ca: readFileSync(info.caFile, 'utf8'),
    configs: {
      federated: resolve({
        ...base,
        federationType: 'wsTrust',
        federationRequestURN: urn,
        federationMEXURL: info.mexUrl,
      }),
      managed: resolve(base),
    },
    federatedUser: info.demoUser,
    ...(managed === undefined ? {} : { managedUser: managed }),
  };
}

const [idp1, idp2] = await Promise.all([
  startIdp(SAML11_URN, '1.1', keys, managedUser),
  startIdp(SAML2_URN, '2.0', keys),
]);
// The key methods' setup at IdP 1 (user key, SmartCard CA, HPKE device), as the demo does it.
const extras = await enrolDemoExtras(dirs[0] ?? '', keys, managedUser);
const methods = benchMethods(idp1, idp2, extras);
const budget = iterations === undefined ? `${duration} s per phase` : `${iterations} per method`;
console.log(`psso-wstrust flow benchmark — Node ${process.version}, ${budget}`);

/** Sequential timing of one runner: sorted latencies (ms) and client CPU per operation. */
async function timeSequential(once: () => Promise<void>) {
  for (let i = 0; i < warmup; i++) await once(); // TLS, JIT, the credential cache
  const latencies: number[] = [];
  const cpu0 = process.cpuUsage();
  const end = performance.now() + duration * 1000;
  while (iterations === undefined ? performance.now() < end : latencies.length < iterations) {
    const t = performance.now();
    await once();
    latencies.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ??
    Number.NaN;
  return {
    n: latencies.length,
    p50: pct(50),
    p99: pct(99),
    cpu: (cpu.user + cpu.system) / 1000 / latencies.length,
  };
}

console.log(
  `\n${'method'.padEnd(22)} ${'ops'.padStart(6)} ${'p50'.padStart(10)} ${'p99'.padStart(10)} ${'CPU/op'.padStart(10)}`,
);
const results = new Map<string, { p50: number }>();
for (const m of methods) {
  const r = await timeSequential(m.once);
  results.set(m.name, r);
  console.log(
    `${m.name.padEnd(22)} ${String(r.n).padStart(6)} ${`${r.p50.toFixed(1)} ms`.padStart(10)} ${`${r.p99.toFixed(1)} ms`.padStart(10)} ${`${r.cpu.toFixed(2)} ms`.padStart(10)}`,
  );
}

// Throughput of the federated SAML 1.1 login, 8 in flight.
const federated = methods.find((m) => m.name === 'federated SAML 1.1');
if (federated === undefined) throw new Error('no federated SAML 1.1 runner');
let done = 0;
const end = performance.now() + duration * 1000;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: 8 }, async () => {
    let rounds = 0;
    while (iterations === undefined ? performance.now() < end : rounds++ < iterations) {
      await federated.once();
      done++;
    }
  }),
);
const rate = done / ((performance.now() - t0) / 1000);
console.log(`\nfederated SAML 1.1, 8 in flight: ${rate.toFixed(0)} logins/s`);
const p50 = results.get(federated.name)?.p50 ?? Number.NaN;
const ok = p50 < 25;
console.log(
  `${ok ? 'PASS' : 'MISS'}  p50 under 25 ms for one federated login end to end: ${p50.toFixed(1)} ms`,
);
for (const c of children) {
  c.kill('SIGTERM');
  await new Promise((r) => c.once('exit', r));
}
await closeHttpAgents();
for (const d of dirs) rmSync(d, { recursive: true, force: true });
if (args.includes('--check') && !ok) process.exitCode = 1;
