import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { describe, test } from 'node:test';
import { compactVerify, decodeProtectedHeader } from 'jose';
import {
  decryptLoginResponse,
  encryptLoginResponse,
} from '../../packages/psso-wstrust/src/jose/login-response.ts';
import {
  ecPointX963,
  loginApv,
  parsePartyInfo,
  responseApu,
} from '../../packages/psso-wstrust/src/jose/party-info.ts';
import { keyId } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import * as V from './apple-vectors.ts';

const signingKey = createPrivateKey({ key: { ...V.SIGNING_JWK }, format: 'jwk' });
const encryptionKey = createPrivateKey({ key: { ...V.ENCRYPTION_JWK }, format: 'jwk' });
const ephemeralKey = createPrivateKey({ key: { ...V.EPHEMERAL_JWK }, format: 'jwk' });

/** RFC 7518 §4.6.2 Concat KDF input, built here independently of jose and of src. */
function concatKdfInput(z: Buffer, enc: string, apu: Buffer, apv: Buffer, bits: number): Buffer {
  const field = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const counter = Buffer.from([0, 0, 0, 1]);
  const supp = Buffer.alloc(4);
  supp.writeUInt32BE(bits);
  return Buffer.concat([counter, z, field(Buffer.from(enc)), field(apu), field(apv), supp]);
}

describe("Apple's 'Performing encryption verification' vectors", () => {
  test('the kids are std-base64 SHA-256 of the X9.63 public keys', () => {
    assert.equal(keyId(createPublicKey(signingKey)), V.SIGNING_KID);
    assert.equal(keyId(createPublicKey(encryptionKey)), V.ENCRYPTION_KID);
  });

  test('our login apv equals the example jwe_crypto.apv', () => {
    const apv = loginApv(createPublicKey(encryptionKey), V.NONCE);
    assert.equal(apv.base64url, V.APV);
    const fields = parsePartyInfo(apv.bytes);
    assert.deepEqual(
      fields?.map((f) => f.length),
      [5, 65, 36],
    );
  });

  test('the example login JWT verifies with the example signing key (ES256)', async () => {
    const { protectedHeader, payload } = await compactVerify(
      V.LOGIN_JWT,
      createPublicKey(signingKey),
      {
        algorithms: ['ES256'],
      },
    );
    assert.equal(protectedHeader.kid, V.SIGNING_KID);
    const claims = JSON.parse(Buffer.from(payload).toString('utf8'));
    assert.equal(claims.jwe_crypto.apv, V.APV);
    assert.equal(claims.nonce, V.NONCE);
  });

  test('ECDH gives the published Z from both sides', () => {
    const z1 = diffieHellman({
      privateKey: ephemeralKey,
      publicKey: createPublicKey(encryptionKey),
    });
    const z2 = diffieHellman({
      privateKey: encryptionKey,
      publicKey: createPublicKey(ephemeralKey),
    });
    assert.equal(z1.toString('base64url'), V.Z);
    assert.equal(z2.toString('base64url'), V.Z);
  });

  test('our response apu equals the published PartyUInfo and the example header apu', () => {
    assert.equal(responseApu(createPublicKey(ephemeralKey)).base64url, V.APU);
    assert.equal(decodeProtectedHeader(V.RESPONSE_JWE).apu, V.APU);
  });

  test('the Concat KDF input and output equal the published ones', () => {
    const input = concatKdfInput(
      Buffer.from(V.Z, 'base64url'),
      'A256GCM',
      responseApu(createPublicKey(ephemeralKey)).bytes,
      loginApv(createPublicKey(encryptionKey), V.NONCE).bytes,
      256,
    );
    assert.equal(input.toString('base64url'), V.KDF_INPUT);
    assert.equal(createHash('sha256').update(input).digest('base64url'), V.CEK);
  });

  test('decryptLoginResponse opens the example JWE (header without apv) with our apv', async () => {
    const res = await decryptLoginResponse(V.RESPONSE_JWE, {
      encryptionPrivateKey: encryptionKey,
      apv: V.APV,
    });
    assert.equal(res.refreshToken, 'AwABAAAAvPM1KaPlrEqdFSBzjqfTGAMxZGUTdM0t4B4');
    assert.equal(res.refreshTokenExpiresIn, 28800);
    assert.equal(res.tokenType, 'Bearer');
    assert.deepEqual(res.body, JSON.parse(Buffer.from(V.PLAINTEXT, 'base64url').toString('utf8')));
    assert.equal(res.protectedHeader.apv, undefined);
  });

  test('encryptLoginResponse with the example ephemeral key and IV reproduces the ciphertext', async () => {
    const jwe = await encryptLoginResponse(Buffer.from(V.PLAINTEXT, 'base64url'), {
      deviceEncryptionPublicKey: createPublicKey(encryptionKey),
      apv: V.APV,
      ephemeralPrivateKey: ephemeralKey,
      iv: Buffer.from(V.IV, 'base64url'),
    });
    const [header, encryptedKey, iv, ciphertext] = jwe.split('.');
    const expected = V.RESPONSE_JWE.split('.');
    assert.equal(encryptedKey, '');
    assert.equal(iv, V.IV);
    // GCM ciphertext does not depend on the AAD (our header differs in bytes); the tag does.
    assert.equal(ciphertext, expected[3]);
    const parsed = JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8'));
    assert.equal(parsed.apu, V.APU);
    assert.equal(parsed.epk.x, V.EPHEMERAL_JWK.x);
  });
});

describe("Apple's 'Creating a JWE login response' KDF example", () => {
  test('X9.63 of its EPK, its apv, and the published SHA-256 input and result', () => {
    assert.equal(ecPointX963(V.CREATE_EPK).toString('hex').toUpperCase(), V.CREATE_EPK_X963_HEX);
    const device = createPublicKey({ key: { ...V.CREATE_DEVICE_KEY }, format: 'jwk' });
    const apv = loginApv(device, V.CREATE_NONCE);
    assert.equal(apv.base64url, V.CREATE_APV);
    const input = concatKdfInput(
      Buffer.from(V.CREATE_Z_HEX, 'hex'),
      'A256GCM',
      responseApu(V.CREATE_EPK).bytes,
      apv.bytes,
      256,
    );
    assert.equal(input.toString('hex').toUpperCase(), V.CREATE_KDF_INPUT_HEX);
    assert.equal(
      createHash('sha256').update(input).digest('hex').toUpperCase(),
      V.CREATE_KDF_RESULT_HEX,
    );
  });
});
