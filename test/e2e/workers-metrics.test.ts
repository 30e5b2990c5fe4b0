import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startLine } from './idp-process.ts';
import { tempDataDir } from './support.ts';

const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));
const REQUESTS = 12;

let child: ChildProcess | undefined;
after(async () => {
  if (child !== undefined && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child?.once('exit', r));
  }
});

/** One request on a connection of its own (so the cluster spreads them over the workers). */
function get(url: string, ca: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('/metrics with --workers 2 is one view of every worker: request counts are the sum over workers', async () => {
  const stderr: string[] = [];
  const started = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'idp', '--workers', '2', '--json', '--data', tempDataDir()],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child = started;
  createInterface({ input: started.stderr }).on('line', (l) => stderr.push(l));
  const info = await startLine<{ mexUrl: string; caFile: string }>(started, () =>
    stderr.join('\n'),
  );
  const origin = new URL(info.mexUrl).origin;
  const ca = readFileSync(info.caFile, 'utf8');
  for (let i = 0; i < REQUESTS; i++) assert.equal((await get(`${origin}/healthz`, ca)).status, 200);

  const servedBy = (route: string) =>
    new Set(
      stderr
        .map((l) => JSON.parse(l) as { event?: string; route?: string; worker?: number })
        .filter((l) => l.event === 'http.access' && l.route === route)
        .map((l) => l.worker),
    );
  assert.deepEqual([...servedBy('/healthz')].sort(), [1, 2], 'both workers served requests');
  // Scrape until each worker has answered /metrics at least once: every answer is the total.
  for (let i = 0; i < 10 && servedBy('/metrics').size < 2; i++) {
    const m = await get(`${origin}/metrics`, ca);
    assert.equal(m.status, 200);
    assert.match(
      m.text,
      new RegExp(`^psso_idp_requests_total\\{route="/healthz",status="200"\\} ${REQUESTS}$`, 'm'),
    );
    assert.match(m.text, /^psso_idp_workers_reporting 2$/m);
    assert.match(m.text, /^process_resident_memory_bytes\{worker="1"\} \d+$/m);
    assert.match(m.text, /^process_resident_memory_bytes\{worker="2"\} \d+$/m);
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual([...servedBy('/metrics')].sort(), [1, 2], 'both workers answered /metrics');
});
