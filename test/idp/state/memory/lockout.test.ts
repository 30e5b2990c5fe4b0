import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryLockoutStore } from '../../../../packages/idp/src/state/memory/lockout.ts';
import { MAX_FAMILIAR_SOURCES } from '../../../../packages/idp/src/state/types.ts';
import { IdpError } from '../../../../packages/psso-wstrust/src/errors.ts';
import { lockoutContract } from '../contract/lockout.ts';

const S = '192.0.2.1';

describe('MemoryLockoutStore', () => {
  let current = new MemoryLockoutStore();
  lockoutContract(
    () => {
      current = new MemoryLockoutStore();
      return current;
    },
    () => current,
  );

  test('bounded: fails closed when full, and frees entries that say nothing any more', async () => {
    const s = new MemoryLockoutStore({ maxEntries: 2 });
    const policy = { threshold: 3, windowMs: 1000, lockoutMs: 5000 };
    const t = Date.UTC(2030, 0, 1);
    await s.recordFailure('a', S, new Date(t), policy);
    await s.recordFailure('b', S, new Date(t), policy);
    await assert.rejects(
      s.recordFailure('c', S, new Date(t + 999), policy),
      (e) => e instanceof IdpError && e.code === 'PSSO_ERR_IDP_REPLAY_CACHE_FULL',
    );
    // Known usernames still count while full.
    assert.equal(await s.recordFailure('a', S, new Date(t + 999), policy), false);
    // Once their windows are over, room again.
    assert.equal(await s.recordFailure('c', S, new Date(t + 1000), policy), false);
    await s.close();
  });

  test('a lock outlives its window for capacity purposes', async () => {
    const s = new MemoryLockoutStore({ maxEntries: 1 });
    const policy = { threshold: 1, windowMs: 1000, lockoutMs: 5000 };
    const t = Date.UTC(2030, 0, 1);
    assert.equal(await s.recordFailure('a', S, new Date(t), policy), true);
    await assert.rejects(s.recordFailure('b', S, new Date(t + 2000), policy), IdpError);
    assert.equal(await s.isLocked('a', S, new Date(t + 4999), policy), true);
    assert.equal(await s.recordFailure('b', S, new Date(t + 5000), policy), true);
    await s.close();
  });

  test('a full store still lets a user log in (the source just stays unfamiliar)', async () => {
    const s = new MemoryLockoutStore({ maxEntries: 1 });
    const policy = { threshold: 3, windowMs: 1000, lockoutMs: 5000, familiarMs: 60_000 };
    const t = new Date(Date.UTC(2030, 0, 1));
    await s.recordFailure('a', S, t, policy);
    await s.recordSuccess('b', S, t, policy);
    assert.equal(await s.isLocked('b', S, t, policy), false);
  });

  test(`familiar sources are bounded (${MAX_FAMILIAR_SOURCES} per user, the oldest goes)`, async () => {
    const s = new MemoryLockoutStore();
    const policy = { threshold: 1, windowMs: 1000, lockoutMs: 5000, familiarMs: 60_000 };
    const t = Date.UTC(2030, 0, 1);
    for (let i = 0; i <= MAX_FAMILIAR_SOURCES; i++)
      await s.recordSuccess('u', `10.0.0.${i}`, new Date(t + i), policy);
    // 10.0.0.0 was forgotten: it counts as unfamiliar; 10.0.0.1 is still familiar.
    await s.recordFailure('u', '10.0.0.0', new Date(t + 100), policy);
    assert.equal(await s.isLocked('u', '10.0.0.0', new Date(t + 101), policy), true);
    assert.equal(await s.isLocked('u', '10.0.0.1', new Date(t + 101), policy), false);
  });
});
