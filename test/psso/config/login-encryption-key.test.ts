/**
 * `loginRequestEncryptionPublicKey` and `loginRequestEncryptionAPVPrefix` (docs/PLATFORM-SSO.md §3.10)
 * in a login configuration: a public P-256 EC JWK, checked when the configuration is parsed.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../packages/psso-wstrust/src/errors.ts';
import { parseLoginConfiguration } from '../../../packages/psso-wstrust/src/psso/config/load.ts';
import { base } from './fixtures.ts';

const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = pair.publicKey.export({ format: 'jwk' });

function refused(value: unknown, message: RegExp, field = 'loginRequestEncryptionPublicKey') {
  assert.throws(
    () => parseLoginConfiguration({ ...base, [field]: value }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.code, 'PSSO_ERR_CONFIG_FIELD');
      assert.match(e.message, new RegExp(`^${field} `));
      assert.match(e.message, message);
      assert.doesNotMatch(e.message, new RegExp(String(jwk.x)), 'never quotes the key');
      return true;
    },
  );
}

describe('loginRequestEncryptionPublicKey', () => {
  test('a public P-256 JWK (with kid, use enc, alg ECDH-ES) and a prefix are accepted', () => {
    const c = parseLoginConfiguration({
      ...base,
      loginRequestEncryptionPublicKey: { ...jwk, kid: 'k1', use: 'enc', alg: 'ECDH-ES' },
      loginRequestEncryptionAPVPrefix: 'EXAMPLECORP',
    });
    assert.equal(c.loginRequestEncryptionPublicKey?.x, jwk.x);
    assert.equal(c.loginRequestEncryptionAPVPrefix, 'EXAMPLECORP');
  });
  test('a private key (d) is refused', () =>
    refused(pair.privateKey.export({ format: 'jwk' }), /public key/));
  test('an RSA key is refused', () => refused({ kty: 'RSA', n: 'AQAB', e: 'AQAB' }, /EC P-256/));
  test('a P-384 key is refused', () =>
    refused(
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }),
      /EC P-256/,
    ));
  test('a signing key (use sig) is refused', () => refused({ ...jwk, use: 'sig' }, /use/));
  test('an RSA-OAEP alg is refused', () => refused({ ...jwk, alg: 'RSA-OAEP' }, /alg/));
  test('a missing coordinate is refused', () =>
    refused({ kty: 'EC', crv: 'P-256', x: jwk.x }, /"y"/));
  test('a string is refused', () => refused('BASE64KEY', /JSON object/));
  test('an empty APV prefix is refused', () =>
    refused('', /must not be empty/, 'loginRequestEncryptionAPVPrefix'));
});
