import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { type JSONWebKeySet, type JWTPayload, SignJWT } from 'jose';
import { LoginError, type LoginErrorCode } from '../../packages/psso-wstrust/src/errors.ts';
import { verifyIdToken } from '../../packages/psso-wstrust/src/jose/id-token.ts';

const NOW = 1_700_000_000;
const ISSUER = 'https://idp.example.com';
const CLIENT = 'psso-client';
const NONCE = 'DDF68171-409D-4E2C-91F0-9E42D7745365';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

const jwk = (key: KeyObject, kid: string) => ({ ...key.export({ format: 'jwk' }), kid });
const jwks = { keys: [jwk(rsa.publicKey, 'rsa-1'), jwk(ec.publicKey, 'ec-1')] } as JSONWebKeySet;
const options = { jwks, issuer: ISSUER, clientId: CLIENT, nonce: NONCE, now: NOW };

const claims = (extra: Record<string, unknown> = {}): JWTPayload => ({
  iss: ISSUER,
  aud: CLIENT,
  sub: 'alice',
  nonce: NONCE,
  iat: NOW,
  exp: NOW + 3600,
  ...extra,
});

async function token(
  payload: JWTPayload = claims(),
  header: { alg: string; kid?: string } = { alg: 'RS256', kid: 'rsa-1' },
  key: KeyObject | Uint8Array = rsa.privateKey,
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}

async function rejectsWith(idToken: string | Promise<string>, code: LoginErrorCode, extra = {}) {
  await assert.rejects(verifyIdToken(await idToken, { ...options, ...extra }), (err: unknown) => {
    assert.ok(err instanceof LoginError, String(err));
    assert.equal(err.code, code);
    return true;
  });
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('verifyIdToken accepts', () => {
  test('RS256 and ES256 tokens signed by a JWKS key', async () => {
    const r = await verifyIdToken(await token(), options);
    assert.equal(r.payload.sub, 'alice');
    assert.equal(r.protectedHeader.kid, 'rsa-1');
    const e = await token(claims(), { alg: 'ES256', kid: 'ec-1' }, ec.privateKey);
    assert.equal((await verifyIdToken(e, options)).payload.sub, 'alice');
  });

  test('aud array with azp, no nonce claim, times within the 120 s skew', async () => {
    const t = await token(
      claims({
        aud: ['other', CLIENT],
        azp: CLIENT,
        nonce: undefined,
        iat: NOW + 100,
        nbf: NOW + 100,
        exp: NOW - 100,
      }),
    );
    assert.equal((await verifyIdToken(t, options)).payload.azp, CLIENT);
  });
});

describe('verifyIdToken refuses', () => {
  test('no kid (PSSO_ERR_ID_TOKEN_KID)', async () => {
    await rejectsWith(token(claims(), { alg: 'RS256' }), 'PSSO_ERR_ID_TOKEN_KID');
  });

  test('alg none (PSSO_ERR_ID_TOKEN_SIGNATURE)', async () => {
    await rejectsWith(
      `${b64({ alg: 'none', kid: 'rsa-1' })}.${b64(claims())}.`,
      'PSSO_ERR_ID_TOKEN_SIGNATURE',
    );
  });

  test('HS256 keyed with the public key (PSSO_ERR_ID_TOKEN_SIGNATURE)', async () => {
    const secret = new TextEncoder().encode(
      String(rsa.publicKey.export({ type: 'spki', format: 'pem' })),
    );
    await rejectsWith(
      token(claims(), { alg: 'HS256', kid: 'rsa-1' }, secret),
      'PSSO_ERR_ID_TOKEN_SIGNATURE',
    );
  });

  test('a bad signature (PSSO_ERR_ID_TOKEN_SIGNATURE)', async () => {
    await rejectsWith(
      token(claims(), { alg: 'RS256', kid: 'rsa-1' }, stranger.privateKey),
      'PSSO_ERR_ID_TOKEN_SIGNATURE',
    );
    const [h, , s] = (await token()).split('.');
    await rejectsWith(
      `${h}.${b64(claims({ sub: 'mallory' }))}.${s}`,
      'PSSO_ERR_ID_TOKEN_SIGNATURE',
    );
    await rejectsWith('not-a-jwt', 'PSSO_ERR_ID_TOKEN_SIGNATURE');
  });

  test('an unknown kid, or a JWKS without keys (PSSO_ERR_JWKS)', async () => {
    await rejectsWith(token(claims(), { alg: 'RS256', kid: 'nope' }), 'PSSO_ERR_JWKS');
    await rejectsWith(token(), 'PSSO_ERR_JWKS', { jwks: {} as JSONWebKeySet });
  });

  test('the kid of a key of another type than the alg (PSSO_ERR_JWKS)', async () => {
    await rejectsWith(token(claims(), { alg: 'RS256', kid: 'ec-1' }), 'PSSO_ERR_JWKS');
  });

  test('a wrong iss (PSSO_ERR_ID_TOKEN_CLAIMS)', async () => {
    await rejectsWith(token(claims({ iss: `${ISSUER}/` })), 'PSSO_ERR_ID_TOKEN_CLAIMS');
  });

  test('a wrong aud (PSSO_ERR_ID_TOKEN_CLAIMS)', async () => {
    await rejectsWith(token(claims({ aud: 'other' })), 'PSSO_ERR_ID_TOKEN_CLAIMS');
    await rejectsWith(token(claims({ aud: ['other'], azp: CLIENT })), 'PSSO_ERR_ID_TOKEN_CLAIMS');
  });

  test('azp missing with an array aud, or azp of another client (PSSO_ERR_ID_TOKEN_CLAIMS)', async () => {
    await rejectsWith(token(claims({ aud: [CLIENT, 'other'] })), 'PSSO_ERR_ID_TOKEN_CLAIMS');
    await rejectsWith(token(claims({ azp: 'other' })), 'PSSO_ERR_ID_TOKEN_CLAIMS');
  });

  test('a nonce mismatch (PSSO_ERR_ID_TOKEN_CLAIMS)', async () => {
    await rejectsWith(token(claims({ nonce: 'other' })), 'PSSO_ERR_ID_TOKEN_CLAIMS');
  });

  test('iat in the future or missing (PSSO_ERR_ID_TOKEN_CLAIMS)', async () => {
    await rejectsWith(token(claims({ iat: NOW + 121 })), 'PSSO_ERR_ID_TOKEN_CLAIMS');
    await rejectsWith(token(claims({ iat: undefined })), 'PSSO_ERR_ID_TOKEN_CLAIMS');
  });

  test('an expired token, or no exp (PSSO_ERR_ID_TOKEN_CLAIMS)', async () => {
    await rejectsWith(token(claims({ exp: NOW - 121 })), 'PSSO_ERR_ID_TOKEN_CLAIMS');
    await rejectsWith(token(claims({ exp: undefined })), 'PSSO_ERR_ID_TOKEN_CLAIMS');
  });

  test('nbf in the future (PSSO_ERR_ID_TOKEN_CLAIMS)', async () => {
    await rejectsWith(token(claims({ nbf: NOW + 121 })), 'PSSO_ERR_ID_TOKEN_CLAIMS');
  });

  test('a narrower skew applies', async () => {
    await rejectsWith(token(claims({ iat: NOW + 10 })), 'PSSO_ERR_ID_TOKEN_CLAIMS', {
      skewSeconds: 5,
    });
  });
});
