/** The optional HPKE device key in the device key file (docs/PLATFORM-SSO.md §3.4). */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../../packages/psso-wstrust/src/errors.ts';
import { HPKE_SUITES } from '../../../packages/psso-wstrust/src/jose/hpke/suites.ts';
import { keyId } from '../../../packages/psso-wstrust/src/jose/key-id.ts';
import {
  loadDeviceKeys,
  loadOrCreateDeviceKeys,
} from '../../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import {
  generateHpkeDeviceKey,
  hpkeJweCrypto,
} from '../../../packages/psso-wstrust/src/psso/keys/hpke-key.ts';

const root = mkdtempSync(join(tmpdir(), 'psso-hpke-keys-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(root, `d${++n}`, 'device-keys.json');
const isKeysFileError = (e: unknown) => e instanceof ConfigError && e.code === 'PSSO_ERR_KEYS_FILE';

describe('HPKE device key', () => {
  test('kid: SHA-256 of X9.63 for P-256 (same as keyId), of the raw key for X25519', () => {
    const p256 = generateHpkeDeviceKey('HPKE-P256-SHA256-A256GCM');
    assert.equal(p256.kid, keyId(p256.publicKey));
    const x = generateHpkeDeviceKey('HPKE-X25519-SHA256-ChaCha20Poly1305');
    const raw = Buffer.from(x.publicJwk.x ?? '', 'base64url');
    assert.equal(raw.length, 32);
    assert.equal(x.kid, createHash('sha256').update(raw).digest('base64'));
    const p384 = generateHpkeDeviceKey('HPKE-P384-SHA384-A256GCM');
    assert.equal(p384.publicJwk.crv, 'P-384');
    assert.deepEqual(hpkeJweCrypto(p384), {
      alg: 'HPKE-P384-SHA384-A256GCM',
      enc: 'dir',
      kid: p384.kid,
    });
  });

  for (const suite of HPKE_SUITES)
    test(`${suite}: written to a new key file (0600) and read back`, async () => {
      const path = freshPath();
      const made = await loadOrCreateDeviceKeys(path, { hpkeSuite: suite });
      const json = JSON.parse(readFileSync(path, 'utf8')) as { hpkeEncryption: { alg: string } };
      assert.equal(json.hpkeEncryption.alg, suite);
      const again = await loadDeviceKeys(path);
      assert.equal(again?.hpkeEncryption?.kid, made.hpkeEncryption?.kid);
      assert.equal(again?.hpkeEncryption?.alg, suite);
    });

  test('an existing key file is returned as it is (no HPKE key added)', async () => {
    const path = freshPath();
    await loadOrCreateDeviceKeys(path);
    const keys = await loadOrCreateDeviceKeys(path, { hpkeSuite: 'HPKE-P256-SHA256-A256GCM' });
    assert.equal(keys.hpkeEncryption, undefined);
  });

  test('attack: a key file whose HPKE public key is not the one of d, or an unknown suite → corrupt', async () => {
    for (const [suite, edit] of [
      [
        'HPKE-P384-SHA384-A256GCM',
        (h: Record<string, unknown>) => {
          (h.jwk as Record<string, unknown>).x = generateHpkeDeviceKey(
            'HPKE-P384-SHA384-A256GCM',
          ).publicJwk.x;
        },
      ],
      [
        'HPKE-X25519-SHA256-ChaCha20Poly1305',
        (h: Record<string, unknown>) => {
          (h.jwk as Record<string, unknown>).x = generateHpkeDeviceKey(
            'HPKE-X25519-SHA256-ChaCha20Poly1305',
          ).publicJwk.x;
        },
      ],
      [
        'HPKE-P256-SHA256-A256GCM',
        (h: Record<string, unknown>) => {
          h.alg = 'HPKE-P521-SHA512-A256GCM';
        },
      ],
      [
        'HPKE-P256-SHA256-A256GCM',
        (h: Record<string, unknown>) => {
          h.alg = 'HPKE-P384-SHA384-A256GCM'; // a P-256 key declared for the P-384 suite
        },
      ],
    ] as const) {
      const path = freshPath();
      await loadOrCreateDeviceKeys(path, { hpkeSuite: suite });
      const json = JSON.parse(readFileSync(path, 'utf8')) as Record<
        string,
        Record<string, unknown>
      >;
      edit(json.hpkeEncryption as Record<string, unknown>);
      writeFileSync(path, JSON.stringify(json), { mode: 0o600 });
      await assert.rejects(loadDeviceKeys(path), isKeysFileError);
    }
  });
});
