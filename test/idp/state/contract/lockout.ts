/**
 * Behaviour every LockoutStore must have, run against the memory, SQLite and Redis stores. Times
 * are passed explicitly (logical clock); durations are long so Redis's own PX expiry never
 * interferes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LockoutPolicy, LockoutStore } from '../../../../packages/idp/src/state/types.ts';

const T0 = Date.UTC(2030, 0, 1);
const at = (ms: number): Date => new Date(T0 + ms);
/** Classic lockout: one counter for every source. */
const policy: LockoutPolicy = { threshold: 3, windowMs: 60_000, lockoutMs: 300_000 };
/** Smart lockout: a source is familiar for a day after a success from it. */
const smart: LockoutPolicy = { ...policy, familiarMs: 86_400_000 };
const A = '127.0.0.1';
const B = '127.0.0.2';

/**
 * `store()` gives a fresh store, or one whose usernames are fresh (each test uses its own);
 * `other()`, another connection to the same store (default `store()` itself).
 */
export function lockoutContract(
  store: () => LockoutStore,
  other: () => LockoutStore = store,
): void {
  let n = 0;
  const user = (): string => `user${++n}-${process.pid}-${Math.random()}@example.com`;

  test('locks at the threshold, not before', async () => {
    const s = store();
    const u = user();
    assert.equal(await s.isLocked(u, A, at(0), policy), false);
    assert.equal(await s.recordFailure(u, A, at(0), policy), false);
    assert.equal(await s.recordFailure(u, A, at(1000), policy), false);
    assert.equal(await s.isLocked(u, A, at(1500), policy), false);
    assert.equal(await s.recordFailure(u, A, at(2000), policy), true);
    assert.equal(await s.isLocked(u, A, at(2000), policy), true);
    // Without smart lockout, every source shares the lock.
    assert.equal(await s.isLocked(u, B, at(2000), policy), true);
  });

  test('stays locked for lockoutMs, then unlocks with a fresh count', async () => {
    const s = store();
    const u = user();
    for (let i = 0; i < 3; i++) await s.recordFailure(u, A, at(i), policy);
    assert.equal(await s.isLocked(u, A, at(2 + 299_999), policy), true);
    // Failures while locked neither count nor extend the lock.
    assert.equal(await s.recordFailure(u, A, at(100_000), policy), true);
    assert.equal(await s.isLocked(u, A, at(2 + 300_000), policy), false);
    assert.equal(await s.recordFailure(u, A, at(302_000), policy), false);
    assert.equal(await s.recordFailure(u, A, at(302_001), policy), false);
    assert.equal(await s.recordFailure(u, A, at(302_002), policy), true);
  });

  test('a success clears the count', async () => {
    const s = store();
    const u = user();
    await s.recordFailure(u, A, at(0), policy);
    await s.recordFailure(u, A, at(1), policy);
    await s.recordSuccess(u, A, at(2), policy);
    assert.equal(await s.recordFailure(u, A, at(2), policy), false);
    assert.equal(await s.recordFailure(u, A, at(3), policy), false);
    assert.equal(await s.isLocked(u, A, at(4), policy), false);
    assert.equal(await s.recordFailure(u, A, at(4), policy), true);
  });

  test('failures older than the window no longer count', async () => {
    const s = store();
    const u = user();
    await s.recordFailure(u, A, at(0), policy);
    await s.recordFailure(u, A, at(59_999), policy);
    // The window began at the first failure: this one opens a new window.
    assert.equal(await s.recordFailure(u, A, at(60_000), policy), false);
    assert.equal(await s.recordFailure(u, A, at(60_001), policy), false);
    assert.equal(await s.recordFailure(u, A, at(60_002), policy), true);
  });

  test('usernames are compared canonically (case, NFC/NFD, IDNA); other users are unaffected', async () => {
    const s = store();
    const u = user();
    await s.recordFailure(u.toUpperCase(), A, at(0), policy);
    await s.recordFailure(u, A, at(1), policy);
    assert.equal(await s.recordFailure(u.replace('user', 'USER'), A, at(2), policy), true);
    assert.equal(await s.isLocked(u.toUpperCase(), A, at(3), policy), true);
    assert.equal(await s.isLocked(user(), A, at(3), policy), false);
    const local = `n${++n}-${Math.random()}`;
    const nfc = `${local}@bücher.example`;
    for (let i = 0; i < 2; i++) await s.recordFailure(nfc.normalize('NFD'), A, at(i), policy);
    assert.equal(await s.recordFailure(`${local}@XN--BCHER-KVA.example`, A, at(2), policy), true);
    assert.equal(await s.isLocked(nfc, A, at(3), policy), true);
  });

  test('a threshold of 1 locks at the first failure; bad policies are TypeErrors', async () => {
    const s = store();
    const u = user();
    assert.equal(await s.recordFailure(u, A, at(0), { ...policy, threshold: 1 }), true);
    await assert.rejects(s.recordFailure(u, A, at(0), { ...policy, threshold: 0 }), TypeError);
    await assert.rejects(s.recordFailure(u, A, at(0), { ...policy, windowMs: 0 }), TypeError);
    await assert.rejects(s.recordFailure(u, A, at(0), { ...policy, familiarMs: -1 }), TypeError);
    await assert.rejects(s.recordFailure(u, A, new Date(Number.NaN), policy), TypeError);
  });

  test('smart lockout: a flood from an unfamiliar source does not lock the user out of a familiar one', async () => {
    const s = store();
    const u = user();
    await s.recordSuccess(u, B, at(0), smart);
    for (let i = 1; i <= 30; i++) await s.recordFailure(u, A, at(i), smart);
    assert.equal(await s.isLocked(u, A, at(31), smart), true, 'the unfamiliar source is locked');
    assert.equal(await s.isLocked(u, '198.51.100.7', at(31), smart), true, 'so is any other');
    assert.equal(await s.isLocked(u, B, at(31), smart), false, 'the familiar source is not');
    // The familiar sources have their own counter.
    assert.equal(await s.recordFailure(u, B, at(32), smart), false);
    assert.equal(await s.recordFailure(u, B, at(33), smart), false);
    assert.equal(await s.recordFailure(u, B, at(34), smart), true);
    assert.equal(await s.isLocked(u, B, at(35), smart), true);
  });

  test('smart lockout: a source stops being familiar after familiarMs', async () => {
    const s = store();
    const u = user();
    await s.recordSuccess(u, B, at(0), smart);
    for (let i = 0; i < 3; i++) await s.recordFailure(u, A, at(86_400_000 + i), smart);
    assert.equal(await s.isLocked(u, B, at(86_400_000 + 10), smart), true, 'B is unfamiliar now');
  });

  test('smart lockout: failures from familiar sources count together; success clears its class', async () => {
    const s = store();
    const u = user();
    await s.recordSuccess(u, A, at(0), smart);
    await s.recordSuccess(u, B, at(0), smart);
    await s.recordFailure(u, A, at(1), smart);
    await s.recordFailure(u, B, at(2), smart);
    await s.recordSuccess(u, A, at(3), smart);
    assert.equal(await s.recordFailure(u, B, at(4), smart), false);
    assert.equal(await s.recordFailure(u, A, at(5), smart), false);
    assert.equal(await s.recordFailure(u, B, at(6), smart), true);
    assert.equal(await s.isLocked(u, A, at(7), smart), true);
  });

  test('unlock clears every counter, lock and familiar source', async () => {
    const s = store();
    const u = user();
    await s.recordSuccess(u, B, at(0), smart);
    for (let i = 1; i <= 3; i++) await s.recordFailure(u, A, at(i), smart);
    for (let i = 4; i <= 6; i++) await s.recordFailure(u, B, at(i), smart);
    assert.equal(await s.isLocked(u, A, at(7), smart), true);
    assert.equal(await s.isLocked(u, B, at(7), smart), true);
    await s.unlock(u.toUpperCase());
    assert.equal(await s.isLocked(u, A, at(8), smart), false);
    assert.equal(await s.isLocked(u, B, at(8), smart), false);
    // B is no longer familiar: its failures now count with A's.
    for (let i = 9; i <= 10; i++) await s.recordFailure(u, A, at(i), smart);
    assert.equal(await s.recordFailure(u, B, at(11), smart), true);
  });

  test('concurrent failures from two connections all count (no lost update)', async () => {
    const [s, t] = [store(), other()];
    const u = user();
    const many = { ...policy, threshold: 40 };
    const answers = await Promise.all(
      Array.from({ length: 39 }, (_, i) => (i % 2 === 0 ? s : t).recordFailure(u, A, at(0), many)),
    );
    assert.deepEqual(answers.filter(Boolean), [], 'not locked before the threshold');
    assert.equal(await t.isLocked(u, A, at(1), many), false);
    assert.equal(await s.recordFailure(u, A, at(1), many), true, 'the 40th failure locks');
    assert.equal(await t.isLocked(u, A, at(2), many), true);
  });
}
