import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { IdpError } from '../../../src/errors.ts';
import { openIdpStore, SqliteLockoutStore } from '../../../src/idp/store/index.ts';

const root = mkdtempSync(join(tmpdir(), 'psso-lockout-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${++n}`);
const policy = { threshold: 3, windowMs: 60_000, lockoutMs: 300_000 };
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);

test('locks at the threshold within the window, until lockoutMs has passed', async () => {
  const lockout = SqliteLockoutStore.open(freshDir());
  try {
    assert.equal(await lockout.isLocked('alice', at(0)), false);
    assert.equal(await lockout.recordFailure('alice', at(0), policy), false);
    assert.equal(await lockout.recordFailure('alice', at(10), policy), false);
    assert.equal(await lockout.recordFailure('ALICE', at(20), policy), true);
    assert.equal(await lockout.isLocked('Alice', at(21)), true);
    // failures while locked do not extend the lock
    assert.equal(await lockout.recordFailure('alice', at(100), policy), true);
    assert.equal(await lockout.isLocked('alice', at(319)), true);
    assert.equal(await lockout.isLocked('alice', at(320)), false);
    // after the lock, counting starts again
    assert.equal(await lockout.recordFailure('alice', at(321), policy), false);
    assert.equal(await lockout.isLocked('bob', at(21)), false);
  } finally {
    await lockout.close();
  }
});

test('failures outside the window start a new count; success clears it', async () => {
  const lockout = SqliteLockoutStore.open(freshDir());
  try {
    await lockout.recordFailure('bob', at(0), policy);
    await lockout.recordFailure('bob', at(30), policy);
    assert.equal(await lockout.recordFailure('bob', at(61), policy), false);
    assert.equal(await lockout.recordFailure('bob', at(62), policy), false);
    await lockout.recordSuccess('BOB');
    assert.equal(await lockout.recordFailure('bob', at(63), policy), false);
    assert.equal(await lockout.recordFailure('bob', at(64), policy), false);
    assert.equal(await lockout.recordFailure('bob', at(65), policy), true);
  } finally {
    await lockout.close();
  }
});

test('a lock persists across restarts and is seen by another connection', async () => {
  const dir = freshDir();
  const first = SqliteLockoutStore.open(dir);
  const second = SqliteLockoutStore.open(dir);
  for (const s of [0, 1, 2]) await first.recordFailure('carol@example.com', at(s), policy);
  assert.equal(await second.isLocked('Carol@Example.com', at(3)), true);
  await first.close();
  await second.close();
  const store = openIdpStore(dir);
  try {
    assert.equal(await store.lockout.isLocked('carol@example.com', at(4)), true);
    await store.lockout.close(); // does not close the shared database
    assert.equal(store.users.list().length, 0);
  } finally {
    store.close();
  }
});

test('removing a user clears its lockout state', async () => {
  const store = openIdpStore(freshDir());
  try {
    await store.users.add('dave@example.com', 'pw');
    for (const s of [0, 1, 2]) await store.lockout.recordFailure('dave@example.com', at(s), policy);
    store.users.remove('dave@example.com');
    assert.equal(await store.lockout.isLocked('dave@example.com', at(3)), false);
  } finally {
    store.close();
  }
});

test('prune deletes expired rows only', async () => {
  const lockout = SqliteLockoutStore.open(freshDir());
  try {
    await lockout.recordFailure('old', at(0), policy);
    for (const s of [0, 1, 2]) await lockout.recordFailure('locked', at(s), policy);
    await lockout.recordFailure('recent', at(100), policy);
    assert.equal(lockout.prune(at(120), policy), 1);
    assert.equal(await lockout.isLocked('locked', at(120)), true);
    assert.equal(lockout.prune(at(400), policy), 2);
  } finally {
    await lockout.close();
  }
});

test('misuse is a TypeError; a closed store is PSSO_ERR_IDP_STORE_UNAVAILABLE', async () => {
  const lockout = SqliteLockoutStore.open(freshDir());
  await assert.rejects(lockout.recordFailure('x', at(0), { ...policy, threshold: 0 }), TypeError);
  await assert.rejects(lockout.isLocked('x', new Date(Number.NaN)), TypeError);
  await lockout.close();
  await assert.rejects(
    lockout.isLocked('x', at(0)),
    (e: unknown) => e instanceof IdpError && e.code === 'PSSO_ERR_IDP_STORE_UNAVAILABLE',
  );
});
