/**
 * The key request / key exchange JWT and form (docs/PLATFORM-SSO.md §3.11): a real Mac's header and
 * claims, in its order, without `aud`; std-b64 X9.63 `other_publickey`; form version 2.0.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { keyId, x963 } from '../../packages/psso-wstrust/src/jose/key-id.ts';
import {
  buildKeyRequestJwt,
  KEY_FORM_PREFIX,
  keyRequestBody,
} from '../../packages/psso-wstrust/src/jose/key-request-jwt.ts';
import { loginApv } from '../../packages/psso-wstrust/src/jose/party-info.ts';
import { generateDeviceKeys } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';

const keys = generateDeviceKeys();
const NONCE = '9317E810-C5E6-416D-AA48-350C75075DD2';
const base = {
  signingKey: keys.signing.privateKey,
  encryptionPublicKey: keys.encryption.publicKey,
  clientId: 'psso',
  username: 'alice@example.com',
  nonce: NONCE,
  serverNonce: 'server-nonce',
  refreshToken: 'rt',
  now: 1_700_000_000,
};
const realMac = (name: string) =>
  readFileSync(new URL(`../fixtures/real-mac/${name}`, import.meta.url), 'utf8').trim();

describe('key request JWT', () => {
  test('key_request: header typ/alg/kid, the real Mac claim order, no aud, exp = iat + 300', async () => {
    const jwt = await buildKeyRequestJwt({ ...base, requestType: 'key_request' });
    assert.deepEqual(decodeProtectedHeader(jwt), {
      typ: 'platformsso-key-request+jwt',
      alg: 'ES256',
      kid: keyId(keys.signing.publicKey),
    });
    const claims = decodeJwt(jwt);
    // The order a real Mac sends (the key-request.jwt fixture), key for key.
    assert.deepEqual(Object.keys(claims), Object.keys(decodeJwt(realMac('key-request.jwt'))));
    assert.equal(claims.aud, undefined);
    assert.equal(claims.version, '1.0');
    assert.equal(claims.key_purpose, 'user_unlock');
    assert.equal(claims.iss, 'psso');
    assert.equal(claims.sub, 'alice@example.com');
    assert.equal(claims.exp, 1_700_000_300);
    assert.deepEqual(claims.jwe_crypto, {
      alg: 'ECDH-ES',
      enc: 'A256GCM',
      apv: loginApv(keys.encryption.publicKey, NONCE).base64url,
    });
    await jwtVerify(jwt, keys.signing.publicKey, { currentDate: new Date(1_700_000_000_000) });
    // Both segments as NSJSONSerialization writes them, like the fixture's.
    const [head, body] = jwt.split('.').map((p) => Buffer.from(p, 'base64url').toString('utf8'));
    assert.match(
      head ?? '',
      /^\{\n {2}"typ" : "platformsso-key-request\+jwt",\n {2}"alg" : "ES256"/,
    );
    assert.match(body ?? '', /^\{\n {2}"jwe_crypto" : \{\n {4}"alg" : "ECDH-ES"/);
  });

  test('key_exchange: other_publickey std-b64 of the 65-byte X9.63 point, key_context echoed, Mac order', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwt = await buildKeyRequestJwt({
      ...base,
      requestType: 'key_exchange',
      otherPublicKey: other.publicKey,
      keyContext: 'ctx',
    });
    const claims = decodeJwt(jwt);
    assert.deepEqual(Object.keys(claims), Object.keys(decodeJwt(realMac('key-exchange.jwt'))));
    assert.equal(claims.other_publickey, x963(other.publicKey).toString('base64'));
    assert.equal(Buffer.from(String(claims.other_publickey), 'base64').length, 65);
    assert.equal(claims.key_context, 'ctx');
    assert.equal(decodeProtectedHeader(jwt).typ, 'platformsso-key-request+jwt');
  });

  test('misuse is a TypeError', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    await assert.rejects(buildKeyRequestJwt({ ...base, requestType: 'key_exchange' }), TypeError);
    await assert.rejects(
      buildKeyRequestJwt({ ...base, requestType: 'key_exchange', keyContext: 'c' }),
      TypeError,
    );
    await assert.rejects(
      buildKeyRequestJwt({ ...base, requestType: 'key_request', otherPublicKey: other }),
      TypeError,
    );
    await assert.rejects(
      buildKeyRequestJwt({ ...base, requestType: 'key_request', refreshToken: '' }),
      TypeError,
    );
  });

  test('form: platform_sso_version=2.0 first, jwt-bearer, then assertion', () => {
    assert.equal(
      keyRequestBody('a.b.c'),
      'platform_sso_version=2.0&grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=a.b.c',
    );
    assert.ok(keyRequestBody('a.b.c', 'request').startsWith(KEY_FORM_PREFIX));
    assert.ok(keyRequestBody('a.b.c', 'request').endsWith('&request=a.b.c'));
    assert.throws(() => keyRequestBody('a b'), TypeError);
  });
});
