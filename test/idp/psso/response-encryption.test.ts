/**
 * The token endpoint's response encryption (docs/PLATFORM-SSO.md §3.4, §3.7): `jwe_crypto` checked
 * against the device registration (store), the HPKE policy file of the data folder.
 */
import assert from 'node:assert/strict';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BASE_MODE, loadHpkeResponsePolicy } from '../../../packages/idp/src/psso/hpke-policy.ts';
import { Refusal } from '../../../packages/idp/src/psso/refusal.ts';
import { readJweCrypto } from '../../../packages/idp/src/psso/response-encryption.ts';
import { openIdpState } from '../../../packages/idp/src/state/open.ts';
import type { DeviceRecord } from '../../../packages/idp/src/state/records.ts';
import { IdpError } from '../../../packages/psso-wstrust/src/errors.ts';
import {
  generateDeviceKeys,
  publicJwk,
} from '../../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { tempDataDir } from '../../e2e/support.ts';
import { assertCode } from '../../helpers/assert-code.ts';
import { runCli } from '../../helpers/cli.ts';

const NONCE = 'B7F1FC32-9121-4E2A-9E32-8417E03675DD';

async function register(alg?: string): Promise<{
  device: DeviceRecord;
  keys: ReturnType<typeof generateDeviceKeys>;
}> {
  const keys = generateDeviceKeys(
    alg === undefined || alg === 'ECDH-ES' ? {} : { hpkeSuite: alg as 'HPKE-P256-SHA256-A256GCM' },
  );
  const store = await openIdpState({ dataDir: tempDataDir() });
  try {
    const device = await store.devices.add(
      'psso',
      publicJwk(keys.signing.publicKey),
      keys.hpkeEncryption?.publicJwk ?? publicJwk(keys.encryption.publicKey),
      alg,
    );
    assert.deepEqual(
      (await store.devices.get(device.signingKid))?.encryptionAlg,
      device.encryptionAlg,
    );
    return { device, keys };
  } finally {
    await store.close();
  }
}

const refused = (f: () => unknown, label: string) =>
  assert.throws(f, (e: unknown) => e instanceof Refusal && e.label === label && e.status === 400);

describe('device registration with an HPKE suite', () => {
  test('each suite stores its key type and kid; ECDH-ES stays the default', async () => {
    for (const alg of [
      'HPKE-P256-SHA256-A256GCM',
      'HPKE-P384-SHA384-A256GCM',
      'HPKE-X25519-SHA256-ChaCha20Poly1305',
    ]) {
      const { device, keys } = await register(alg);
      assert.equal(device.encryptionAlg, alg);
      assert.equal(device.encryptionKid, keys.hpkeEncryption?.kid);
    }
    assert.equal((await register()).device.encryptionAlg, 'ECDH-ES');
  });

  test('refused: an unknown alg, a key of another type, a private key', async () => {
    const store = await openIdpState({ dataDir: tempDataDir() });
    const refused = (run: Promise<unknown>) =>
      assertCode(run, 'PSSO_ERR_IDP_REGISTRATION_INVALID', IdpError);
    try {
      const keys = generateDeviceKeys({ hpkeSuite: 'HPKE-X25519-SHA256-ChaCha20Poly1305' });
      const sign = publicJwk(keys.signing.publicKey);
      const x = keys.hpkeEncryption?.publicJwk;
      await refused(store.devices.add('psso', sign, x, 'HPKE-P521-SHA512-A256GCM'));
      await refused(store.devices.add('psso', sign, x, 'HPKE-P256-SHA256-A256GCM'));
      await refused(store.devices.add('psso', sign, x)); // ECDH-ES needs P-256
      const priv = keys.hpkeEncryption?.privateKey.export({ format: 'jwk' });
      await refused(store.devices.add('psso', sign, priv, 'HPKE-X25519-SHA256-ChaCha20Poly1305'));
    } finally {
      await store.close();
    }
  });
});

describe('idp device add --encryption-alg', () => {
  test('registers an X25519 HPKE device; an unknown suite or a key of another type is a usage error', async () => {
    const data = tempDataDir();
    const keys = generateDeviceKeys({ hpkeSuite: 'HPKE-X25519-SHA256-ChaCha20Poly1305' });
    const sign = join(data, 'sign.jwk');
    const enc = join(data, 'enc.jwk');
    writeFileSync(sign, JSON.stringify(publicJwk(keys.signing.publicKey)));
    writeFileSync(enc, JSON.stringify(keys.hpkeEncryption?.publicJwk));
    const add = (alg: string) =>
      runCli([
        'idp',
        'device',
        'add',
        '--client-id',
        'psso',
        '--signing-jwk',
        sign,
        '--encryption-jwk',
        enc,
        '--encryption-alg',
        alg,
        '--data',
        data,
      ]);
    assert.equal((await add('HPKE-P521-SHA512-A256GCM')).code, 2);
    assert.equal((await add('HPKE-P256-SHA256-A256GCM')).code, 2);
    const ok = await add('HPKE-X25519-SHA256-ChaCha20Poly1305');
    assert.equal(ok.code, 0, ok.stderr);
    const store = await openIdpState({ dataDir: data });
    try {
      const d = await store.devices.get(keys.signing.kid);
      assert.equal(d?.encryptionAlg, 'HPKE-X25519-SHA256-ChaCha20Poly1305');
      assert.equal(d?.encryptionKid, keys.hpkeEncryption?.kid);
    } finally {
      await store.close();
    }
  });
});

describe('readJweCrypto', async () => {
  const ecdh = await register();
  const hpke = await register('HPKE-P256-SHA256-A256GCM');
  const kid = hpke.device.encryptionKid;

  test('ECDH-ES device: ECDH-ES + A256GCM + apv', () => {
    const r = readJweCrypto(
      { jwe_crypto: { alg: 'ECDH-ES', enc: 'A256GCM', apv: 'AAAA' } },
      ecdh.device,
    );
    assert.deepEqual(r, { alg: 'ECDH-ES', apv: 'AAAA' });
  });

  test('HPKE device: suite + dir + kid (padded standard or base64url), info = nonce', () => {
    for (const k of [kid, kid.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')]) {
      const r = readJweCrypto(
        { nonce: NONCE, jwe_crypto: { alg: 'HPKE-P256-SHA256-A256GCM', enc: 'dir', kid: k } },
        hpke.device,
      );
      assert.deepEqual(r, { alg: 'HPKE-P256-SHA256-A256GCM', kid, info: NONCE });
    }
  });

  test('refusals: mismatches with the registration, bad pairs, no nonce', () => {
    const h =
      (c: Record<string, unknown>, nonce: unknown = NONCE) =>
      () =>
        readJweCrypto({ nonce, jwe_crypto: c } as never, hpke.device);
    const suite = { alg: 'HPKE-P256-SHA256-A256GCM', enc: 'dir', kid };
    refused(h({ ...suite, kid: ecdh.device.encryptionKid }), 'jwe-crypto-mismatch');
    refused(h({ ...suite, alg: 'HPKE-P384-SHA384-A256GCM' }), 'jwe-crypto-mismatch');
    refused(h({ alg: 'ECDH-ES', enc: 'A256GCM', apv: 'AAAA' }), 'jwe-crypto-mismatch');
    refused(
      () => readJweCrypto({ nonce: NONCE, jwe_crypto: suite }, ecdh.device),
      'jwe-crypto-mismatch',
    );
    refused(h({ ...suite, enc: 'A256GCM' }), 'jwe-crypto');
    refused(h({ ...suite, alg: 'HPKE-P521-SHA512-A256GCM' }), 'jwe-crypto');
    refused(h({ alg: 'ECDH-ES', enc: 'dir', apv: 'AAAA' }), 'jwe-crypto');
    refused(h({ ...suite, kid: undefined }), 'jwe-crypto');
    refused(() => readJweCrypto({}, hpke.device), 'jwe-crypto');
    refused(h(suite, null), 'hpke-nonce');
    refused(h(suite, 'n'.repeat(129)), 'hpke-nonce');
  });
});

describe('the HPKE policy file (hpke.json)', () => {
  const write = (dir: string, json: unknown, mode = 0o600) => {
    const file = join(dir, 'hpke.json');
    writeFileSync(file, JSON.stringify(json));
    chmodSync(file, mode);
  };
  const key = Buffer.alloc(32, 3).toString('base64');

  test('no file: Base mode', async () => {
    assert.equal(await loadHpkeResponsePolicy(tempDataDir()), BASE_MODE);
  });

  test('a global PSK, a per-device PSK, and sender keys created once (0600)', async () => {
    const dir = tempDataDir();
    const { device } = await register('HPKE-X25519-SHA256-ChaCha20Poly1305');
    write(dir, {
      psk: { id: 'g', key },
      devicePsks: { [device.signingKid]: { id: 'd', key: Buffer.alloc(40, 4).toString('base64') } },
      auth: true,
    });
    const p = await loadHpkeResponsePolicy(dir);
    assert.equal(Buffer.from(p.psk(device)?.id ?? []).toString(), 'd');
    assert.equal(Buffer.from(p.psk((await register()).device)?.id ?? []).toString(), 'g');
    assert.equal(statSync(join(dir, 'hpke-sender-keys.json')).mode & 0o777, 0o600);
    const jwk = p.senderPublicJwk('HPKE-P384-SHA384-A256GCM');
    assert.equal(jwk?.crv, 'P-384');
    assert.equal(jwk?.d, undefined);
    assert.deepEqual(
      (await loadHpkeResponsePolicy(dir)).senderPublicJwk('HPKE-P384-SHA384-A256GCM'),
      jwk,
    );
    assert.equal(p.senderKey('HPKE-X25519-SHA256-ChaCha20Poly1305')?.asymmetricKeyType, 'x25519');
  });

  test('refused: a short PSK, no id, a non-boolean auth, a file others can read', async () => {
    for (const bad of [
      { psk: { id: 'g', key: Buffer.alloc(16).toString('base64') } },
      { psk: { key } },
      { auth: 'yes' },
    ]) {
      const dir = tempDataDir();
      write(dir, bad);
      await assert.rejects(
        loadHpkeResponsePolicy(dir),
        (e: unknown) => e instanceof IdpError && e.code === 'PSSO_ERR_IDP_DATA_DIR',
      );
    }
    const dir = tempDataDir();
    write(dir, { psk: { id: 'g', key } }, 0o644);
    await assert.rejects(
      loadHpkeResponsePolicy(dir),
      (e: unknown) => e instanceof IdpError && e.code === 'PSSO_ERR_IDP_KEY_FILE_MODE',
    );
  });
});
