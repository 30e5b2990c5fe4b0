import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadOrCreatePki } from '../../../packages/idp/src/pki.ts';
import { withDataDirLock } from '../../../packages/idp/src/store/lock.ts';

const HOLDER = fileURLToPath(new URL('./lock-holder.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'psso-lock-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const dir = join(root, `d${++n}`);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
};

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  assert.equal(child.status, 0);
  return child.pid as number;
}

test('kill -9 while holding the pki lock: the next start breaks the lock at once and starts', async () => {
  const dir = freshDir();
  const holder = spawn(process.execPath, ['--import', 'tsx', HOLDER, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(createInterface({ input: holder.stdout }), 'line');
  const lock = join(dir, '.pki.lock');
  assert.equal(JSON.parse(readFileSync(lock, 'utf8')).pid, holder.pid);
  // a live holder is waited for
  let entered = false;
  const waiting = withDataDirLock(dir, 'pki', async () => {
    entered = true;
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(entered, false);
  holder.kill('SIGKILL');
  await once(holder, 'exit');
  const started = Date.now();
  await waiting;
  assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
  assert.equal(existsSync(lock), false);
  // and a start on the folder works
  const pki = await loadOrCreatePki(dir);
  assert.equal(pki.generated.ca, true);
});

test('a lock left by a dead process on this host is broken at once', async () => {
  const dir = freshDir();
  const lock = join(dir, '.pki.lock');
  writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: hostname(), token: 'old' }));
  const started = Date.now();
  await loadOrCreatePki(dir);
  assert.ok(Date.now() - started < 5_000);
  assert.equal(existsSync(lock), false);
});

test('a lock naming this very pid with a token it does not hold (a restarted container) is stale', async () => {
  const dir = freshDir();
  writeFileSync(
    join(dir, '.x.lock'),
    JSON.stringify({ pid: process.pid, host: hostname(), token: 'before-restart' }),
  );
  const started = Date.now();
  assert.equal(await withDataDirLock(dir, 'x', async () => 'in'), 'in');
  assert.ok(Date.now() - started < 1_000);
});

test('a lock of another host is broken only by age (20 s); an empty lock file too', async () => {
  const dir = freshDir();
  const lock = join(dir, '.x.lock');
  writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', token: 't' }));
  const old = new Date(Date.now() - 21_000);
  utimesSync(lock, old, old);
  assert.equal(await withDataDirLock(dir, 'x', async () => 1), 1);
  writeFileSync(lock, '');
  utimesSync(lock, old, old);
  assert.equal(await withDataDirLock(dir, 'x', async () => 2), 2);
});

test('concurrent holders in one process take turns and leave no lock behind', async () => {
  const dir = freshDir();
  let inside = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 6 }, () =>
      withDataDirLock(dir, 'x', async () => {
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 10));
        inside--;
      }),
    ),
  );
  assert.equal(most, 1);
  assert.equal(existsSync(join(dir, '.x.lock')), false);
});
