import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FairQueue } from '../../../packages/idp/src/auth/fair-queue.ts';
import { PasswordCheck } from '../../../packages/idp/src/auth/password-check.ts';
import { MemoryLockoutStore } from '../../../packages/idp/src/state/memory/lockout.ts';
import type { LockoutStore } from '../../../packages/idp/src/state/types.ts';
import { CredentialCache } from '../../../packages/idp/src/sts/credential-cache.ts';

const NOW = new Date('2026-11-29T10:00:00.000Z');
const policy = {
  threshold: 5,
  windowMs: 600_000,
  lockoutMs: 1_800_000,
  familiarMs: 14 * 86_400_000,
};
const USER = { upn: 'Alice@Example.com', immutableId: 'AAAA' };

function setup(o: { lockout?: LockoutStore; cacheMs?: number } = {}) {
  const counts = { verify: 0, burn: 0 };
  const lockout = o.lockout ?? new MemoryLockoutStore();
  let now = NOW;
  const passwords = new PasswordCheck({
    async verify(name, password) {
      counts.verify++;
      const known = name.toLowerCase() === 'alice@example.com';
      return { user: known && password === 'right' ? USER : undefined, known };
    },
    async burn() {
      counts.burn++;
    },
    lockout,
    credentials: new CredentialCache(o.cacheMs ?? 0),
    queue: new FairQueue(),
    policy,
    clock: () => now,
  });
  return {
    passwords,
    counts,
    lockout,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
  };
}

test('locked account: same answer and same cost (one password check) as a wrong password', async () => {
  const { passwords, counts } = setup();
  for (let i = 0; i < 5; i++) {
    const r = await passwords.check('alice@example.com', 'wrong', '192.0.2.1');
    assert.deepEqual(r, { ok: false, reason: 'bad-credentials', nowLocked: i === 4 });
  }
  assert.deepEqual(counts, { verify: 5, burn: 0 });
  const locked = await passwords.check('ALICE@example.com', 'right', '192.0.2.1');
  assert.equal(locked.ok, false);
  assert.equal(!locked.ok && locked.reason, 'locked-out');
  assert.deepEqual(counts, { verify: 5, burn: 1 }, 'one dummy check, not zero and not two');
});

test('smart lockout: a flood from 127.0.0.1 does not lock the user out of 127.0.0.2 where they logged in before', async () => {
  const { passwords } = setup();
  assert.equal((await passwords.check('alice@example.com', 'right', '127.0.0.2')).ok, true);
  for (let i = 0; i < 30; i++) await passwords.check('alice@example.com', 'wrong', '127.0.0.1');
  const r1 = await passwords.check('alice@example.com', 'right', '127.0.0.1');
  assert.equal(!r1.ok && r1.reason, 'locked-out', 'the flooding source is locked out');
  assert.equal((await passwords.check('alice@example.com', 'right', '127.0.0.2')).ok, true);
  const r3 = await passwords.check('alice@example.com', 'right', '198.51.100.9');
  assert.equal(!r3.ok && r3.reason, 'locked-out', 'a new place is unfamiliar: locked too');
});

test('unknown users: refused at the same cost, and no lockout state is created for them', async () => {
  const calls: string[] = [];
  const inner = new MemoryLockoutStore({ maxEntries: 1 });
  const spy: LockoutStore = {
    isLocked: (...a) => inner.isLocked(...a),
    recordFailure: (...a) => {
      calls.push('failure');
      return inner.recordFailure(...a);
    },
    recordSuccess: (...a) => inner.recordSuccess(...a),
    unlock: (u) => inner.unlock(u),
    close: () => inner.close(),
  };
  const { passwords, counts } = setup({ lockout: spy });
  for (let i = 0; i < 1000; i++) {
    const r = await passwords.check(`nobody${i}@example.com`, 'x', '192.0.2.1');
    assert.equal(!r.ok && r.reason, 'bad-credentials');
  }
  assert.equal(counts.verify, 1000);
  assert.deepEqual(calls, []);
  // A real user still counts (the one-entry store has room: nothing else took it).
  await passwords.check('alice@example.com', 'wrong', '192.0.2.1');
  assert.deepEqual(calls, ['failure']);
});

test('a success resets the count; the credential cache never bypasses a lock', async () => {
  const { passwords, counts } = setup({ cacheMs: 60_000 });
  assert.equal((await passwords.check('alice@example.com', 'right', '192.0.2.1')).ok, true);
  assert.equal((await passwords.check('Alice@EXAMPLE.com', 'right', '192.0.2.1')).ok, true);
  assert.equal(counts.verify, 1, 'the second login was served from the cache');
  for (let i = 0; i < 5; i++) await passwords.check('alice@example.com', 'wrong', '192.0.2.1');
  const r = await passwords.check('alice@example.com', 'right', '192.0.2.1');
  assert.equal(!r.ok && r.reason, 'locked-out');
});

test('the lock ends after lockoutMs', async () => {
  const { passwords, advance } = setup();
  for (let i = 0; i < 5; i++) await passwords.check('alice@example.com', 'wrong', '192.0.2.1');
  advance(1_800_000);
  assert.equal((await passwords.check('alice@example.com', 'right', '192.0.2.1')).ok, true);
});
