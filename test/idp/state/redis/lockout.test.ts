import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisLockoutStore } from '../../../../packages/idp/src/state/redis/lockout.ts';
import type { LockoutStore } from '../../../../packages/idp/src/state/types.ts';
import { IdpError } from '../../../../packages/psso-wstrust/src/errors.ts';
import { redisSkip, startRedis, type TestRedis } from '../../../helpers/redis.ts';
import { lockoutContract } from '../contract/lockout.ts';

const unavailable = (err: unknown): boolean =>
  err instanceof IdpError && err.code === 'PSSO_ERR_IDP_STORE_UNAVAILABLE';
const policy = { threshold: 10, windowMs: 60_000, lockoutMs: 300_000 };
const S = '192.0.2.1';

describe('RedisLockoutStore against a real redis-server', { skip: redisSkip() }, () => {
  let redis: TestRedis;
  let a: RedisLockoutStore;
  let b: RedisLockoutStore;
  let raw: Redis;

  before(async () => {
    redis = await startRedis();
    a = new RedisLockoutStore(redis.url);
    b = new RedisLockoutStore(redis.url);
    raw = new Redis(redis.url, { maxRetriesPerRequest: 0, lazyConnect: true });
    raw.on('error', () => {});
    await Promise.all([a.ready(), b.ready(), raw.connect()]);
  });

  after(async () => {
    await a.close();
    await b.close();
    raw.disconnect();
    await redis.stop();
  });

  describe('the LockoutStore contract (one client)', () => {
    lockoutContract(() => a);
  });

  describe('the LockoutStore contract (alternating clients)', () => {
    let turn = 0;
    const pick = () => (turn++ % 2 ? a : b);
    const alternating: LockoutStore = {
      isLocked: (u, s, now, p) => pick().isLocked(u, s, now, p),
      recordFailure: (u, s, now, p) => pick().recordFailure(u, s, now, p),
      recordSuccess: (u, s, now, p) => pick().recordSuccess(u, s, now, p),
      unlock: (u) => pick().unlock(u),
      close: async () => {},
    };
    lockoutContract(() => alternating);
  });

  test('two IdP processes share one count, atomically', async () => {
    const now = new Date();
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        (i % 2 ? a : b).recordFailure('Shared@Example.com', S, now, policy),
      ),
    );
    // The 10th failure locks; the 15 after it meet the lock. None is lost or double-counted.
    assert.equal(answers.filter((locked) => !locked).length, 9);
    assert.equal(await a.isLocked('shared@example.com', S, now, policy), true);
    assert.equal(await b.isLocked('SHARED@EXAMPLE.COM', S, now, policy), true);
  });

  test('keys hold digests, not usernames, and expire in Redis by themselves', async () => {
    const user = 'visible.user@example.com';
    await a.recordFailure(user, S, new Date(), { threshold: 5, windowMs: 300, lockoutMs: 60_000 });
    const short = { threshold: 1, windowMs: 60_000, lockoutMs: 300, familiarMs: 300 };
    await b.recordSuccess('locked.user@example.com', '192.0.2.9', new Date(), short);
    await b.recordFailure('locked.user@example.com', S, new Date(), short);
    const keys = await raw.keys('psso:lockout:*');
    assert.ok(keys.length >= 3);
    for (const key of keys) {
      assert.match(key, /^psso:lockout:\{[A-Za-z0-9_-]{43}\}:(n|lock|un|ulock|src)$/);
      assert.ok(!key.includes('user'));
    }
    for (const field of await raw.hkeys(keys.find((k) => k.endsWith(':src')) ?? ''))
      assert.ok(!field.includes('192.0.2'), 'no client address in clear');
    const counters = await Promise.all(keys.map((k) => raw.pttl(k)));
    assert.ok(
      counters.every((ttl) => ttl > 0),
      'every key has an expiry',
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(await a.isLocked('locked.user@example.com', S, new Date(), short), false);
    const left = await raw.keys('psso:lockout:*');
    assert.ok(left.length < keys.length);
  });

  test('Redis down: every call fails closed quickly; back up: works again', async () => {
    const now = new Date();
    await redis.stop();
    const t0 = performance.now();
    await assert.rejects(a.isLocked('x', S, now, policy), unavailable);
    await assert.rejects(a.recordFailure('x', S, now, policy), unavailable);
    await assert.rejects(b.recordSuccess('x', S, now, policy), unavailable);
    await assert.rejects(b.unlock('x'), unavailable);
    assert.equal(await a.ping(), false);
    assert.ok(performance.now() - t0 < 2000, 'no hang');
    await redis.restart();
    await Promise.all([a.ready(5000), b.ready(5000)]);
    assert.equal(await a.recordFailure('x', S, now, { ...policy, threshold: 2 }), false);
    assert.equal(await b.recordFailure('x', S, now, { ...policy, threshold: 2 }), true);
    assert.equal(await a.isLocked('x', S, now, policy), true);
    assert.equal(await b.ping(), true);
  });
});
