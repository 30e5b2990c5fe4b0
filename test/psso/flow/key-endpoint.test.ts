/**
 * The client's key response checks (docs/PLATFORM-SSO.md §3.11) on recorded bytes
 * (test/fixtures/key-response/recorded.json) and on crafted answers: every refusal pins its
 * PSSO_ERR_KEY_RESPONSE_* code. No network.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  webcrypto,
  X509Certificate,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import * as x509 from '@peculiar/x509';
import { issueUnlockKey } from '../../../packages/idp/src/psso/key-certificate.ts';
import { LoginError, type LoginErrorCode } from '../../../packages/psso-wstrust/src/errors.ts';
import type { RecordedResponse } from '../../../packages/psso-wstrust/src/http/request.ts';
import { KEY_RESPONSE_TYP } from '../../../packages/psso-wstrust/src/jose/key-request-jwt.ts';
import { encryptLoginResponse } from '../../../packages/psso-wstrust/src/jose/login-response.ts';
import { loginApv } from '../../../packages/psso-wstrust/src/jose/party-info.ts';
import {
  processKeyExchangeResponse,
  processKeyResponse,
} from '../../../packages/psso-wstrust/src/psso/flow/key-endpoint.ts';
import { testSigningMaterial } from '../../helpers/signing.ts';

const REC = JSON.parse(
  readFileSync(new URL('../../fixtures/key-response/recorded.json', import.meta.url), 'utf8'),
) as {
  contentType: string;
  now: string;
  apv: string;
  deviceEncryptionKey: JsonWebKey;
  otherKey: JsonWebKey;
  keyRequestResponse: string;
  keyExchangeResponse: string;
};
const NOW = new Date(REC.now);
const IAT = Math.floor(NOW.getTime() / 1000);
const encryptionKey = createPrivateKey({ key: REC.deviceEncryptionKey, format: 'jwk' });
const otherKey = createPrivateKey({ key: REC.otherKey, format: 'jwk' });
const ctx = { encryptionPrivateKey: encryptionKey, apv: REC.apv, now: NOW };
const ok = (body: string, contentType = REC.contentType): RecordedResponse => ({
  status: 200,
  headers: { 'content-type': contentType },
  body: Buffer.from(body),
});

async function rejectsWith(promise: Promise<unknown>, code: LoginErrorCode): Promise<LoginError> {
  let caught: LoginError | undefined;
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof LoginError, String(err));
    assert.equal(err.code, code);
    caught = err;
    return true;
  });
  return caught as LoginError;
}

/** A key response to the recorded device, with `body` and header options. */
function respond(body: Record<string, unknown>, o: { typ?: string; apv?: string } = {}) {
  return encryptLoginResponse(body, {
    deviceEncryptionPublicKey: createPublicKey(encryptionKey),
    apv: o.apv ?? REC.apv,
    typ: o.typ ?? KEY_RESPONSE_TYP,
  });
}

async function certificateOf(): Promise<X509Certificate> {
  const r = await processKeyResponse(ok(REC.keyRequestResponse), ctx);
  return r.certificate;
}

async function p384CertificateB64url(): Promise<string> {
  const alg = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } as const;
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: 'CN=p384',
      notBefore: NOW,
      notAfter: new Date(NOW.getTime() + 86_400_000),
      signingAlgorithm: alg,
      keys: keys as CryptoKeyPair,
    },
    webcrypto as unknown as Crypto,
  );
  return Buffer.from(cert.rawData).toString('base64url');
}

describe('key_request response (recorded bytes)', () => {
  test('the recorded answer: a P-256 certificate, key_context, iat/exp', async () => {
    const r = await processKeyResponse(ok(REC.keyRequestResponse), ctx);
    assert.equal(r.certificate.subject, 'CN=alice@managed.example');
    assert.equal(r.keyContext, 'v1.recorded-opaque-context');
    assert.equal(r.iat, IAT);
    assert.equal(r.exp, IAT + 300);
    assert.deepEqual(new X509Certificate(r.certificateDer).raw, r.certificateDer);
  });

  test('iat/exp within ±120 s: 119 s late passes, 121 s after exp fails, 121 s early fails', async () => {
    const at = (s: number) => ({ ...ctx, now: new Date((IAT + s) * 1000) });
    await processKeyResponse(ok(REC.keyRequestResponse), at(300 + 119));
    await rejectsWith(
      processKeyResponse(ok(REC.keyRequestResponse), at(300 + 121)),
      'PSSO_ERR_KEY_RESPONSE_TIME',
    );
    await rejectsWith(
      processKeyResponse(ok(REC.keyRequestResponse), at(-121)),
      'PSSO_ERR_KEY_RESPONSE_TIME',
    );
  });

  test('a refusal: PSSO_ERR_KEY_RESPONSE_STATUS with what the server said', async () => {
    const e = await rejectsWith(
      processKeyResponse(
        {
          status: 401,
          headers: { 'content-type': 'application/json' },
          body: Buffer.from('{"error":"invalid_grant","suberror":"device_authentication_failed"}'),
        },
        ctx,
      ),
      'PSSO_ERR_KEY_RESPONSE_STATUS',
    );
    assert.equal(e.status, 401);
    assert.equal(e.error, 'invalid_grant');
    assert.equal(e.suberror, 'device_authentication_failed');
    await rejectsWith(
      processKeyResponse({ status: 500, headers: {}, body: new Uint8Array() }, ctx),
      'PSSO_ERR_KEY_RESPONSE_STATUS',
    );
  });

  test('content type or JWE typ of a login response: PSSO_ERR_KEY_RESPONSE_TYPE', async () => {
    await rejectsWith(
      processKeyResponse(ok(REC.keyRequestResponse, 'application/json'), ctx),
      'PSSO_ERR_KEY_RESPONSE_TYPE',
    );
    // authentik's bug: a key response sent with typ platformsso-login-response+jwt.
    const body = { certificate: 'x', key_context: 'c', iat: IAT, exp: IAT + 300 };
    const wrongTyp = await respond(body, { typ: 'platformsso-login-response+jwt' });
    await rejectsWith(processKeyResponse(ok(wrongTyp), ctx), 'PSSO_ERR_KEY_RESPONSE_TYPE');
  });

  test('JWE layer: tampered ciphertext, another apv, not a JWE → PSSO_ERR_KEY_RESPONSE_JWE', async () => {
    const parts = REC.keyRequestResponse.split('.');
    const ct = Buffer.from(parts[3] ?? '', 'base64url');
    ct[0] = (ct[0] ?? 0) ^ 1;
    parts[3] = ct.toString('base64url');
    const e = await rejectsWith(
      processKeyResponse(ok(parts.join('.')), ctx),
      'PSSO_ERR_KEY_RESPONSE_JWE',
    );
    assert.equal((e.cause as LoginError).code, 'PSSO_ERR_LOGIN_RESPONSE_DECRYPT');
    const otherApv = loginApv(encryptionKey, '00000000-0000-0000-0000-000000000000').base64url;
    const e2 = await rejectsWith(
      processKeyResponse(ok(REC.keyRequestResponse), { ...ctx, apv: otherApv }),
      'PSSO_ERR_KEY_RESPONSE_JWE',
    );
    assert.equal((e2.cause as LoginError).code, 'PSSO_ERR_LOGIN_RESPONSE_APV');
    await rejectsWith(processKeyResponse(ok('%%%'), ctx), 'PSSO_ERR_KEY_RESPONSE_JWE');
  });

  test('missing members: PSSO_ERR_KEY_RESPONSE_FIELDS', async () => {
    const cert = (await certificateOf()).raw.toString('base64url');
    for (const body of [
      { key_context: 'c', iat: IAT, exp: IAT + 300 },
      { certificate: cert, iat: IAT, exp: IAT + 300 },
      { certificate: cert, key_context: 'c', iat: String(IAT), exp: IAT + 300 },
    ])
      await rejectsWith(
        processKeyResponse(ok(await respond(body)), ctx),
        'PSSO_ERR_KEY_RESPONSE_FIELDS',
      );
  });

  test('attack: a certificate with an RSA key (or P-384, or garbage) → PSSO_ERR_KEY_RESPONSE_CERTIFICATE', async () => {
    const rsa = Buffer.from((await testSigningMaterial()).certificateDer).toString('base64url');
    for (const certificate of [rsa, await p384CertificateB64url(), 'AAAA'])
      await rejectsWith(
        processKeyResponse(
          ok(await respond({ certificate, key_context: 'c', iat: IAT, exp: IAT + 300 })),
          ctx,
        ),
        'PSSO_ERR_KEY_RESPONSE_CERTIFICATE',
      );
  });

  test('attack: an expired response (replayed later) → PSSO_ERR_KEY_RESPONSE_TIME', async () => {
    const later = { ...ctx, now: new Date(NOW.getTime() + 3600_000) };
    await rejectsWith(
      processKeyResponse(ok(REC.keyRequestResponse), later),
      'PSSO_ERR_KEY_RESPONSE_TIME',
    );
  });
});

describe('key_exchange response (recorded bytes)', () => {
  const exchangeCtx = async (other: KeyObject = otherKey) => ({
    ...ctx,
    otherPrivateKey: other,
    certificate: await certificateOf(),
  });

  test('the recorded answer: key equals ECDH(other key, certificate key)', async () => {
    const r = await processKeyExchangeResponse(ok(REC.keyExchangeResponse), await exchangeCtx());
    assert.equal(r.verified, true);
    const cert = await certificateOf();
    assert.deepEqual(r.key, diffieHellman({ privateKey: otherKey, publicKey: cert.publicKey }));
  });

  test('attack: a key from another private key → PSSO_ERR_KEY_RESPONSE_KEY_MISMATCH', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await rejectsWith(
      processKeyExchangeResponse(ok(REC.keyExchangeResponse), await exchangeCtx(stranger)),
      'PSSO_ERR_KEY_RESPONSE_KEY_MISMATCH',
    );
    const wrong = Buffer.alloc(32, 9).toString('base64');
    await rejectsWith(
      processKeyExchangeResponse(
        ok(await respond({ key: wrong, key_context: 'c', iat: IAT, exp: IAT + 300 })),
        await exchangeCtx(),
      ),
      'PSSO_ERR_KEY_RESPONSE_KEY_MISMATCH',
    );
  });

  test('key not std-b64 of 32 bytes (unpadded, 31 bytes, missing) → PSSO_ERR_KEY_RESPONSE_FIELDS', async () => {
    const cert = await certificateOf();
    const real = diffieHellman({ privateKey: otherKey, publicKey: cert.publicKey });
    for (const key of [
      real.toString('base64').replace(/=$/, ''),
      real.subarray(1).toString('base64'),
      undefined,
    ])
      await rejectsWith(
        processKeyExchangeResponse(
          ok(await respond({ key, key_context: 'c', iat: IAT, exp: IAT + 300 })),
          await exchangeCtx(),
        ),
        'PSSO_ERR_KEY_RESPONSE_FIELDS',
      );
  });

  test('a fresh IdP-issued certificate and exchange verify (no recording)', async () => {
    const unlock = await issueUnlockKey('bob@managed.example', NOW);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const key = diffieHellman({ privateKey: unlock.privateKey, publicKey: other.publicKey });
    const r = await processKeyExchangeResponse(
      ok(
        await respond({ key: key.toString('base64'), key_context: 'c', iat: IAT, exp: IAT + 300 }),
      ),
      {
        ...ctx,
        otherPrivateKey: other.privateKey,
        certificate: new X509Certificate(unlock.certificateDer),
      },
    );
    assert.equal(r.verified, true);
  });
});
