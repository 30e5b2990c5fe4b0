import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../../packages/psso-wstrust/src/errors.ts';
import {
  loadDeviceKeys,
  loadOrCreateDeviceKeys,
} from '../../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import {
  loadSmartCard,
  smartCardCredential,
} from '../../../packages/psso-wstrust/src/psso/keys/smartcard.ts';
import { addUserSecureEnclaveKey } from '../../../packages/psso-wstrust/src/psso/keys/user-key.ts';
import { makeCa, makeCard } from '../../helpers/smartcard.ts';

const root = mkdtempSync(join(tmpdir(), 'psso-user-key-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(root, `k${++n}.json`);
const isKeysFileError = (e: unknown) => e instanceof ConfigError && e.code === 'PSSO_ERR_KEYS_FILE';

describe('user Secure Enclave key stand-in in the device key file', () => {
  test('added to an existing file, marked software, kept across loads, 0600', async () => {
    const path = freshPath();
    const device = await loadOrCreateDeviceKeys(path);
    assert.equal(device.userSecureEnclaveKey, undefined);
    const keys = await addUserSecureEnclaveKey(path);
    assert.equal(keys.userSecureEnclaveKey.storage, 'software');
    assert.equal(keys.signing.kid, device.signing.kid, 'device keys unchanged');
    const file = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(file.userSecureEnclaveKey.storage, 'software');
    assert.equal(file.userSecureEnclaveKey.crv, 'P-256');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const again = await loadDeviceKeys(path);
    assert.equal(again?.userSecureEnclaveKey?.kid, keys.userSecureEnclaveKey.kid);
    // Kept unless replaced.
    const kept = await addUserSecureEnclaveKey(path);
    assert.equal(kept.userSecureEnclaveKey.kid, keys.userSecureEnclaveKey.kid);
    const replaced = await addUserSecureEnclaveKey(path, { replace: true });
    assert.notEqual(replaced.userSecureEnclaveKey.kid, keys.userSecureEnclaveKey.kid);
  });

  test('a user key not marked software, or whose x/y are not its d, makes the file corrupt', async () => {
    const path = freshPath();
    await loadOrCreateDeviceKeys(path);
    await addUserSecureEnclaveKey(path);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(
      path,
      JSON.stringify({
        ...file,
        userSecureEnclaveKey: { ...file.userSecureEnclaveKey, storage: 'secureEnclave' },
      }),
      { mode: 0o600 },
    );
    await assert.rejects(loadDeviceKeys(path), isKeysFileError);
    const other = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(
      path,
      JSON.stringify({
        ...other,
        userSecureEnclaveKey: {
          ...file.userSecureEnclaveKey,
          x: file.signing.x,
          y: file.signing.y,
        },
      }),
      { mode: 0o600 },
    );
    await assert.rejects(loadDeviceKeys(path), isKeysFileError);
  });

  test('no key file: PSSO_ERR_KEYS_FILE', async () => {
    await assert.rejects(addUserSecureEnclaveKey(freshPath()), isKeysFileError);
  });
});

describe('SmartCard credential from PEM', () => {
  test('key and chain files; the leaf must be the key’s', async () => {
    const ca = await makeCa('CN=Card CA');
    const card = await makeCard(ca, { kind: 'p384', upn: 'alice@example.com' });
    const keyFile = join(root, 'card.key.pem');
    const certFile = join(root, 'card.crt.pem');
    writeFileSync(keyFile, card.keyPem);
    writeFileSync(certFile, card.chainPem);
    const loaded = await loadSmartCard(keyFile, certFile);
    assert.equal(loaded.alg, 'ES384');
    assert.equal(loaded.certificates.length, 1);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    assert.throws(() => smartCardCredential(other, card.chainPem), /not the private key/);
    writeFileSync(keyFile, other.export({ format: 'pem', type: 'pkcs8' }));
    await assert.rejects(loadSmartCard(keyFile, certFile), isKeysFileError);
    await assert.rejects(loadSmartCard(join(root, 'absent.pem'), certFile), isKeysFileError);
  });
});
