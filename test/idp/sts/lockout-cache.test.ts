import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryLockoutStore } from '../../../src/idp/replay/lockout-memory.ts';
import type { LockoutStore } from '../../../src/idp/replay/types.ts';
import { cachedLockout } from '../../../src/idp/sts/lockout-cache.ts';

const policy = { threshold: 2, windowMs: 60_000, lockoutMs: 60_000 };
const t0 = new Date('2026-11-29T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

function counting(store: LockoutStore) {
  let reads = 0;
  return {
    store: {
      ...store,
      isLocked: (u: string, n: Date) => {
        reads++;
        return store.isLocked(u, n);
      },
      recordFailure: store.recordFailure.bind(store),
      recordSuccess: store.recordSuccess.bind(store),
      close: store.close.bind(store),
    } as LockoutStore,
    reads: () => reads,
  };
}

test('"not locked" is remembered for the TTL, per user', async () => {
  const c = counting(new MemoryLockoutStore());
  const cache = cachedLockout(c.store, 1000);
  assert.equal(await cache.isLocked('Alice@x', t0), false);
  assert.equal(await cache.isLocked('alice@x', at(500)), false);
  assert.equal(c.reads(), 1);
  await cache.isLocked('alice@x', at(1500));
  assert.equal(c.reads(), 2);
});

test('a lock recorded through this process applies at once', async () => {
  const cache = cachedLockout(new MemoryLockoutStore(), 60_000);
  assert.equal(await cache.isLocked('bob@x', t0), false);
  await cache.recordFailure('bob@x', at(1), policy);
  assert.equal(await cache.recordFailure('bob@x', at(2), policy), true);
  assert.equal(await cache.isLocked('bob@x', at(3)), true);
});

test('a lock made elsewhere applies within the TTL', async () => {
  const shared = new MemoryLockoutStore();
  const cache = cachedLockout(shared, 1000);
  assert.equal(await cache.isLocked('carol@x', t0), false);
  await shared.recordFailure('carol@x', at(1), policy);
  await shared.recordFailure('carol@x', at(2), policy);
  assert.equal(await cache.isLocked('carol@x', at(500)), false, 'stale within the TTL');
  assert.equal(await cache.isLocked('carol@x', at(1001)), true);
});
