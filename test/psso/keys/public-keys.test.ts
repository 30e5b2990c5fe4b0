import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { describe, test } from 'node:test';
import { generateDeviceKeys } from '../../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import {
  formatPublicKey,
  NAMED_KEYS,
  publicKeyFile,
  publicKeys,
  publicPartsOfKeyFile,
} from '../../../packages/psso-wstrust/src/psso/keys/public-keys.ts';
import { generateUserSecureEnclaveKey } from '../../../packages/psso-wstrust/src/psso/keys/user-key.ts';

const keys = { ...generateDeviceKeys(), userSecureEnclaveKey: generateUserSecureEnclaveKey() };
const privateJwk = (k: typeof keys.signing) => k.privateKey.export({ format: 'jwk' });

describe('the public keys of a device key file', () => {
  test('every named key, with its kid; the kid is SHA-256 over the x963 form shown', () => {
    const list = publicKeys(keys, 'x963');
    assert.deepEqual(
      list.map((k) => k.name),
      NAMED_KEYS.map((n) => n.name),
    );
    for (const k of list) {
      const raw = Buffer.from(String(k.value), 'base64');
      assert.equal(raw.length, 65);
      assert.equal(raw[0], 4);
      assert.equal(createHash('sha256').update(raw).digest('base64'), k.kid);
    }
  });
  test('jwk carries kid and no private member; pem is an SPKI of the same key', () => {
    const jwk = formatPublicKey(keys.signing, 'jwk') as unknown as Record<string, unknown>;
    assert.equal(jwk.kid, keys.signing.kid);
    assert.equal(jwk.d, undefined);
    const pem = String(formatPublicKey(keys.signing, 'pem'));
    assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.ok(createPublicKey(pem).equals(keys.signing.publicKey));
  });
  test('nothing shown holds a private scalar, in any format', () => {
    const d = [privateJwk(keys.signing).d, privateJwk(keys.encryption).d];
    const shown = JSON.stringify([
      publicKeys(keys, 'jwk'),
      publicKeys(keys, 'pem'),
      publicKeys(keys, 'x963'),
      publicKeyFile(keys),
    ]);
    for (const scalar of d) assert.ok(scalar !== undefined && !shown.includes(scalar));
    assert.doesNotMatch(shown, /"d"/);
  });
});

describe('publicPartsOfKeyFile (what idp device add --keys registers)', () => {
  test('the private key file: only kty, crv, x, y of each key', () => {
    const file = {
      version: 1,
      signing: privateJwk(keys.signing),
      encryption: privateJwk(keys.encryption),
    };
    const parts = publicPartsOfKeyFile(file);
    assert.deepEqual(Object.keys(parts.signing).sort(), ['crv', 'kty', 'x', 'y']);
    assert.equal(parts.signing.x, keys.signing.publicJwk.x);
    assert.equal(parts.encryption.y, keys.encryption.publicJwk.y);
    assert.doesNotMatch(JSON.stringify(parts), /"d"/);
  });
  test('the public key file works the same', () => {
    const parts = publicPartsOfKeyFile(JSON.parse(JSON.stringify(publicKeyFile(keys))));
    assert.equal(parts.signing.x, keys.signing.publicJwk.x);
  });
  test('not a key file: TypeError', () => {
    for (const bad of [
      null,
      [],
      'x',
      { version: 2, signing: {}, encryption: {} },
      { version: 1 },
      { version: 1, signing: {}, encryption: 'k' },
    ])
      assert.throws(() => publicPartsOfKeyFile(bad), TypeError);
  });
});
