/**
 * Behaviour every user store must have (SQLite, PostgreSQL): canonical UPNs, one password check
 * whatever the user, persistence, removal with lockout state.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PasswordHasher } from '../../../../packages/idp/src/state/password.ts';
import { scryptHasher } from '../../../../packages/idp/src/state/password.ts';
import { validateUpn } from '../../../../packages/idp/src/state/users.ts';
import { assertCode } from '../../../helpers/assert-code.ts';
import { type StateFixture, withState } from './fixture.ts';

const SPECIAL = `p&ss<w0rd>"'`;
const EMOJI = 'ключ 🔑😀 密码';
const S = '192.0.2.1';
const policy = { threshold: 3, windowMs: 60_000, lockoutMs: 300_000 };
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);

export function usersContract(fx: StateFixture): void {
  describe(`users (${fx.name})`, () => {
    test('add, authenticate, case-insensitive UPNs, sorted list, persistence, remove', async () => {
      const where = await fx.fresh();
      await withState(where, async ({ users }) => {
        const user = await users.add('Alice@Example.com', SPECIAL);
        assert.equal(user.upn, 'Alice@Example.com');
        assert.equal(Buffer.from(user.immutableId, 'base64').length, 16);
        assert.ok(!Number.isNaN(Date.parse(user.createdAt)));
        await users.add('bob@example.com', EMOJI);
        const alice = await users.authenticate('alice@EXAMPLE.COM', SPECIAL);
        assert.deepEqual(alice, { upn: 'Alice@Example.com', immutableId: user.immutableId });
        assert.equal((await users.authenticate('bob@example.com', EMOJI))?.upn, 'bob@example.com');
        for (const [upn, pw] of [
          ['Alice@Example.com', 'p&ss<w0rd>"'],
          ['Alice@Example.com', ''],
          ['carol@example.com', SPECIAL],
          ['x'.repeat(300), SPECIAL],
        ] as const)
          assert.equal(await users.authenticate(upn, pw), undefined, upn);
        assert.equal((await users.get('ALICE@example.com'))?.upn, 'Alice@Example.com');
        await assertCode(users.add('alice@example.com', 'other'), 'PSSO_ERR_IDP_USER_EXISTS');
        assert.deepEqual(
          (await users.list()).map((u) => u.upn),
          ['Alice@Example.com', 'bob@example.com'],
        );
      });
      await withState(where, async ({ users }) => {
        assert.equal((await users.get('alice@example.com'))?.upn, 'Alice@Example.com');
        assert.ok(await users.authenticate('bob@example.com', EMOJI));
        await users.remove('BOB@example.com');
        assert.equal(await users.get('bob@example.com'), undefined);
        assert.equal(await users.authenticate('bob@example.com', EMOJI), undefined);
        await assertCode(users.remove('bob@example.com'), 'PSSO_ERR_IDP_USER_NOT_FOUND');
        await assertCode(
          users.setPassword('nobody@example.com', 'x'),
          'PSSO_ERR_IDP_USER_NOT_FOUND',
        );
        const changed = await users.setPassword('ALICE@example.com', 'new');
        assert.equal(changed.upn, 'Alice@Example.com');
        assert.equal(await users.authenticate('alice@example.com', SPECIAL), undefined);
        assert.ok(await users.authenticate('alice@example.com', 'new'));
      });
    });

    test('ensureDemoUser creates once and returns the password only then', async () => {
      const where = await fx.fresh();
      const demo = await withState(where, ({ users }) => users.ensureDemoUser());
      assert.equal(demo.created, true);
      assert.ok(demo.password !== undefined && demo.password.length >= 20);
      await withState(where, async ({ users }) => {
        assert.ok(await users.authenticate('demo@federated.example', demo.password as string));
        assert.deepEqual(await users.ensureDemoUser(), { created: false });
      });
    });

    test('misuse is a TypeError; a name that is not a UPN is refused', async () => {
      assert.equal(validateUpn('x'.repeat(256)), 'x'.repeat(256));
      for (const bad of ['', 'a\nb', 'tab\there', 'nul\u0000', 'c1\u0085', 'x'.repeat(257), 42])
        assert.throws(() => validateUpn(bad), TypeError, String(bad));
      await withState(await fx.fresh(), async ({ users }) => {
        await assert.rejects(users.add('a\u0007b@example.com', 'pw'), TypeError);
        await assert.rejects(users.add('ok@example.com', ''), TypeError);
        await assert.rejects(users.add('ok@example.com', 'x'.repeat(1025)), TypeError);
        await assert.rejects(users.remove(''), TypeError);
        assert.equal(await users.get('a\nb'), undefined);
        for (const bad of ['alice', 'alice@localhost', '@example.com', 'alice@', 'a@b..c'])
          await assert.rejects(users.add(bad, 'pw'), TypeError, bad);
        assert.equal((await users.list()).length, 0);
      });
    });

    test('one password check whether or not the user exists (a spy hasher)', async () => {
      const calls: string[] = [];
      const hasher: PasswordHasher = {
        hash: (p) => scryptHasher.hash(p),
        verify: (stored, p) => {
          calls.push(stored);
          return scryptHasher.verify(stored, p);
        },
        dummyHash: scryptHasher.dummyHash,
      };
      await withState(
        await fx.fresh(),
        async ({ users }) => {
          await users.add('known@example.com', 'right');
          await users.authenticate('known@example.com', 'wrong');
          assert.equal(calls.length, 1);
          assert.match(calls[0] ?? '', /^scrypt\$/);
          await users.authenticate('unknown@example.com', 'wrong');
          await users.authenticate('bad\nupn', 'wrong');
          await users.burnPasswordCheck('wrong');
          assert.deepEqual(calls.slice(1), [hasher.dummyHash, hasher.dummyHash, hasher.dummyHash]);
        },
        { hasher },
      );
    });

    test('NFD, NFC, case and A-label spellings of a non-ASCII UPN find one user', async () => {
      await withState(await fx.fresh(), async ({ users }) => {
        const upn = 'Zoë@Bücher.example';
        await users.add(upn, 'pw');
        for (const spelling of [
          upn.normalize('NFD'),
          'ZOË@BÜCHER.EXAMPLE',
          'zoë@xn--bcher-kva.example',
          'ZOE\u0308@XN--BCHER-KVA.EXAMPLE',
        ]) {
          assert.equal((await users.get(spelling))?.upn, upn, spelling);
          assert.equal((await users.authenticate(spelling, 'pw'))?.upn, upn, spelling);
        }
        await assertCode(
          users.add('zoë@xn--bcher-kva.example', 'other'),
          'PSSO_ERR_IDP_USER_EXISTS',
        );
        assert.deepEqual(await users.verify('nobody@bücher.example', 'pw'), {
          user: undefined,
          known: false,
        });
        assert.equal((await users.verify(upn.normalize('NFD'), 'no')).known, true);
        await users.remove('zoe\u0308@xn--bcher-kva.example');
        assert.equal(await users.get(upn), undefined);
      });
    });

    test('two hosts adding one user at once: exactly one succeeds', async () => {
      const where = await fx.fresh();
      await withState(where, async (a) =>
        withState(where, async (b) => {
          const results = await Promise.allSettled(
            [a, b, a, b].map((s) => s.users.add('race@example.com', 'pw')),
          );
          assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
          for (const r of results)
            if (r.status === 'rejected')
              await assertCode(Promise.reject(r.reason), 'PSSO_ERR_IDP_USER_EXISTS');
        }),
      );
    });

    test('removing a user clears its lockout state (durable lockout)', async () => {
      await withState(await fx.fresh(), async ({ users, lockout, backends }) => {
        await users.add('dave@example.com', 'pw');
        for (const s of [0, 1, 2])
          await lockout.recordFailure('dave@example.com', S, at(s), policy);
        assert.equal(await lockout.isLocked('dave@example.com', S, at(3), policy), true);
        await users.remove('DAVE@example.com');
        // Redis keeps lockout apart (an operator unlocks there with `idp user unlock --redis`).
        const expected = backends.ephemeral === 'redis';
        assert.equal(await lockout.isLocked('dave@example.com', S, at(3), policy), expected);
      });
    });
  });
}
