import assert from 'node:assert/strict';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../../packages/psso-wstrust/src/errors.ts';
import {
  deviceKeyFromPrivateKey,
  keyId,
  loadDeviceKeys,
  loadOrCreateDeviceKeys,
  publicJwk,
  x963,
} from '../../../packages/psso-wstrust/src/psso/keys/device-keys.ts';

// Apple, "Performing encryption verification" (AuthenticationServices): the device signing and
// encryption keys, with the kid the system computes for each.
const APPLE_SIGNING = {
  kty: 'EC',
  crv: 'P-256',
  x: 'gK60EgxT-EipyAgSlrHG0LgFVrgnd8UXAvLOgykJtms',
  y: 'PAIz7YrH4Rxz1rlfn6JcnwSmFDVGY1ISlGnmK1NX5vs',
  d: 'vXZoCHYVxEJVcCcQN50ZKEBwhlQYO6g3KaUIufh3vXw',
  kid: 'Ws9mKynZxyUSNXYtMGAjjLO+Jg16HCa/5pJO0udNWJ4=',
};
const APPLE_ENCRYPTION = {
  kty: 'EC',
  crv: 'P-256',
  x: 'TvkPOH4yscrSC1rFYvnBVPYMqzR1vKck9ht4D7K_gAQ',
  y: '4MlSuUf_7J6Ljv0FBT1jK0_sKGB4WYwdKCOtnTEAwz4',
  d: '1bqqmpoFEtzSnQMqp9N9ZRybnP8vjFUiZyGaSgKVGMw',
  kid: 'pScnuzx3x85Eyp6CtK9UQADxOsAGTP72y02Tg3m1sk8=',
};

const root = mkdtempSync(join(tmpdir(), 'psso-keys-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(root, `d${++n}`, 'device-keys.json');
const mode = (path: string) => statSync(path).mode & 0o777;
const isKeysFileError = (e: unknown) => e instanceof ConfigError && e.code === 'PSSO_ERR_KEYS_FILE';

describe('kid', () => {
  for (const [name, vector] of [
    ['signing', APPLE_SIGNING],
    ['encryption', APPLE_ENCRYPTION],
  ] as const) {
    test(`Apple's ${name} key vector`, () => {
      const { kid, ...jwk } = vector;
      const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
      assert.equal(keyId(createPublicKey(privateKey)), kid);
      assert.equal(keyId(privateKey), kid);
      const key = deviceKeyFromPrivateKey(privateKey);
      assert.equal(key.kid, kid);
      assert.deepEqual(key.publicJwk, { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid });
    });
  }

  test('x963 is 04‖X‖Y and the kid is standard base64 of its SHA-256', () => {
    for (let i = 0; i < 20; i++) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = publicKey.export({ format: 'jwk' });
      const bytes = x963(publicKey);
      assert.equal(bytes.length, 65);
      assert.equal(bytes[0], 4);
      assert.deepEqual(bytes.subarray(1, 33), Buffer.from(jwk.x ?? '', 'base64url'));
      assert.deepEqual(bytes.subarray(33), Buffer.from(jwk.y ?? '', 'base64url'));
      // Independent: the last 65 bytes of the SPKI DER are the uncompressed point.
      const der = publicKey.export({ format: 'der', type: 'spki' });
      assert.deepEqual(bytes, der.subarray(der.length - 65));
      const kid = keyId(publicKey);
      assert.equal(
        kid,
        createHash('sha256')
          .update(der.subarray(der.length - 65))
          .digest('base64'),
      );
      assert.match(kid, /^[A-Za-z0-9+/]{43}=$/);
    }
  });

  test('non-P-256 keys are refused', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    const ed = generateKeyPairSync('ed25519').publicKey;
    for (const key of [p384, ed]) {
      assert.throws(() => x963(key), TypeError);
      assert.throws(() => keyId(key), TypeError);
      assert.throws(() => publicJwk(key), TypeError);
    }
    assert.throws(
      () =>
        deviceKeyFromPrivateKey(
          createPublicKey(createPrivateKey({ key: APPLE_SIGNING, format: 'jwk' })),
        ),
      TypeError,
    );
  });
});

describe('loadOrCreateDeviceKeys', () => {
  test('creates a 0600 file in a 0700 folder and reloads the same keys', async () => {
    const path = freshPath();
    assert.equal(await loadDeviceKeys(path), undefined);
    const keys = await loadOrCreateDeviceKeys(path);
    assert.equal(mode(path), 0o600);
    assert.equal(mode(join(path, '..')), 0o700);
    assert.notEqual(keys.signing.kid, keys.encryption.kid);
    const again = await loadOrCreateDeviceKeys(path);
    assert.equal(again.signing.kid, keys.signing.kid);
    assert.equal(again.encryption.kid, keys.encryption.kid);
    assert.deepEqual(again.signing.publicJwk, keys.signing.publicJwk);
    assert.deepEqual(
      again.encryption.privateKey.export({ format: 'jwk' }),
      keys.encryption.privateKey.export({ format: 'jwk' }),
    );
    // The reloaded signing key signs what the original public key verifies (ES256).
    const data = Buffer.from('login');
    const sig = sign('sha256', data, { key: again.signing.privateKey, dsaEncoding: 'ieee-p1363' });
    assert.equal(sig.length, 64);
    assert.ok(
      verify('sha256', data, { key: keys.signing.publicKey, dsaEncoding: 'ieee-p1363' }, sig),
    );
    const file = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(file.version, 1);
    assert.equal(file.signing.crv, 'P-256');
  });

  test('concurrent creation ends with one set of keys', async () => {
    const path = freshPath();
    const all = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateDeviceKeys(path)));
    const onDisk = await loadOrCreateDeviceKeys(path);
    for (const keys of all) assert.equal(keys.signing.kid, onDisk.signing.kid);
  });

  test('refuses a file readable by group or others', async () => {
    const path = freshPath();
    await loadOrCreateDeviceKeys(path);
    for (const m of [0o644, 0o640, 0o604, 0o660]) {
      chmodSync(path, m);
      await assert.rejects(loadOrCreateDeviceKeys(path), isKeysFileError);
    }
    chmodSync(path, 0o600);
    await loadOrCreateDeviceKeys(path);
  });

  test('refuses a corrupt file without quoting it', async () => {
    const path = freshPath();
    const keys = await loadOrCreateDeviceKeys(path);
    const good = JSON.parse(readFileSync(path, 'utf8'));
    const secret = good.signing.d as string;
    const variants: string[] = [
      `{"signing": "${secret}"`,
      'null',
      '[]',
      JSON.stringify({ ...good, version: 2 }),
      JSON.stringify({ ...good, encryption: undefined }),
      JSON.stringify({ ...good, signing: { ...good.signing, crv: 'P-384' } }),
      JSON.stringify({ ...good, signing: { ...good.signing, d: 'AAAA' } }),
      JSON.stringify({ ...good, signing: { ...good.signing, d: good.encryption.d } }),
      JSON.stringify({ ...good, signing: { ...good.signing, x: good.encryption.x } }),
      '',
    ];
    for (const text of variants) {
      writeFileSync(path, text, { mode: 0o600 });
      await assert.rejects(
        loadOrCreateDeviceKeys(path),
        (e: unknown) => isKeysFileError(e) && !String((e as Error).message).includes(secret),
      );
    }
    // Not overwritten: the caller decides what to do with a corrupt file.
    assert.equal(readFileSync(path, 'utf8'), '');
    assert.ok(keys.signing.kid);
  });

  test('refuses a folder in place of the file', async () => {
    const path = freshPath();
    await loadOrCreateDeviceKeys(join(path, 'inner.json'));
    await assert.rejects(loadOrCreateDeviceKeys(path), isKeysFileError);
  });
});
