/**
 * `npm run bench:idp` (second part): Platform SSO logins per second, and their p99, against one
 * IdP host on SQLite (the embedded default) and against two hosts sharing one PostgreSQL database
 * and one Redis (`--database`, `--redis`), each host its own process and data folder with the same
 * keys (`exportIdpKeys` / `importIdpKeys`). Everything runs on this machine: the hosts share its cores with each other, with
 * PostgreSQL, Redis and the load generator, so the two-host figure measures the cost of the shared
 * state, not the capacity of two machines.
 *
 * A login is what a Mac does: `POST /psso/nonce`, then `POST /psso/token` with a password grant
 * signed by a registered device — on the IdP a device lookup, the nonce's consumption (replay
 * store), the one password check (lockout; the verified-credential cache spares scrypt after the
 * first), the user, an id_token signature, a new refresh token family, an encrypted response. With
 * two hosts every login takes its nonce from one host and its token from the other.
 *
 * PostgreSQL and Redis are started by the test helpers (throwaway, loopback, in a temporary
 * folder); without them the two-host run is skipped, saying so. Options: `--duration S` (default
 * 20), `--connections N` (concurrent logins, default 16).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';
import { exportIdpKeys, importIdpKeys } from '../packages/idp/src/keys/bundle.ts';
import { openIdpState } from '../packages/idp/src/state/open.ts';
import { buildLoginJwt, loginRequestBody } from '../packages/psso-wstrust/src/jose/login-jwt.ts';
import {
  generateDeviceKeys,
  publicJwk,
} from '../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { postgresSkip, startPostgres } from '../test/helpers/postgres.ts';
import { redisSkip, startRedis } from '../test/helpers/redis.ts';
import { BUILT_CLI, builtCliEnv } from './lib/built-cli.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const duration = arg('--duration', 20);
const connections = arg('--connections', 16);
const MAIN = BUILT_CLI;
const USER = { upn: 'bench@managed.example', password: 'a bench password' };
const keys = generateDeviceKeys();
const folders: string[] = [];

interface Host {
  readonly origin: string;
  readonly dataDir: string;
  readonly ca: string;
  stop(): Promise<void>;
}

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'psso-bench-hosts-'));
  folders.push(dir);
  return dir;
}

async function startHost(dataDir: string, extra: readonly string[] = []): Promise<Host> {
  const child = spawn(
    process.execPath,
    [MAIN, 'idp', '--json', '--data', dataDir, '--port', '0', '--log-level', 'error', ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'], env: builtCliEnv() },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`idp exited with ${code}`)));
  });
  const info = JSON.parse(line) as { origin: string; caFile: string };
  return {
    origin: info.origin,
    dataDir,
    ca: readFileSync(info.caFile, 'utf8'),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Registers the device and the managed user (once, wherever the hosts keep their state). */
async function enrol(where: { dataDir: string; database?: string }): Promise<void> {
  const state = await openIdpState(where);
  try {
    await state.devices.add(
      'psso',
      publicJwk(keys.signing.publicKey),
      publicJwk(keys.encryption.publicKey),
    );
    if ((await state.users.get(USER.upn)) === undefined)
      await state.users.add(USER.upn, USER.password);
  } finally {
    await state.close();
  }
}

interface Outcome {
  readonly loginsPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly total: number;
}

/** `connections` loops of logins for `seconds`; login i takes its nonce from one host, its token from the next. */
async function load(hosts: readonly Host[], seconds: number): Promise<Outcome> {
  const agent = new Agent({ connect: { ca: hosts[0]?.ca }, keepAliveTimeout: 30_000 });
  const post = async (url: string, body: string) => {
    const r = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    return { status: r.statusCode, text: await r.body.text() };
  };
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const i = n++;
      const from = hosts[i % hosts.length] as Host;
      const to = hosts[(i + 1) % hosts.length] as Host;
      const t0 = performance.now();
      try {
        const nonce = await post(`${from.origin}/psso/nonce`, 'grant_type=srv_challenge');
        const jwt = await buildLoginJwt({
          signingKey: keys.signing.privateKey,
          encryptionPublicKey: keys.encryption.publicKey,
          clientId: 'psso',
          username: USER.upn,
          password: USER.password,
          tokenEndpoint: `${to.origin}/psso/token`,
          nonce: randomUUID().toUpperCase(),
          serverNonce: (JSON.parse(nonce.text) as { Nonce: string }).Nonce,
          scope: 'openid offline_access urn:apple:platformsso',
        });
        const token = await post(`${to.origin}/psso/token`, loginRequestBody(jwt));
        if (token.status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsed = (performance.now() - t0) / 1000;
  await agent.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((latencies[Math.floor(q * (latencies.length - 1))] ?? 0) * 10) / 10;
  return {
    loginsPerSec: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    errors,
    total: latencies.length,
  };
}

async function measure(hosts: readonly Host[]): Promise<Outcome> {
  await load(hosts, 3); // warm-up: TLS sessions, JIT, the credential cache, the pools
  return load(hosts, duration);
}

console.log(
  `psso-wstrust IdP hosts benchmark — Platform SSO password logins (nonce + token), Node ${process.version}, ${cpus().length} cores, ${connections} concurrent logins, ${duration} s per run`,
);
const results: Array<[string, Outcome]> = [];
try {
  process.stdout.write('one host, SQLite… ');
  const dir = folder();
  const one = await startHost(dir);
  await enrol({ dataDir: dir });
  results.push(['1 host, SQLite', await measure([one])]);
  await one.stop();
  console.log('done');

  const skip = postgresSkip() || redisSkip();
  if (skip !== false) console.log(`two hosts on PostgreSQL + Redis: skipped (${skip})`);
  else {
    process.stdout.write('two hosts, PostgreSQL + Redis… ');
    const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    try {
      const database = await pg.createDatabase();
      const shared = ['--database', database, '--redis', redis.url];
      const a = await startHost(folder(), shared);
      const dirB = join(folder(), 'b');
      await importIdpKeys(dirB, await exportIdpKeys(a.dataDir));
      const b = await startHost(dirB, shared);
      await enrol({ dataDir: a.dataDir, database });
      results.push(['2 hosts, PostgreSQL + Redis', await measure([a, b])]);
      await Promise.all([a.stop(), b.stop()]);
      console.log('done');
    } finally {
      await Promise.all([pg.destroy(), redis.stop()]);
    }
  }
} finally {
  for (const d of folders) rmSync(d, { recursive: true, force: true });
}

console.log('\nrun                          logins/s  p50 ms  p99 ms  errors  logins');
for (const [name, r] of results)
  console.log(
    `${name.padEnd(27)}  ${r.loginsPerSec.toFixed(0).padStart(8)}  ${String(r.p50).padStart(6)}  ${String(r.p99).padStart(6)}  ${String(r.errors).padStart(6)}  ${String(r.total).padStart(6)}`,
  );
const [first, second] = results.map(([, r]) => r);
if (first !== undefined && second !== undefined)
  console.log(
    `\ntwo hosts on PostgreSQL + Redis vs one host on SQLite: ${(second.loginsPerSec / first.loginsPerSec).toFixed(2)}× the logins/s, ${(second.p99 / first.p99).toFixed(2)}× the p99`,
  );
if (cpus().length < 4)
  console.log(
    `note: ${cpus().length} cores are shared by both hosts, PostgreSQL, Redis and the load generator.`,
  );
