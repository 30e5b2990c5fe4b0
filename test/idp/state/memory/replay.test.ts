import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MemoryReplayCache } from '../../../../packages/idp/src/state/memory/replay.ts';
import { IdpError } from '../../../../packages/psso-wstrust/src/errors.ts';
import { replayContract } from '../contract/replay.ts';

function clock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

const isCode = (code: string) => (err: unknown) => err instanceof IdpError && err.code === code;

describe('MemoryReplayCache', () => {
  test('first seen is true, a replay is false', async () => {
    const cache = new MemoryReplayCache();
    assert.equal(await cache.firstSeen('nonce', 'alice', 'n1', 60_000), true);
    assert.equal(await cache.firstSeen('nonce', 'alice', 'n1', 60_000), false);
    assert.equal(await cache.firstSeen('nonce', 'alice', 'n1', 60_000), false);
    await cache.close();
  });

  test('kind, scope and value each make a different key', async () => {
    const cache = new MemoryReplayCache();
    assert.equal(await cache.firstSeen('nonce', 'alice', 'v', 60_000), true);
    assert.equal(await cache.firstSeen('assertion-id', 'alice', 'v', 60_000), true);
    assert.equal(await cache.firstSeen('server-nonce', 'alice', 'v', 60_000), true);
    assert.equal(await cache.firstSeen('nonce', 'bob', 'v', 60_000), true);
    assert.equal(await cache.firstSeen('nonce', 'alice', 'w', 60_000), true);
    assert.equal(await cache.firstSeen('nonce', 'a', 'lice', 60_000), true);
    assert.equal(await cache.firstSeen('nonce', 'alic', 'ev', 60_000), true);
    assert.equal(cache.size, 7);
    await cache.close();
  });

  test('an entry lives exactly its ttl (injected clock)', async () => {
    const c = clock();
    const cache = new MemoryReplayCache({ now: c.now });
    assert.equal(await cache.firstSeen('nonce', 's', 'v', 5000), true);
    c.advance(4999);
    assert.equal(await cache.firstSeen('nonce', 's', 'v', 5000), false);
    c.advance(1);
    assert.equal(
      await cache.firstSeen('nonce', 's', 'v', 5000),
      true,
      'expired at the end of its ttl',
    );
    assert.equal(await cache.firstSeen('nonce', 's', 'v', 5000), false, 'remembered again');
    await cache.close();
  });

  test('expired entries are reclaimed (lazily, at the resolution)', async () => {
    const c = clock();
    const cache = new MemoryReplayCache({ now: c.now, resolutionMs: 100 });
    for (let i = 0; i < 1000; i++)
      await cache.firstSeen('nonce', 's', `v${i}`, 1000 + (i % 7) * 300);
    assert.equal(cache.size, 1000);
    c.advance(1000 + 6 * 300 + 100);
    await cache.firstSeen('nonce', 's', 'fresh', 1000);
    assert.equal(cache.size, 1);
    await cache.close();
  });

  test('a full cache fails closed, never evicts a live entry, and recovers once entries expire', async () => {
    const c = clock();
    const cache = new MemoryReplayCache({ now: c.now, maxEntries: 3 });
    for (const v of ['a', 'b', 'c'])
      assert.equal(await cache.firstSeen('nonce', 's', v, 10_000), true);
    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        cache.firstSeen('nonce', 's', `new${i}`, 10_000),
        isCode('PSSO_ERR_IDP_REPLAY_CACHE_FULL'),
      );
    }
    // Live entries are still remembered: replays are still refused while full.
    for (const v of ['a', 'b', 'c'])
      assert.equal(await cache.firstSeen('nonce', 's', v, 10_000), false);
    c.advance(9_999);
    await assert.rejects(
      cache.firstSeen('nonce', 's', 'd', 10_000),
      isCode('PSSO_ERR_IDP_REPLAY_CACHE_FULL'),
    );
    // Past the ttl plus the reclamation resolution (default 1 s), the slots are free again.
    c.advance(1_001);
    assert.equal(await cache.firstSeen('nonce', 's', 'd', 10_000), true);
    assert.equal(await cache.firstSeen('nonce', 's', 'e', 10_000), true);
    assert.equal(await cache.firstSeen('nonce', 's', 'd', 10_000), false);
    assert.ok(cache.size <= 3);
    await cache.close();
  });

  test('an expired entry at capacity is re-recorded in place', async () => {
    const c = clock();
    const cache = new MemoryReplayCache({ now: c.now, maxEntries: 1 });
    assert.equal(await cache.firstSeen('nonce', 's', 'a', 500), true);
    c.advance(500);
    assert.equal(await cache.firstSeen('nonce', 's', 'a', 500), true);
    assert.equal(cache.size, 1);
    await cache.close();
  });

  test('after close, calls fail closed; bad ttl and options are TypeErrors', async () => {
    assert.throws(() => new MemoryReplayCache({ maxEntries: 0 }), TypeError);
    assert.throws(() => new MemoryReplayCache({ resolutionMs: -1 }), TypeError);
    const cache = new MemoryReplayCache();
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await assert.rejects(cache.firstSeen('nonce', 's', 'v', ttl), TypeError);
    }
    await cache.close();
    await cache.close();
    await assert.rejects(
      cache.firstSeen('nonce', 's', 'v', 1000),
      isCode('PSSO_ERR_IDP_STORE_UNAVAILABLE'),
    );
  });

  test('the background sweep reclaims memory while idle (unref timer)', async () => {
    const c = clock();
    const cache = new MemoryReplayCache({ now: c.now, sweepIntervalMs: 10, resolutionMs: 10 });
    await cache.firstSeen('nonce', 's', 'v', 50);
    c.advance(100);
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(cache.size, 0);
    await cache.close();
  });

  test('an unclosed cache does not keep the process alive (timer is unref’d)', () => {
    // Left open on purpose: node:test would not exit if the sweep timer held the loop.
    new MemoryReplayCache({ sweepIntervalMs: 5 });
  });

  test('property: agrees with a naive model under random ttls and clock steps', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('see' as const),
        v: fc.integer({ min: 0, max: 15 }),
        ttl: fc.integer({ min: 1, max: 3000 }),
      }),
      fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 1500 }) }),
    );
    return fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 200 }),
        fc.integer({ min: 1, max: 700 }),
        async (ops, resolutionMs) => {
          const c = clock();
          const cache = new MemoryReplayCache({ now: c.now, resolutionMs, sweepIntervalMs: 0 });
          const model = new Map<number, number>();
          for (const o of ops) {
            if (o.kind === 'tick') {
              c.advance(o.ms);
              continue;
            }
            const expiry = model.get(o.v);
            const expected = expiry === undefined || expiry <= c.now();
            if (expected) model.set(o.v, c.now() + o.ttl);
            assert.equal(await cache.firstSeen('nonce', '', String(o.v), o.ttl), expected);
          }
          c.advance(3000 + resolutionMs);
          await cache.firstSeen('nonce', 'other', 'x', 1);
          assert.equal(cache.size, 1, 'everything expired was reclaimed');
          await cache.close();
        },
      ),
      { numRuns: 200 },
    );
  });

  test('100 000 entries in, out and in again: expired entries are reclaimed, never evicted live', async () => {
    const c = clock();
    const cache = new MemoryReplayCache({ now: c.now });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 100_000; i++) {
        c.advance(1);
        assert.equal(await cache.firstSeen('nonce', 's', `v${i}`, 30_000 + (i % 13) * 1000), true);
      }
      // Every entry of the round is still live at its end: capacity was never exceeded.
      assert.ok(cache.size <= 100_000);
      c.advance(60_000);
    }
    // The last round's entries expire and are reclaimed on the next call: nothing piles up.
    assert.equal(await cache.firstSeen('nonce', 's', 'after', 1_000), true);
    assert.equal(cache.size, 1);
    await cache.close();
  });
});

replayContract({
  name: 'memory',
  async pair() {
    const c = clock();
    const cache = new MemoryReplayCache({ now: c.now });
    return { a: cache, b: cache, advance: c.advance, close: () => cache.close() };
  },
});
