/**
 * The client tolerates what working IdPs send (docs/PSSO-PEERS.md §4.6), on recorded bytes: a 96-byte
 * GCM IV (authentik), extra `epk` members (Keycloak), lifetimes as strings (Keycloak), a padded
 * standard-base64 `kid`, and an empty 200 body (twocanoes), which gets its own code. The
 * non-96-bit-IV path's Concat KDF and ECDH are pinned by Apple's known-answer vectors.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { LoginError, type LoginErrorCode } from '../../packages/psso-wstrust/src/errors.ts';
import {
  concatKdfA256Gcm,
  decryptEcdhEsA256Gcm,
  ecdhSharedSecret,
} from '../../packages/psso-wstrust/src/jose/ecdh-es-gcm.ts';
import { verifyIdToken } from '../../packages/psso-wstrust/src/jose/id-token.ts';
import { decryptLoginResponse } from '../../packages/psso-wstrust/src/jose/login-response.ts';
import { loginApv } from '../../packages/psso-wstrust/src/jose/party-info.ts';
import { generateDeviceKeys } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { type OddJweOptions, oddLoginResponse } from '../helpers/odd-jwe.ts';
import * as V from './apple-vectors.ts';

const keys = generateDeviceKeys();
const NONCE = 'B7F1FC32-9121-4E2A-9E32-8417E03675DD';
const APV = loginApv(keys.encryption.publicKey, NONCE).base64url;
const BODY = { id_token: 'h.p.s', refresh_token: 'rt', token_type: 'Bearer', expires_in: 3600 };
const opts = { encryptionPrivateKey: keys.encryption.privateKey, apv: APV };
const odd = (body: unknown, o: Partial<OddJweOptions> = {}) =>
  oddLoginResponse(body, { deviceEncryptionPublicKey: keys.encryption.publicKey, apv: APV, ...o });

async function rejectsWith(promise: Promise<unknown>, code: LoginErrorCode): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof LoginError, String(err));
    assert.equal(err.code, code);
    return true;
  });
}

const b64u = (s: string) => Buffer.from(s, 'base64url');

describe('ECDH-ES + Concat KDF for a non-96-bit IV: Apple known-answer vectors', () => {
  test('Z, then the CEK, from the device key and the ephemeral key', () => {
    const device = createPrivateKey({ key: { ...V.ENCRYPTION_JWK }, format: 'jwk' });
    const { d: _d, ...epk } = V.EPHEMERAL_JWK;
    const z = ecdhSharedSecret(device, epk);
    assert.equal(z.toString('base64url'), V.Z);
    const eph = createPrivateKey({ key: { ...V.EPHEMERAL_JWK }, format: 'jwk' });
    const { d: _e, ...devicePublic } = V.ENCRYPTION_JWK;
    assert.equal(ecdhSharedSecret(eph, devicePublic).toString('base64url'), V.Z);
    assert.equal(concatKdfA256Gcm(z, b64u(V.APU), b64u(V.APV)).toString('base64url'), V.CEK);
  });

  test('"Creating a JWE login response" vector: the KDF result', () => {
    const z = Buffer.from(V.CREATE_Z_HEX, 'hex');
    const input = Buffer.from(V.CREATE_KDF_INPUT_HEX, 'hex');
    // The input is 1‖Z‖len‖"A256GCM"‖len‖apu‖len‖apv‖256: take apu and apv back out of it.
    let at = 4 + z.length + 4 + 7;
    const apuLen = input.readUInt32BE(at);
    const apu = input.subarray(at + 4, at + 4 + apuLen);
    at += 4 + apuLen;
    const apv = input.subarray(at + 4, at + 4 + input.readUInt32BE(at));
    assert.equal(
      concatKdfA256Gcm(z, apu, apv).toString('hex').toUpperCase(),
      V.CREATE_KDF_RESULT_HEX.toUpperCase(),
    );
  });

  test("Apple's example response decrypts through the same path", () => {
    const [protectedB64, , iv, ciphertext, tag] = V.RESPONSE_JWE.split('.') as string[];
    const header = JSON.parse(b64u(protectedB64 ?? '').toString('utf8'));
    const plaintext = decryptEcdhEsA256Gcm({
      privateKey: createPrivateKey({ key: { ...V.ENCRYPTION_JWK }, format: 'jwk' }),
      epk: header.epk,
      apu: b64u(header.apu),
      apv: b64u(V.APV),
      protectedB64: protectedB64 ?? '',
      iv: iv ?? '',
      ciphertext: ciphertext ?? '',
      tag: tag ?? '',
    });
    assert.equal(plaintext.toString('base64url'), V.PLAINTEXT);
  });
});

describe('decryptLoginResponse tolerates what working IdPs send', () => {
  test('the helper agrees with jose: a 12-byte IV response decrypts on the jose path', async () => {
    const res = await decryptLoginResponse(odd(BODY, { ivBytes: 12 }), opts);
    assert.deepEqual(res.body, BODY);
  });

  test('a 96-BYTE GCM IV (authentik token_bytes(96)) decrypts, with or without a header apv', async () => {
    const jwe = odd(BODY);
    assert.equal(b64u(jwe.split('.')[2] ?? '').length, 96);
    assert.deepEqual((await decryptLoginResponse(jwe, opts)).body, BODY);
    const noApv = odd(BODY, { headerApv: false });
    assert.deepEqual((await decryptLoginResponse(noApv, opts)).body, BODY);
    assert.deepEqual((await decryptLoginResponse(odd(BODY, { ivBytes: 16 }), opts)).body, BODY);
  });

  test('a 96-byte IV response is still authenticated: tampered tag, other key, our apv', async () => {
    const parts = odd(BODY).split('.');
    const tag = b64u(parts[4] ?? '');
    tag[0] = (tag[0] ?? 0) ^ 1;
    const tampered = [...parts.slice(0, 4), tag.toString('base64url')].join('.');
    await rejectsWith(decryptLoginResponse(tampered, opts), 'PSSO_ERR_LOGIN_RESPONSE_DECRYPT');
    const shortTag = [...parts.slice(0, 4), tag.subarray(0, 12).toString('base64url')].join('.');
    await rejectsWith(decryptLoginResponse(shortTag, opts), 'PSSO_ERR_LOGIN_RESPONSE_DECRYPT');
    const emptyIv = [parts[0], '', '', parts[3], parts[4]].join('.');
    await rejectsWith(decryptLoginResponse(emptyIv, opts), 'PSSO_ERR_LOGIN_RESPONSE_DECRYPT');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await rejectsWith(
      decryptLoginResponse(odd(BODY), { ...opts, encryptionPrivateKey: other }),
      'PSSO_ERR_LOGIN_RESPONSE_DECRYPT',
    );
    // Encrypted for another request's apv, not echoed: the KDF uses OUR apv, so it fails.
    const otherApv = loginApv(keys.encryption.publicKey, 'ANOTHER-NONCE').base64url;
    const forOther = oddLoginResponse(BODY, {
      deviceEncryptionPublicKey: keys.encryption.publicKey,
      apv: otherApv,
      headerApv: false,
    });
    await rejectsWith(decryptLoginResponse(forOther, opts), 'PSSO_ERR_LOGIN_RESPONSE_DECRYPT');
  });

  test('extra epk members (Keycloak: use, kid, iat) are accepted on both paths', async () => {
    const epkExtras = { use: 'enc', kid: 'eph-1', iat: 1713997801 };
    for (const ivBytes of [12, 96]) {
      const res = await decryptLoginResponse(odd(BODY, { ivBytes, epkExtras }), opts);
      assert.deepEqual(res.body, BODY);
      assert.equal((res.protectedHeader.epk as { use?: string }).use, 'enc');
    }
  });

  test('expires_in and refresh_token_expires_in as strings are numbers; others are refused', async () => {
    const res = await decryptLoginResponse(
      odd({ ...BODY, expires_in: '3600', refresh_token_expires_in: '28800' }),
      opts,
    );
    assert.equal(res.expiresIn, 3600);
    assert.equal(res.refreshTokenExpiresIn, 28800);
    for (const bad of ['abc', '', '1e3', '-1', '36.5', ' 3600']) {
      await rejectsWith(
        decryptLoginResponse(odd({ ...BODY, expires_in: bad }), opts),
        'PSSO_ERR_LOGIN_RESPONSE_FIELDS',
      );
      await rejectsWith(
        decryptLoginResponse(odd({ ...BODY, refresh_token_expires_in: bad }), opts),
        'PSSO_ERR_LOGIN_RESPONSE_FIELDS',
      );
    }
  });

  test('an empty 200 body (twocanoes) has its own code, as does whitespace only', async () => {
    for (const body of ['', '\r\n', '  ']) {
      await assert.rejects(decryptLoginResponse(body, opts), (err: unknown) => {
        assert.ok(err instanceof LoginError);
        assert.equal(err.code, 'PSSO_ERR_LOGIN_RESPONSE_EMPTY');
        assert.equal(err.message, 'Failed to parse login response.');
        return true;
      });
    }
    await rejectsWith(decryptLoginResponse('not a jwe', opts), 'PSSO_ERR_LOGIN_RESPONSE_FORMAT');
  });
});

describe('verifyIdToken matches a padded standard-base64 kid', () => {
  test('kid "f+RnKW…=" in the id_token header and in the JWKS', async () => {
    const kid = 'f+RnKWrikksTQNgBuZhD8oMVRFVPBbpRSsrmybfvJC0=';
    const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const now = 1_713_997_801;
    const idToken = await new SignJWT({ nonce: NONCE })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer('https://idp.example.com')
      .setAudience('psso')
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(signer.privateKey);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      format: 'jwk',
    });
    const jwks = {
      keys: [
        { ...other, kid: 'f-RnKWrikksTQNgBuZhD8oMVRFVPBbpRSsrmybfvJC0', use: 'sig', alg: 'ES256' },
        { ...signer.publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'ES256' },
      ],
    };
    const { payload } = await verifyIdToken(idToken, {
      jwks: jwks as never,
      issuer: 'https://idp.example.com',
      clientId: 'psso',
      nonce: NONCE,
      now,
    });
    assert.equal(payload.nonce, NONCE);
  });
});
