import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { IdpError } from '../../../src/errors.ts';
import {
  type IdpStore,
  openIdpStore,
  type PasswordHasher,
  scryptHasher,
  validateUpn,
} from '../../../src/idp/store/index.ts';

const root = mkdtempSync(join(tmpdir(), 'psso-users-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${++n}`);
const code = (c: string) => (e: unknown) => e instanceof IdpError && e.code === c;
const SPECIAL = `p&ss<w0rd>"'`;
const EMOJI = 'ключ 🔑😀 密码';

describe('UserStore', () => {
  const dir = freshDir();
  let store: IdpStore = openIdpStore(dir);
  after(() => store.close());

  test('add returns the record with a 16-byte base64 immutable id', async () => {
    const user = await store.users.add('Alice@Example.com', SPECIAL);
    assert.equal(user.upn, 'Alice@Example.com');
    assert.equal(Buffer.from(user.immutableId, 'base64').length, 16);
    assert.ok(!Number.isNaN(Date.parse(user.createdAt)));
    await store.users.add('bob@example.com', EMOJI);
  });

  test('authenticate: right password, wrong password, unknown user', async () => {
    const alice = await store.users.authenticate('Alice@Example.com', SPECIAL);
    assert.deepEqual(alice, { upn: 'Alice@Example.com', immutableId: alice?.immutableId });
    assert.equal(
      (await store.users.authenticate('bob@example.com', EMOJI))?.upn,
      'bob@example.com',
    );
    assert.equal(await store.users.authenticate('Alice@Example.com', 'p&ss<w0rd>"'), undefined);
    assert.equal(await store.users.authenticate('Alice@Example.com', ''), undefined);
    assert.equal(await store.users.authenticate('carol@example.com', SPECIAL), undefined);
    assert.equal(await store.users.authenticate('x'.repeat(300), SPECIAL), undefined);
  });

  test('UPNs are case-insensitive; the stored spelling is kept', async () => {
    const user = await store.users.authenticate('alice@EXAMPLE.COM', SPECIAL);
    assert.equal(user?.upn, 'Alice@Example.com');
    assert.equal(store.users.get('ALICE@example.com')?.upn, 'Alice@Example.com');
    await assert.rejects(
      store.users.add('alice@example.com', 'other'),
      code('PSSO_ERR_IDP_USER_EXISTS'),
    );
  });

  test('list is sorted by UPN', () => {
    assert.deepEqual(
      store.users.list().map((u) => u.upn),
      ['Alice@Example.com', 'bob@example.com'],
    );
  });

  test('users persist across reopening', async () => {
    const before = store.users.get('alice@example.com');
    store.close();
    store = openIdpStore(dir);
    assert.deepEqual(store.users.get('alice@example.com'), before);
    assert.ok(await store.users.authenticate('bob@example.com', EMOJI));
  });

  test('remove (any case), then remove again is USER_NOT_FOUND', async () => {
    store.users.remove('BOB@example.com');
    assert.equal(store.users.get('bob@example.com'), undefined);
    assert.equal(await store.users.authenticate('bob@example.com', EMOJI), undefined);
    assert.throws(() => store.users.remove('bob@example.com'), code('PSSO_ERR_IDP_USER_NOT_FOUND'));
  });

  test('ensureDemoUser creates once and returns the password only then', async () => {
    const demo = await store.users.ensureDemoUser();
    assert.equal(demo.created, true);
    assert.ok(demo.password !== undefined && demo.password.length >= 20);
    assert.ok(await store.users.authenticate('demo@federated.example', demo.password));
    store.close();
    store = openIdpStore(dir);
    assert.deepEqual(await store.users.ensureDemoUser(), { created: false });
  });
});

test('UPN validation: misuse is a TypeError', async () => {
  assert.equal(validateUpn('x'.repeat(256)), 'x'.repeat(256));
  for (const bad of ['', 'a\nb', 'tab\there', 'nul\u0000', 'c1\u0085', 'x'.repeat(257), 42])
    assert.throws(() => validateUpn(bad), TypeError, String(bad));
  const store = openIdpStore(freshDir());
  try {
    await assert.rejects(store.users.add('a\u0007b@example.com', 'pw'), TypeError);
    await assert.rejects(store.users.add('ok@example.com', ''), TypeError);
    await assert.rejects(store.users.add('ok@example.com', 'x'.repeat(1025)), TypeError);
    assert.throws(() => store.users.remove(''), TypeError);
    assert.equal(store.users.get('a\nb'), undefined);
  } finally {
    store.close();
  }
});

describe('authenticate costs one password check whether or not the user exists', () => {
  test('spied through an injected hasher', async () => {
    const calls: string[] = [];
    const hasher: PasswordHasher = {
      hash: (p) => scryptHasher.hash(p),
      verify: (stored, p) => {
        calls.push(stored);
        return scryptHasher.verify(stored, p);
      },
      dummyHash: scryptHasher.dummyHash,
    };
    const store = openIdpStore(freshDir(), { hasher });
    try {
      await store.users.add('known@example.com', 'right');
      await store.users.authenticate('known@example.com', 'wrong');
      assert.equal(calls.length, 1);
      assert.notEqual(calls[0], hasher.dummyHash);
      assert.match(calls[0] ?? '', /^scrypt\$/);
      await store.users.authenticate('unknown@example.com', 'wrong');
      await store.users.authenticate('bad\nupn', 'wrong');
      await store.users.burnPasswordCheck('wrong');
      assert.deepEqual(calls.slice(1), [hasher.dummyHash, hasher.dummyHash, hasher.dummyHash]);
    } finally {
      store.close();
    }
  });

  test('measured: an unknown user takes about as long as a wrong password', async () => {
    const store = openIdpStore(freshDir());
    try {
      await store.users.add('known@example.com', 'right');
      const median = async (upn: string) => {
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
          const start = performance.now();
          assert.equal(await store.users.authenticate(upn, 'wrong'), undefined);
          times.push(performance.now() - start);
        }
        return times.sort((a, b) => a - b)[2] ?? 0;
      };
      const known = await median('known@example.com');
      const unknown = await median('unknown@example.com');
      assert.ok(known > 5, `scrypt ran for the known user (${known} ms)`);
      assert.ok(unknown > known / 2 && unknown < known * 2, `${unknown} ms vs ${known} ms`);
    } finally {
      store.close();
    }
  });
});

describe('canonical usernames', () => {
  test('NFD, NFC, case and A-label spellings of a non-ASCII UPN find one user, and cannot be added twice', async () => {
    const store = openIdpStore(freshDir());
    try {
      const upn = 'Zoë@Bücher.example';
      await store.users.add(upn, 'pw');
      for (const spelling of [
        upn.normalize('NFD'),
        'ZOË@BÜCHER.EXAMPLE',
        'zoë@xn--bcher-kva.example',
        'ZOE\u0308@XN--BCHER-KVA.EXAMPLE',
      ]) {
        assert.equal(store.users.get(spelling)?.upn, upn, spelling);
        assert.equal((await store.users.authenticate(spelling, 'pw'))?.upn, upn, spelling);
      }
      await assert.rejects(
        store.users.add('zoë@xn--bcher-kva.example', 'other'),
        code('PSSO_ERR_IDP_USER_EXISTS'),
      );
      assert.deepEqual(await store.users.verify('nobody@bücher.example', 'pw'), {
        user: undefined,
        known: false,
      });
      assert.equal((await store.users.verify(upn.normalize('NFD'), 'no')).known, true);
      store.users.remove('zoe\u0308@xn--bcher-kva.example');
      assert.equal(store.users.get(upn), undefined);
    } finally {
      store.close();
    }
  });

  test('add refuses a name that is not a UPN (local@domain, the domain with a dot)', async () => {
    const store = openIdpStore(freshDir());
    try {
      for (const bad of ['alice', 'alice@localhost', '@example.com', 'alice@', 'a@b..c'])
        await assert.rejects(store.users.add(bad, 'pw'), TypeError, bad);
      assert.equal(store.users.list().length, 0);
    } finally {
      store.close();
    }
  });
});
