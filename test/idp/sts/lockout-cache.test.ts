import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryLockoutStore } from '../../../packages/idp/src/state/memory/lockout.ts';
import type { LockoutStore } from '../../../packages/idp/src/state/types.ts';
import { cachedLockout } from '../../../packages/idp/src/sts/lockout-cache.ts';

const policy = { threshold: 2, windowMs: 60_000, lockoutMs: 60_000 };
const t0 = new Date('2026-11-29T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const SRC = '192.0.2.1';

function counting(store: LockoutStore) {
  let reads = 0;
  return {
    store: {
      isLocked: (u, s, n, p) => {
        reads++;
        return store.isLocked(u, s, n, p);
      },
      recordFailure: store.recordFailure.bind(store),
      recordSuccess: store.recordSuccess.bind(store),
      unlock: store.unlock.bind(store),
      close: store.close.bind(store),
    } satisfies LockoutStore,
    reads: () => reads,
  };
}

test('"not locked" is remembered for the TTL, per user and source', async () => {
  const c = counting(new MemoryLockoutStore());
  const cache = cachedLockout(c.store, 1000);
  assert.equal(await cache.isLocked('Alice@x', SRC, t0, policy), false);
  assert.equal(await cache.isLocked('alice@x', SRC, at(500), policy), false);
  assert.equal(c.reads(), 1);
  await cache.isLocked('alice@x', '192.0.2.2', at(600), policy);
  assert.equal(c.reads(), 2, 'another source is another question');
  await cache.isLocked('alice@x', SRC, at(1500), policy);
  assert.equal(c.reads(), 3);
});

test('a lock recorded through this process applies at once', async () => {
  const cache = cachedLockout(new MemoryLockoutStore(), 60_000);
  assert.equal(await cache.isLocked('bob@x', SRC, t0, policy), false);
  await cache.recordFailure('bob@x', SRC, at(1), policy);
  assert.equal(await cache.recordFailure('bob@x', SRC, at(2), policy), true);
  assert.equal(await cache.isLocked('bob@x', SRC, at(3), policy), true);
  await cache.unlock('bob@x');
  assert.equal(await cache.isLocked('bob@x', SRC, at(4), policy), false);
});

test('a lock made elsewhere applies within the TTL', async () => {
  const shared = new MemoryLockoutStore();
  const cache = cachedLockout(shared, 1000);
  assert.equal(await cache.isLocked('carol@x', SRC, t0, policy), false);
  await shared.recordFailure('carol@x', SRC, at(1), policy);
  await shared.recordFailure('carol@x', SRC, at(2), policy);
  assert.equal(await cache.isLocked('carol@x', SRC, at(500), policy), false, 'stale within TTL');
  assert.equal(await cache.isLocked('carol@x', SRC, at(1001), policy), true);
});
