/**
 * Behaviour every refresh token store must have (SQLite, PostgreSQL): rotation in families,
 * reuse detection, device binding, expiry, revocation, and single use under concurrent
 * presentation from several hosts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RotateResult } from '../../../../packages/idp/src/state/records.ts';
import type { IdpState } from '../../../../packages/idp/src/state/types.ts';
import { type StateFixture, withState } from './fixture.ts';

const DEVICE = { clientId: 'psso', deviceKid: 'kid-a' };
const OTHER = { clientId: 'psso', deviceKid: 'kid-b' };
const DAY = 86_400_000;

const reason = (r: RotateResult) => (r.ok ? 'ok' : r.reason);

async function rotated(state: IdpState, token: string, device = DEVICE): Promise<string> {
  const r = await state.refreshTokens.rotate(token, device);
  assert.ok(r.ok, `expected a rotation, got ${reason(r)}`);
  return r.token;
}

export function refreshTokensContract(fx: StateFixture): void {
  describe(`refresh tokens (${fx.name})`, () => {
    let now = Date.UTC(2030, 0, 1);
    const extras = { now: () => now };

    test('rotation keeps the family; a rotated token presented again revokes it', async () => {
      await withState(
        await fx.fresh(),
        async (s) => {
          const t1 = await s.refreshTokens.issue({ upn: 'bob@example.com', ...DEVICE });
          assert.match(t1, /^[A-Za-z0-9_-]{43}$/);
          const first = await s.refreshTokens.rotate(t1, DEVICE);
          assert.ok(first.ok);
          assert.equal(first.grant.upn, 'bob@example.com');
          assert.equal(first.grant.expires, now + s.refreshTokens.lifetimeMs);
          const t3 = await rotated(s, first.token);
          assert.equal(reason(await s.refreshTokens.rotate(t1, DEVICE)), 'reuse');
          assert.equal(reason(await s.refreshTokens.rotate(t3, DEVICE)), 'revoked');
          assert.deepEqual(await s.refreshTokens.lookup(t3, DEVICE), {
            ok: false,
            reason: 'revoked',
          });
          // Another login starts a family of its own.
          const fresh = await s.refreshTokens.issue({ upn: 'bob@example.com', ...DEVICE });
          await rotated(s, fresh);
        },
        extras,
      );
    });

    test('another device is refused and consumes nothing; unknown and expired tokens', async () => {
      await withState(
        await fx.fresh(),
        async (s) => {
          const t = await s.refreshTokens.issue({ upn: 'bob@example.com', ...DEVICE });
          assert.equal(reason(await s.refreshTokens.rotate(t, OTHER)), 'other-device');
          assert.deepEqual(await s.refreshTokens.lookup(t, OTHER), {
            ok: false,
            reason: 'other-device',
          });
          const next = await rotated(s, t);
          assert.equal(reason(await s.refreshTokens.rotate(t, OTHER)), 'other-device');
          await rotated(s, next); // the family was not revoked by the other device
          assert.equal(reason(await s.refreshTokens.rotate('made-up', DEVICE)), 'unknown');
          const old = await s.refreshTokens.issue({ upn: 'bob@example.com', ...DEVICE });
          now += 15 * DAY;
          try {
            assert.equal(reason(await s.refreshTokens.rotate(old, DEVICE)), 'expired');
            assert.deepEqual(await s.refreshTokens.lookup(old, DEVICE), {
              ok: false,
              reason: 'expired',
            });
          } finally {
            now -= 15 * DAY;
          }
        },
        extras,
      );
    });

    test('lookup reads without consuming; a used token is `used` and revokes nothing', async () => {
      await withState(
        await fx.fresh(),
        async (s) => {
          const t = await s.refreshTokens.issue({ upn: 'bob@example.com', ...DEVICE });
          const seen = await s.refreshTokens.lookup(t, DEVICE);
          assert.ok(seen.ok);
          assert.equal(seen.grant.upn, 'bob@example.com');
          assert.equal((await s.refreshTokens.lookup(t, DEVICE)).ok, true);
          const next = await rotated(s, t);
          assert.deepEqual(await s.refreshTokens.lookup(t, DEVICE), { ok: false, reason: 'used' });
          assert.deepEqual(await s.refreshTokens.lookup('nope', DEVICE), {
            ok: false,
            reason: 'unknown',
          });
          await rotated(s, next);
        },
        extras,
      );
    });

    test('revoking a user, a new password or removing the user ends its tokens', async () => {
      await withState(
        await fx.fresh(),
        async (s) => {
          await s.users.add('carol@example.com', 'pw');
          const a = await s.refreshTokens.issue({ upn: 'carol@example.com', ...DEVICE });
          const b = await s.refreshTokens.issue({ upn: 'bob@example.com', ...DEVICE });
          assert.equal(await s.refreshTokens.revoke('carol@example.com'), 1);
          assert.equal(reason(await s.refreshTokens.rotate(a, DEVICE)), 'unknown');
          await rotated(s, b);
          const c = await s.refreshTokens.issue({ upn: 'carol@example.com', ...DEVICE });
          await s.users.setPassword('Carol@Example.com', 'new');
          assert.equal(reason(await s.refreshTokens.rotate(c, DEVICE)), 'unknown');
          const d = await s.refreshTokens.issue({ upn: 'carol@example.com', ...DEVICE });
          await s.users.remove('CAROL@example.com');
          assert.equal(reason(await s.refreshTokens.rotate(d, DEVICE)), 'unknown');
        },
        extras,
      );
    });

    test('50 concurrent rotations of one token from two hosts: exactly one wins', async () => {
      const where = await fx.fresh();
      await withState(
        where,
        async (a) =>
          withState(
            where,
            async (b) => {
              for (let round = 0; round < 3; round++) {
                const t = await a.refreshTokens.issue({ upn: 'bob@example.com', ...DEVICE });
                const results = await Promise.all(
                  Array.from({ length: 50 }, (_, i) =>
                    (i % 2 === 0 ? a : b).refreshTokens.rotate(t, DEVICE),
                  ),
                );
                const winners = results.filter((r) => r.ok);
                assert.equal(winners.length, 1, `round ${round}`);
                // Every loser saw a used token: the family is revoked, the winner's token too.
                assert.deepEqual([...new Set(results.filter((r) => !r.ok).map(reason))], ['reuse']);
                const winner = winners[0] as Extract<RotateResult, { ok: true }>;
                assert.equal(reason(await b.refreshTokens.rotate(winner.token, DEVICE)), 'revoked');
              }
            },
            extras,
          ),
        extras,
      );
    });
  });
}
