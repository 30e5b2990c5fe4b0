/**
 * Behaviour every replay cache must have (memory, SQLite, PostgreSQL, Redis), and the consumed
 * nonces kept in it: first use true, replays false, in every process sharing the store; single
 * use under 50 concurrent attempts from two connections; ttl honoured (with an injected clock
 * where the backend takes one).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { consumedNonces } from '../../../../packages/idp/src/state/nonces.ts';
import type { ReplayCache } from '../../../../packages/idp/src/state/types.ts';

export interface ReplayFixture {
  readonly name: string;
  /**
   * Two connections to one fresh store (the same object twice for memory), and the clock they
   * follow when the backend takes an injected one.
   */
  pair(): Promise<{
    readonly a: ReplayCache;
    readonly b: ReplayCache;
    readonly advance?: (ms: number) => void;
    close(): Promise<void>;
  }>;
}

let n = 0;
const unique = (label: string) => `${label}-${process.pid}-${++n}-${Math.random()}`;

export function replayContract(fx: ReplayFixture): void {
  describe(`replay cache and consumed nonces (${fx.name})`, () => {
    test('first seen is true, a replay is false, also on the other connection', async () => {
      const { a, b, close } = await fx.pair();
      try {
        const v = unique('n');
        assert.equal(await a.firstSeen('nonce', 'alice', v, 60_000), true);
        assert.equal(await a.firstSeen('nonce', 'alice', v, 60_000), false);
        assert.equal(await b.firstSeen('nonce', 'alice', v, 60_000), false);
        assert.equal(await b.firstSeen('nonce', 'bob', v, 60_000), true);
        assert.equal(await a.firstSeen('assertion-id', 'alice', v, 60_000), true);
        assert.equal(await a.firstSeen('server-nonce', 'alice', v, 60_000), true);
        assert.equal(await a.firstSeen('nonce', 'a', `lice${v}`, 60_000), true);
        await assert.rejects(a.firstSeen('nonce', 'u', v, 0), TypeError);
      } finally {
        await close();
      }
    });

    test('50 concurrent first uses of one value from two connections: exactly one is first', async () => {
      const { a, b, close } = await fx.pair();
      try {
        for (let round = 0; round < 5; round++) {
          const v = unique('race');
          const answers = await Promise.all(
            Array.from({ length: 50 }, (_, i) =>
              (i % 2 === 0 ? a : b).firstSeen('nonce', 'u', v, 60_000),
            ),
          );
          assert.equal(answers.filter(Boolean).length, 1, `round ${round}`);
        }
      } finally {
        await close();
      }
    });

    test('consumed nonces: one consumption, on any connection, even racing', async () => {
      const { a, b, close } = await fx.pair();
      try {
        const [na, nb] = [consumedNonces(a), consumedNonces(b)];
        const nonce = unique('server-nonce');
        assert.equal(await na.consume(nonce, 60_000), true);
        assert.equal(await nb.consume(nonce, 60_000), false);
        assert.equal(await na.consume(nonce, 60_000), false);
        // A server nonce is not a UsernameToken nonce: the kinds do not collide.
        assert.equal(await a.firstSeen('nonce', '', nonce, 60_000), true);
        const raced = unique('raced');
        const answers = await Promise.all(
          Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? na : nb).consume(raced, 60_000)),
        );
        assert.equal(answers.filter(Boolean).length, 1);
      } finally {
        await close();
      }
    });

    test('an entry expires exactly at the end of its ttl (injected clock)', async (t) => {
      const { a, b, advance, close } = await fx.pair();
      try {
        if (advance === undefined) {
          t.skip('this backend expires entries on its own clock (see its own tests)');
          return;
        }
        const v = unique('ttl');
        assert.equal(await a.firstSeen('nonce', 'alice', v, 1000), true);
        advance(999);
        assert.equal(await b.firstSeen('nonce', 'alice', v, 1000), false);
        advance(1);
        assert.equal(await b.firstSeen('nonce', 'alice', v, 1000), true, 'expired');
        advance(500);
        assert.equal(await a.firstSeen('nonce', 'alice', v, 1000), false, 're-recorded');
      } finally {
        await close();
      }
    });
  });
}
