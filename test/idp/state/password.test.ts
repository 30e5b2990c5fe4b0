import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_SCRYPT_PARAMS,
  DUMMY_HASH,
  hashPassword,
  verifyPassword,
} from '../../../packages/idp/src/state/password.ts';

const FORMAT = /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/;

describe('hashPassword / verifyPassword', () => {
  test('stores the parameters, a 16-byte salt and a 32-byte hash; verifies', async () => {
    const hash = await hashPassword('correct horse');
    assert.match(hash, FORMAT);
    assert.equal(await verifyPassword(hash, 'correct horse'), true);
    assert.equal(await verifyPassword(hash, 'correct horsE'), false);
    assert.equal(await verifyPassword(hash, ''), false);
  });

  test('salts: one password, two hashes', async () => {
    assert.notEqual(await hashPassword('same'), await hashPassword('same'));
  });

  test('XML-special characters and emoji; NFC and NFD forms are one password', async () => {
    const password = `a&b<c>d"e'f 😀 Ünïcødé`;
    const hash = await hashPassword(password);
    assert.equal(await verifyPassword(hash, password), true);
    assert.equal(await verifyPassword(hash, password.normalize('NFD')), true);
    assert.equal(await verifyPassword(hash, 'a&b<c>d"e\'f 😀'), false);
  });

  test('honours the cost stored with a hash', async () => {
    const hash = await hashPassword('cheap', { N: 2 ** 10, r: 8, p: 1 });
    assert.match(hash, /^scrypt\$1024\$8\$1\$/);
    assert.equal(await verifyPassword(hash, 'cheap'), true);
    assert.equal(DEFAULT_SCRYPT_PARAMS.N, 2 ** 14);
  });

  test('malformed or out-of-range stored hashes never verify', async () => {
    const good = await hashPassword('pw');
    const parts = good.split('$');
    const variants = [
      '',
      'bcrypt$x',
      good.replace('scrypt$', 'scrypt2$'),
      [...parts.slice(0, 1), '1000', ...parts.slice(2)].join('$'),
      [...parts.slice(0, 1), String(2 ** 24), ...parts.slice(2)].join('$'),
      [...parts.slice(0, 4), '***', parts[5]].join('$'),
      `${good}$extra`,
    ];
    for (const bad of variants) assert.equal(await verifyPassword(bad, 'pw'), false, bad);
  });

  test('refuses an empty password or bad parameters to hash', async () => {
    await assert.rejects(hashPassword(''), TypeError);
    await assert.rejects(hashPassword('x', { N: 1000, r: 8, p: 1 }), TypeError);
    await assert.rejects(hashPassword('x', { N: 2 ** 20, r: 32, p: 1 }), TypeError);
  });
});

test('DUMMY_HASH is well formed, at the default cost, and matches nothing', async () => {
  assert.match(DUMMY_HASH, FORMAT);
  assert.equal(await verifyPassword(DUMMY_HASH, ''), false);
  assert.equal(await verifyPassword(DUMMY_HASH, 'password'), false);
});
