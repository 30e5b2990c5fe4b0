import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Logger, LogLevel } from '../../../../packages/idp/src/log.ts';
import { openRedisStores } from '../../../../packages/idp/src/state/redis/index.ts';
import { RedisLockoutStore } from '../../../../packages/idp/src/state/redis/lockout.ts';
import { RedisReplayCache } from '../../../../packages/idp/src/state/redis/replay.ts';
import { IdpError } from '../../../../packages/psso-wstrust/src/errors.ts';
import { freePort, redisSkip, startRedis, type TestRedis } from '../../../helpers/redis.ts';
import { replayContract } from '../contract/replay.ts';

const unavailable = (err: unknown): boolean =>
  err instanceof IdpError && err.code === 'PSSO_ERR_IDP_STORE_UNAVAILABLE';

async function rejectsQuickly(promise: Promise<unknown>, limitMs: number): Promise<number> {
  const t0 = performance.now();
  await assert.rejects(promise, unavailable);
  const elapsed = performance.now() - t0;
  assert.ok(elapsed < limitMs, `took ${Math.round(elapsed)} ms`);
  return elapsed;
}

function memoryLogger(): Logger & { lines: { level: LogLevel; event: string }[] } {
  const lines: { level: LogLevel; event: string }[] = [];
  return { lines, log: (level, event) => lines.push({ level, event }) };
}

describe('RedisReplayCache against a real redis-server', { skip: redisSkip() }, () => {
  let redis: TestRedis;
  let raw: Redis;
  const open: { close(): Promise<void> }[] = [];
  const cache = (
    options: ConstructorParameters<typeof RedisReplayCache>[1] = {},
  ): RedisReplayCache => {
    const c = new RedisReplayCache(redis.url, options);
    open.push(c);
    return c;
  };

  before(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url, { maxRetriesPerRequest: 0, lazyConnect: true });
    raw.on('error', () => {});
    await raw.connect();
  });

  after(async () => {
    for (const c of open) await c.close();
    raw.disconnect();
    await redis.stop();
  });

  test('first seen is true, a replay is false', async () => {
    const c = cache();
    await c.ready();
    assert.equal(await c.firstSeen('nonce', 'alice', 'n-1', 60_000), true);
    assert.equal(await c.firstSeen('nonce', 'alice', 'n-1', 60_000), false);
    assert.equal(await c.firstSeen('assertion-id', 'alice', 'n-1', 60_000), true);
    assert.equal(await c.firstSeen('nonce', 'bob', 'n-1', 60_000), true);
  });

  test('two IdP processes (two clients) refuse each other’s replays, even racing', async () => {
    const a = cache();
    const b = cache();
    await Promise.all([a.ready(), b.ready()]);
    assert.equal(await a.firstSeen('server-nonce', 'rp', 'shared-1', 60_000), true);
    assert.equal(await b.firstSeen('server-nonce', 'rp', 'shared-1', 60_000), false);
    assert.equal(await b.firstSeen('server-nonce', 'rp', 'shared-2', 60_000), true);
    assert.equal(await a.firstSeen('server-nonce', 'rp', 'shared-2', 60_000), false);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? a : b).firstSeen('nonce', 'race', 'same', 60_000),
      ),
    );
    assert.equal(answers.filter(Boolean).length, 1, 'exactly one process saw it first');
  });

  test('keys are prefixed digests with a PX expiry; the value is not stored in clear', async () => {
    const c = cache({ keyPrefix: 'test-prefix:' });
    await c.ready();
    await c.firstSeen('nonce', 'alice@example.com', 'VISIBLE-NONCE', 60_000);
    const keys = await raw.keys('test-prefix:replay:*');
    assert.equal(keys.length, 1);
    const [key] = keys as [string];
    assert.match(key, /^test-prefix:replay:[A-Za-z0-9_-]{43}$/);
    assert.ok(!key.includes('VISIBLE') && !key.includes('alice'));
    assert.equal(await raw.get(key), '1');
    const pttl = await raw.pttl(key);
    assert.ok(pttl > 55_000 && pttl <= 60_000, `pttl ${pttl}`);
  });

  test('the ttl is honoured: a value is new again once it expires', async () => {
    const c = cache();
    await c.ready();
    assert.equal(await c.firstSeen('nonce', 's', 'short', 300), true);
    assert.equal(await c.firstSeen('nonce', 's', 'short', 300), false);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(await c.firstSeen('nonce', 's', 'short', 300), true);
  });

  test('ping() answers true; a bad ttl or URL is a TypeError', async () => {
    const c = cache();
    assert.equal(await c.ping(), true);
    await assert.rejects(c.firstSeen('nonce', 's', 'v', 0), TypeError);
    assert.throws(() => new RedisReplayCache('http://127.0.0.1:6379'), TypeError);
    assert.throws(() => new RedisReplayCache('not a url'), TypeError);
  });

  test('openRedisStores gives a replay cache, a lockout store and ping', async () => {
    const stores = openRedisStores(redis.url);
    open.push(stores);
    assert.ok(stores.replay instanceof RedisReplayCache);
    assert.ok(stores.lockout instanceof RedisLockoutStore);
    assert.equal(await stores.replay.firstSeen('nonce', 'f', 'v', 1000), true);
    assert.equal(await stores.ping?.(), true);
  });

  describe('the replay contract (two clients)', () => {
    replayContract({
      name: 'redis',
      async pair() {
        const [a, b] = [cache(), cache()];
        await Promise.all([a.ready(), b.ready()]);
        return { a, b, close: async () => undefined };
      },
    });
  });

  test('nothing listening: fails closed at once, never queues', async () => {
    const port = await freePort();
    const dead = new RedisReplayCache(`redis://127.0.0.1:${port}/0`);
    open.push(dead);
    await rejectsQuickly(dead.firstSeen('nonce', 's', 'v', 1000), 1500);
    await rejectsQuickly(dead.firstSeen('nonce', 's', 'v', 1000), 1500);
    assert.equal(await dead.ping(), false);
    await assert.rejects(dead.ready(200), unavailable);
    // close() ends a pending wait at once and does not wait for a socket that is not there.
    const waiting = dead.ready(5000);
    const t0 = performance.now();
    await dead.close();
    assert.ok(performance.now() - t0 < 200, 'close() while reconnecting is immediate');
    await rejectsQuickly(waiting, 200);
  });

  test('a hung server (SIGSTOP): calls fail within the command timeout, then recover', async () => {
    const c = cache();
    await c.ready();
    redis.pause();
    try {
      await rejectsQuickly(c.firstSeen('nonce', 'hang', 'v1', 60_000), 2000);
      await rejectsQuickly(c.firstSeen('nonce', 'hang', 'v2', 60_000), 2000);
    } finally {
      redis.resume();
    }
    await c.ready(5000);
    assert.equal(await c.firstSeen('nonce', 'hang', 'v3', 60_000), true);
  });

  test('server stopped: calls fail closed quickly; restarted: calls succeed again', async () => {
    const log = memoryLogger();
    const a = cache({ logger: log });
    const b = cache();
    await Promise.all([a.ready(), b.ready()]);
    assert.equal(await a.firstSeen('nonce', 'down', 'before', 60_000), true);
    await redis.stop();
    const inflight = a
      .firstSeen('nonce', 'down', 'racing-the-stop', 60_000)
      .catch((e: unknown) => e);
    for (let i = 0; i < 5; i++) {
      await rejectsQuickly(a.firstSeen('nonce', 'down', `v${i}`, 60_000), 2000);
      await rejectsQuickly(b.firstSeen('nonce', 'down', `v${i}`, 60_000), 2000);
    }
    const settled = await inflight;
    assert.ok(
      settled === true || unavailable(settled),
      'the racing call either ran or failed closed',
    );
    assert.equal(await a.ping(), false);
    await new Promise((resolve) => setTimeout(resolve, 300)); // let a reconnection attempt fail
    await redis.restart();
    await Promise.all([a.ready(5000), b.ready(5000)]);
    assert.equal(await a.firstSeen('nonce', 'down', 'after', 60_000), true);
    assert.equal(await b.firstSeen('nonce', 'down', 'after', 60_000), false);
    assert.equal(await a.ping(), true);
    assert.ok(log.lines.some((l) => l.event === 'replay.redis.error' && l.level === 'warn'));
    assert.ok(log.lines.some((l) => l.event === 'replay.redis.recovered'));
    assert.ok(
      log.lines.filter((l) => l.level === 'warn' && l.event === 'replay.redis.error').length <= 1,
    );
  });

  test('after close(): fails closed; close() is idempotent', async () => {
    const c = new RedisReplayCache(redis.url);
    await c.ready();
    await c.close();
    await c.close();
    await assert.rejects(c.firstSeen('nonce', 's', 'v', 1000), unavailable);
    assert.equal(await c.ping(), false);
  });
});
