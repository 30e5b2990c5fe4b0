/** The HPKE fields of a login configuration (docs/PLATFORM-SSO.md §2): load-time rules and use. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../packages/psso-wstrust/src/errors.ts';
import { hpkeResponseKey } from '../../../packages/psso-wstrust/src/psso/config/hpke.ts';
import { parseLoginConfiguration } from '../../../packages/psso-wstrust/src/psso/config/load.ts';
import { generateHpkeDeviceKey } from '../../../packages/psso-wstrust/src/psso/keys/hpke-key.ts';
import { base } from './fixtures.ts';

const PSK = Buffer.alloc(32, 1).toString('base64');
const fieldError = (json: Record<string, unknown>, field: string) =>
  assert.throws(
    () => parseLoginConfiguration({ ...base, ...json }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.code === 'PSSO_ERR_CONFIG_FIELD' &&
      e.message.startsWith(field) &&
      !e.message.includes(PSK),
  );

describe('HPKE configuration fields', () => {
  test('a PSK of 32 bytes with an id, and a public auth key of each type, are accepted', () => {
    for (const pub of [
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey,
      generateKeyPairSync('x25519').publicKey,
    ]) {
      const c = parseLoginConfiguration({
        ...base,
        hpkePreSharedKey: PSK,
        hpkePreSharedKeyID: 'id-1',
        hpkeAuthPublicKey: pub.export({ format: 'jwk' }),
      });
      assert.equal(c.hpkePreSharedKeyID, 'id-1');
    }
  });

  test('PSK rules: at least 32 bytes, standard base64, both fields or neither, non-empty id', () => {
    fieldError(
      { hpkePreSharedKey: Buffer.alloc(31).toString('base64'), hpkePreSharedKeyID: 'a' },
      'hpkePreSharedKey',
    );
    fieldError(
      { hpkePreSharedKey: Buffer.alloc(32).toString('base64url'), hpkePreSharedKeyID: 'a' },
      'hpkePreSharedKey',
    );
    fieldError({ hpkePreSharedKey: PSK }, 'hpkePreSharedKeyID');
    fieldError({ hpkePreSharedKeyID: 'a' }, 'hpkePreSharedKey');
    fieldError({ hpkePreSharedKey: PSK, hpkePreSharedKeyID: '' }, 'hpkePreSharedKeyID');
  });

  test('the auth key must be a public P-256, P-384 or X25519 JWK', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    fieldError({ hpkeAuthPublicKey: ec.export({ format: 'jwk' }) }, 'hpkeAuthPublicKey');
    const ed = generateKeyPairSync('ed25519').publicKey;
    fieldError({ hpkeAuthPublicKey: ed.export({ format: 'jwk' }) }, 'hpkeAuthPublicKey');
    fieldError(
      { hpkeAuthPublicKey: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } },
      'hpkeAuthPublicKey',
    );
  });

  test('hpkeResponseKey: info = the nonce, the PSK bytes and id (UTF-8), the auth key', () => {
    const key = generateHpkeDeviceKey('HPKE-P256-SHA256-A256GCM');
    const auth = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const r = hpkeResponseKey(
      {
        hpkePreSharedKey: PSK,
        hpkePreSharedKeyID: 'ïd',
        hpkeAuthPublicKey: auth.export({ format: 'jwk' }) as Record<string, string>,
      },
      key,
      'NONCE',
    );
    assert.equal(r.info, 'NONCE');
    assert.deepEqual(Buffer.from(r.psk?.key ?? []), Buffer.alloc(32, 1));
    assert.equal(Buffer.from(r.psk?.id ?? []).toString('utf8'), 'ïd');
    assert.ok(r.authPublicKey?.equals(auth));
    assert.deepEqual(Object.keys(hpkeResponseKey({}, key, 'N')).sort(), ['info', 'privateKey']);
  });
});
