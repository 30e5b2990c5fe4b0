/**
 * `npm run bench:idp`: full WS-Trust logins per second against the reference IdP — a
 * RequestSecurityToken in, a signed SAML assertion out — over loopback https with 32 concurrent
 * connections (autocannon), next to the raw RSA-2048 signing rate of node:crypto measured in the
 * same run on the same machine. Reports p50/p99 latency, errors, the IdP's peak RSS (sampled every
 * second), and the same load against `--workers 2` (node:cluster) for the scaling ratio.
 *
 * Targets (issue #3): logins/s ≥ 60% of the raw single-core signing rate for one process; p99 <
 * 50 ms; RSS flat and under 250 MB; zero errors; ≥ 1.6× with two workers.
 *
 * Options: `--duration S` (default 30), `--connections N` (default 32), `--check` (exit 1 on a
 * missed target), `--workers-only`, `--single-only`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { WSTRUST13 } from '../packages/psso-wstrust/src/protocol/wstrust.ts';
import { buildRequestSecurityToken } from '../packages/psso-wstrust/src/wstrust/rst.ts';
import { BUILT_CLI, builtCliEnv } from './lib/built-cli.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const duration = arg('--duration', 30);
const connections = arg('--connections', 32);
const MAIN = BUILT_CLI;

function rawSigningRate(ms = 3000): number {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const data = randomBytes(4096);
  for (let i = 0; i < 200; i++) sign('sha256', data, privateKey);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    sign('sha256', data, privateKey);
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

interface Started {
  pid: number;
  info: { sts13Url: string; demoUser: { upn: string; password: string } };
  stop(): Promise<void>;
}

async function startIdp(workers: number): Promise<Started> {
  const data = mkdtempSync(join(tmpdir(), 'psso-bench-idp-'));
  const child = spawn(
    process.execPath,
    [
      MAIN,
      'idp',
      '--json',
      '--data',
      data,
      '--log-level',
      'error',
      ...(workers > 1 ? ['--workers', String(workers)] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: builtCliEnv() },
  );
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`idp exited with ${code}`)));
  });
  return {
    pid: child.pid as number,
    info: JSON.parse(line),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** RSS in MB of a process and its children. */
function rssMb(pid: number): number {
  try {
    const out = execFileSync('ps', ['-o', 'rss=', '--pid', String(pid), '--ppid', String(pid)], {
      encoding: 'utf8',
    });
    return out.split('\n').reduce((sum, l) => sum + (Number(l.trim()) || 0), 0) / 1024;
  } catch {
    return 0;
  }
}

interface Outcome {
  loginsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
  rssFirst: number;
  rssLast: number;
  rssPeak: number;
}

async function load(workers: number): Promise<Outcome> {
  const idp = await startIdp(workers);
  const url = new URL(idp.info.sts13Url);
  const rst = buildRequestSecurityToken({
    endpoint: { version: '1.3', address: idp.info.sts13Url, soapAction: WSTRUST13.issueAction },
    appliesTo: 'urn:federation:MicrosoftOnline',
    username: idp.info.demoUser.upn,
    password: idp.info.demoUser.password,
  });
  const request = {
    method: 'POST' as const,
    path: url.pathname,
    headers: { 'content-type': 'application/soap+xml; charset=utf-8', soapaction: rst.soapAction },
    body: rst.body,
  };
  const run =
    WRK === undefined
      ? (d: number) => autocannonRun(url, request, d)
      : (d: number) => wrkRun(url, request, d);
  await run(3); // warm-up: TLS sessions, JIT, the credential cache
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(rssMb(idp.pid)), 1000);
  const result = await run(duration);
  clearInterval(timer);
  await idp.stop();
  return {
    ...result,
    rssFirst: samples[0] ?? 0,
    rssLast: samples.at(-1) ?? 0,
    rssPeak: Math.max(0, ...samples),
  };
}

type Load = Pick<Outcome, 'loginsPerSec' | 'p50' | 'p99' | 'errors' | 'total'>;
interface LoadRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

async function autocannonRun(url: URL, request: LoadRequest, seconds: number): Promise<Load> {
  const r = await autocannon({
    url: url.origin,
    connections,
    duration: seconds,
    requests: [request],
  });
  return {
    loginsPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    total: r.requests.total,
  };
}

/** wrk (C, OpenSSL) costs the shared CPU far less than a JavaScript load generator. */
async function wrkRun(url: URL, request: LoadRequest, seconds: number): Promise<Load> {
  const dir = mkdtempSync(join(tmpdir(), 'psso-wrk-'));
  const script = join(dir, 'post.lua');
  const headers = Object.entries(request.headers).map(
    ([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`,
  );
  writeFileSync(
    script,
    [`wrk.method = "POST"`, `wrk.body = ${JSON.stringify(request.body)}`, ...headers].join('\n'),
  );
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      WRK as string,
      ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url.href],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d));
    child.once('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}`)),
    );
  });
  rmSync(dir, { recursive: true, force: true });
  const ms = (label: string) => {
    const m = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (m === null) return Number.NaN;
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((s, n) => s + Number(n), 0);
  return {
    loginsPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    p50: round(ms('50%')),
    p99: round(ms('99%')),
    errors: non2xx + socketErrors,
    total,
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Debian's wrk when installed (`apt-get install wrk`), else autocannon. */
const WRK = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return 'wrk';
  } catch (e) {
    return (e as { status?: number }).status === 1 ? 'wrk' : undefined;
  }
})();

console.log(
  `psso-wstrust IdP benchmark — Node ${process.version}, ${cpus().length} cores, ${connections} connections, ${duration} s per run`,
);
process.stdout.write('raw RSA-2048 signing rate of node:crypto (one core)… ');
const raw = rawSigningRate();
console.log(`${raw.toFixed(0)} signatures/s`);

const results: Array<[string, Outcome]> = [];
if (!args.includes('--workers-only')) {
  process.stdout.write('one IdP process… ');
  results.push(['1 process', await load(1)]);
  console.log('done');
}
if (!args.includes('--single-only')) {
  process.stdout.write('two workers (node:cluster)… ');
  results.push(['2 workers', await load(2)]);
  console.log('done');
}
console.log(
  '\nrun         logins/s  vs raw sign  p50 ms  p99 ms  errors  RSS first→last (peak) MB',
);
for (const [name, r] of results) {
  console.log(
    `${name.padEnd(10)}  ${r.loginsPerSec.toFixed(0).padStart(8)}  ${((r.loginsPerSec / raw) * 100).toFixed(0).padStart(10)}%  ${String(r.p50).padStart(6)}  ${String(r.p99).padStart(6)}  ${String(r.errors).padStart(6)}  ${r.rssFirst.toFixed(0)}→${r.rssLast.toFixed(0)} (${r.rssPeak.toFixed(0)})`,
  );
}
const single = results.find(([n]) => n === '1 process')?.[1];
const two = results.find(([n]) => n === '2 workers')?.[1];
const targets: Array<[string, boolean | undefined, string]> = [
  [
    'one process ≥ 60% of the raw signing rate',
    single && single.loginsPerSec >= 0.6 * raw,
    single ? `${((single.loginsPerSec / raw) * 100).toFixed(0)}%` : 'not run',
  ],
  ['p99 < 50 ms', single && single.p99 < 50, single ? `${single.p99} ms` : 'not run'],
  [
    'RSS under 250 MB and flat',
    single && single.rssPeak < 250 && single.rssLast < single.rssFirst * 1.5,
    single ? `peak ${single.rssPeak.toFixed(0)} MB` : 'not run',
  ],
  [
    'zero errors',
    results.every(([, r]) => r.errors === 0),
    results.map(([n, r]) => `${n}: ${r.errors}`).join(', '),
  ],
  [
    'two workers ≥ 1.6×',
    single && two && two.loginsPerSec >= 1.6 * single.loginsPerSec,
    single && two ? `${(two.loginsPerSec / single.loginsPerSec).toFixed(2)}×` : 'not run',
  ],
];
console.log('');
for (const [name, ok, detail] of targets)
  console.log(`${ok === true ? 'PASS' : ok === false ? 'MISS' : 'SKIP'}  ${name}: ${detail}`);
if (cpus().length < 4) {
  console.log(
    `note: ${cpus().length} cores are shared by the load generator and the IdP; two workers cannot get two whole cores here.`,
  );
}
if (args.includes('--check') && targets.some(([, ok]) => ok !== true)) process.exitCode = 1;
