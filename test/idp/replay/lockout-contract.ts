/**
 * Behaviour every LockoutStore must have, run against the memory and the Redis store. Times are
 * passed explicitly (logical clock); durations are long so Redis's own PX expiry never interferes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LockoutPolicy, LockoutStore } from '../../../src/idp/replay/types.ts';

const T0 = Date.UTC(2030, 0, 1);
const at = (ms: number): Date => new Date(T0 + ms);
const policy: LockoutPolicy = { threshold: 3, windowMs: 60_000, lockoutMs: 300_000 };

/** `store()` gives a fresh store, or one whose usernames are fresh (each test uses its own). */
export function lockoutContract(store: () => LockoutStore): void {
  let n = 0;
  const user = (): string => `user${++n}-${process.pid}-${Math.random()}@example.com`;

  test('locks at the threshold, not before', async () => {
    const s = store();
    const u = user();
    assert.equal(await s.isLocked(u, at(0)), false);
    assert.equal(await s.recordFailure(u, at(0), policy), false);
    assert.equal(await s.recordFailure(u, at(1000), policy), false);
    assert.equal(await s.isLocked(u, at(1500)), false);
    assert.equal(await s.recordFailure(u, at(2000), policy), true);
    assert.equal(await s.isLocked(u, at(2000)), true);
  });

  test('stays locked for lockoutMs, then unlocks with a fresh count', async () => {
    const s = store();
    const u = user();
    for (let i = 0; i < 3; i++) await s.recordFailure(u, at(i), policy);
    assert.equal(await s.isLocked(u, at(2 + 299_999)), true);
    // Failures while locked neither count nor extend the lock.
    assert.equal(await s.recordFailure(u, at(100_000), policy), true);
    assert.equal(await s.isLocked(u, at(2 + 300_000)), false);
    assert.equal(await s.recordFailure(u, at(302_000), policy), false);
    assert.equal(await s.recordFailure(u, at(302_001), policy), false);
    assert.equal(await s.recordFailure(u, at(302_002), policy), true);
  });

  test('a success clears the count', async () => {
    const s = store();
    const u = user();
    await s.recordFailure(u, at(0), policy);
    await s.recordFailure(u, at(1), policy);
    await s.recordSuccess(u);
    assert.equal(await s.recordFailure(u, at(2), policy), false);
    assert.equal(await s.recordFailure(u, at(3), policy), false);
    assert.equal(await s.isLocked(u, at(4)), false);
    assert.equal(await s.recordFailure(u, at(4), policy), true);
  });

  test('failures older than the window no longer count', async () => {
    const s = store();
    const u = user();
    await s.recordFailure(u, at(0), policy);
    await s.recordFailure(u, at(59_999), policy);
    // The window began at the first failure: this one opens a new window.
    assert.equal(await s.recordFailure(u, at(60_000), policy), false);
    assert.equal(await s.recordFailure(u, at(60_001), policy), false);
    assert.equal(await s.recordFailure(u, at(60_002), policy), true);
  });

  test('usernames are case-insensitive; other users are unaffected', async () => {
    const s = store();
    const u = user();
    await s.recordFailure(u.toUpperCase(), at(0), policy);
    await s.recordFailure(u, at(1), policy);
    assert.equal(await s.recordFailure(u.replace('user', 'USER'), at(2), policy), true);
    assert.equal(await s.isLocked(u.toUpperCase(), at(3)), true);
    assert.equal(await s.isLocked(user(), at(3)), false);
  });

  test('a threshold of 1 locks at the first failure; bad policies are TypeErrors', async () => {
    const s = store();
    const u = user();
    assert.equal(await s.recordFailure(u, at(0), { ...policy, threshold: 1 }), true);
    await assert.rejects(s.recordFailure(u, at(0), { ...policy, threshold: 0 }), TypeError);
    await assert.rejects(s.recordFailure(u, at(0), { ...policy, windowMs: 0 }), TypeError);
    await assert.rejects(s.recordFailure(u, new Date(Number.NaN), policy), TypeError);
  });
}
