import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IdpError } from '../../../src/errors.ts';
import { MemoryLockoutStore } from '../../../src/idp/replay/lockout-memory.ts';
import { lockoutContract } from './lockout-contract.ts';

describe('MemoryLockoutStore', () => {
  lockoutContract(() => new MemoryLockoutStore());

  test('bounded: fails closed when full, and frees entries that say nothing any more', async () => {
    const s = new MemoryLockoutStore({ maxEntries: 2 });
    const policy = { threshold: 3, windowMs: 1000, lockoutMs: 5000 };
    const t = Date.UTC(2030, 0, 1);
    await s.recordFailure('a', new Date(t), policy);
    await s.recordFailure('b', new Date(t), policy);
    await assert.rejects(
      s.recordFailure('c', new Date(t + 999), policy),
      (e) => e instanceof IdpError && e.code === 'PSSO_ERR_IDP_REPLAY_CACHE_FULL',
    );
    // Known usernames still count while full.
    assert.equal(await s.recordFailure('a', new Date(t + 999), policy), false);
    // Once their windows are over, room again.
    assert.equal(await s.recordFailure('c', new Date(t + 1000), policy), false);
    await s.close();
  });

  test('a lock outlives its window for capacity purposes', async () => {
    const s = new MemoryLockoutStore({ maxEntries: 1 });
    const policy = { threshold: 1, windowMs: 1000, lockoutMs: 5000 };
    const t = Date.UTC(2030, 0, 1);
    assert.equal(await s.recordFailure('a', new Date(t), policy), true);
    await assert.rejects(s.recordFailure('b', new Date(t + 2000), policy), IdpError);
    assert.equal(await s.isLocked('a', new Date(t + 4999)), true);
    assert.equal(await s.recordFailure('b', new Date(t + 5000), policy), true);
    await s.close();
  });
});
