import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { IdpError } from '../../../src/errors.ts';
import { RedisLockoutStore } from '../../../src/idp/replay/lockout-redis.ts';
import { redisSkip, startRedis, type TestRedis } from '../../helpers/redis.ts';
import { lockoutContract } from './lockout-contract.ts';

const unavailable = (err: unknown): boolean =>
  err instanceof IdpError && err.code === 'PSSO_ERR_IDP_STORE_UNAVAILABLE';
const policy = { threshold: 10, windowMs: 60_000, lockoutMs: 300_000 };

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
    const alternating = {
      isLocked: (u: string, now: Date) => (turn++ % 2 ? a : b).isLocked(u, now),
      recordFailure: (u: string, now: Date, p: typeof policy) =>
        (turn++ % 2 ? a : b).recordFailure(u, now, p),
      recordSuccess: (u: string) => (turn++ % 2 ? a : b).recordSuccess(u),
      close: async () => {},
    };
    lockoutContract(() => alternating);
  });

  test('two IdP processes share one count, atomically', async () => {
    const now = new Date();
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        (i % 2 ? a : b).recordFailure('Shared@Example.com', now, policy),
      ),
    );
    // The 10th failure locks; the 15 after it meet the lock. None is lost or double-counted.
    assert.equal(answers.filter((locked) => !locked).length, 9);
    assert.equal(await a.isLocked('shared@example.com', now), true);
    assert.equal(await b.isLocked('SHARED@EXAMPLE.COM', now), true);
  });

  test('keys hold digests, not usernames, and expire in Redis by themselves', async () => {
    const user = 'visible.user@example.com';
    await a.recordFailure(user, new Date(), { threshold: 5, windowMs: 300, lockoutMs: 60_000 });
    await b.recordFailure('locked.user@example.com', new Date(), {
      threshold: 1,
      windowMs: 60_000,
      lockoutMs: 300,
    });
    const keys = await raw.keys('psso:lockout:*');
    assert.ok(keys.length >= 2);
    for (const key of keys) {
      assert.match(key, /^psso:lockout:\{[A-Za-z0-9_-]{43}\}:(n|lock)$/);
      assert.ok(!key.includes('user'));
    }
    const counters = await Promise.all(keys.map((k) => raw.pttl(k)));
    assert.ok(
      counters.every((ttl) => ttl > 0),
      'every key has an expiry',
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(await a.isLocked('locked.user@example.com', new Date()), false);
    const left = await raw.keys('psso:lockout:*');
    assert.ok(left.length < keys.length);
  });

  test('Redis down: every call fails closed quickly; back up: works again', async () => {
    const now = new Date();
    await redis.stop();
    const t0 = performance.now();
    await assert.rejects(a.isLocked('x', now), unavailable);
    await assert.rejects(a.recordFailure('x', now, policy), unavailable);
    await assert.rejects(b.recordSuccess('x'), unavailable);
    assert.equal(await a.ping(), false);
    assert.ok(performance.now() - t0 < 2000, 'no hang');
    await redis.restart();
    await Promise.all([a.ready(5000), b.ready(5000)]);
    assert.equal(await a.recordFailure('x', now, { ...policy, threshold: 2 }), false);
    assert.equal(await b.recordFailure('x', now, { ...policy, threshold: 2 }), true);
    assert.equal(await a.isLocked('x', now), true);
    assert.equal(await b.ping(), true);
  });
});
