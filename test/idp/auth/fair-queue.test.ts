import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FairQueue, IdpBusyError } from '../../../packages/idp/src/auth/fair-queue.ts';

/** A task that finishes when told to, recording its start. */
function gate(log: string[], name: string) {
  let open: () => void = () => {};
  const done = new Promise<void>((r) => {
    open = r;
  });
  const task = () => {
    log.push(name);
    return done.then(() => name);
  };
  return { task, open: () => open() };
}

const busy = (e: unknown) => e instanceof IdpBusyError && e.code === 'PSSO_ERR_IDP_BUSY';

test('password-check queue: one source cannot take every slot', async () => {
  const q = new FairQueue({ concurrency: 2, queue: 100, perSource: 10 });
  const log: string[] = [];
  const flood = Array.from({ length: 10 }, (_, i) => gate(log, `flood${i}`));
  const floodRuns = flood.map((g) => q.run('127.0.0.2', g.task));
  // The 11th from the flood is refused at once: its source has 10 in flight.
  await assert.rejects(
    q.run('127.0.0.2', async () => 'x'),
    busy,
  );
  const legit = gate(log, 'legit');
  const legitRun = q.run('127.0.0.1', legit.task);
  assert.deepEqual(log, ['flood0', 'flood1']);
  assert.equal(q.waiting, 9);
  // One slot frees: the other source goes next, ahead of eight waiting flood checks.
  flood[0]?.open();
  await floodRuns[0];
  assert.deepEqual(log, ['flood0', 'flood1', 'legit']);
  legit.open();
  assert.equal(await legitRun, 'legit');
  for (const g of flood) g.open();
  assert.equal((await Promise.all(floodRuns)).length, 10);
  assert.equal(q.running + q.waiting, 0);
});

test('password-check queue: round-robin across sources', async () => {
  const q = new FairQueue({ concurrency: 1, queue: 100, perSource: 100 });
  const order: string[] = [];
  const first = gate(order, 'a0');
  const runs = [q.run('a', first.task)];
  const job = (name: string) => async () => {
    order.push(name);
    return name;
  };
  for (let i = 1; i <= 3; i++) runs.push(q.run('a', job(`a${i}`)));
  for (let i = 0; i < 2; i++) runs.push(q.run('b', job(`b${i}`)));
  runs.push(q.run('c', job('c0')));
  first.open();
  await Promise.all(runs);
  assert.deepEqual(order, ['a0', 'a1', 'b0', 'c0', 'a2', 'b1', 'a3']);
});

test('password-check queue: past the total bound, refused at once with a Retry-After', async () => {
  const q = new FairQueue({ concurrency: 1, queue: 2, perSource: 100 });
  const log: string[] = [];
  const g = gate(log, 'g');
  const runs = [q.run('s1', g.task), q.run('s2', async () => 1), q.run('s3', async () => 2)];
  const t0 = performance.now();
  const refused = await q.run('s4', async () => 3).catch((e: unknown) => e);
  assert.ok(performance.now() - t0 < 50, 'answered quickly');
  assert.ok(busy(refused));
  assert.ok((refused as IdpBusyError).retryAfterSeconds >= 1);
  g.open();
  await Promise.all(runs);
  // Room again afterwards; a failing task frees its slot too.
  await assert.rejects(
    q.run('s1', async () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(await q.run('s1', async () => 'ok'), 'ok');
});

test('limits must be whole numbers of at least 1', () => {
  assert.throws(() => new FairQueue({ concurrency: 0 }), TypeError);
  assert.throws(() => new FairQueue({ queue: 1.5 }), TypeError);
});
