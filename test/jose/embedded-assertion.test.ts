import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { compactVerify, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  assertionAlgorithm,
  assertionKeyId,
  buildEmbeddedAssertion,
  EMBEDDED_ASSERTION_TYP,
  embeddedAssertionClaims,
} from '../../packages/psso-wstrust/src/jose/embedded-assertion.ts';
import { keyId } from '../../packages/psso-wstrust/src/jose/key-id.ts';
import { makeCa, makeCard } from '../helpers/smartcard.ts';

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const BASE = {
  username: 'alice@example.com',
  audience: 'https://idp.example.com/psso/token',
  nonce: 'D8E2F1B4-0000-4000-8000-000000000001',
  serverNonce: 'AQAAAZsealed',
  scope: 'openid offline_access urn:apple:platformsso',
  now: 1_700_000_000,
};

describe('embedded assertion builder (§3.9)', () => {
  test('Secure Enclave key: typ, ES256, kid of the X9.63 key, the claims macOS sends', async () => {
    const { privateKey, publicKey } = p256();
    const jws = await buildEmbeddedAssertion({ ...BASE, signingKey: privateKey });
    const header = decodeProtectedHeader(jws);
    assert.deepEqual(Object.keys(header), ['typ', 'alg', 'kid']);
    assert.equal(header.typ, EMBEDDED_ASSERTION_TYP);
    assert.equal(header.alg, 'ES256');
    assert.equal(header.kid, keyId(publicKey));
    const { payload } = await jwtVerify(jws, publicKey, { currentDate: new Date(BASE.now * 1000) });
    assert.deepEqual(payload, {
      aud: BASE.audience,
      iat: BASE.now,
      exp: BASE.now + 300,
      iss: BASE.username,
      sub: BASE.username,
      nonce: BASE.nonce,
      request_nonce: BASE.serverNonce,
      scope: BASE.scope,
    });
    // Written as NSJSONSerialization writes it.
    const head = Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8');
    assert.match(head, /^\{\n {2}"typ" : "platformsso-login-assertion\+jwt",\n {2}"alg" : "ES256"/);
  });

  test('custom header and body claims, and a configured server nonce claim name', async () => {
    const { privateKey, publicKey } = p256();
    const jws = await buildEmbeddedAssertion({
      ...BASE,
      signingKey: privateKey,
      serverNonceClaimName: 'srv_nonce',
      customHeaderClaims: { typ: 'JWT', x_hdr: 1 },
      customBodyClaims: { tenant: 't1', sub: 'not-used' },
    });
    const header = decodeProtectedHeader(jws);
    assert.equal(header.typ, 'JWT');
    assert.equal(header.x_hdr, 1);
    const { payload } = await compactVerify(jws, publicKey);
    const claims = JSON.parse(Buffer.from(payload).toString());
    assert.equal(claims.srv_nonce, BASE.serverNonce);
    assert.equal(claims.request_nonce, undefined);
    assert.equal(claims.tenant, 't1');
    assert.equal(claims.sub, BASE.username, 'standard claims win a clash');
  });

  test('SmartCard: the algorithm follows the key; x5c leaf first; RSA kid over the SPKI', async () => {
    const ca = await makeCa('CN=Test SmartCard CA');
    for (const [kind, alg] of [
      ['rsa2048', 'RS256'],
      ['p256', 'ES256'],
      ['p384', 'ES384'],
    ] as const) {
      const { credential } = await makeCard(ca, { kind, upn: BASE.username });
      assert.equal(credential.alg, alg);
      const jws = await buildEmbeddedAssertion({
        ...BASE,
        signingKey: credential.privateKey,
        x5c: credential.certificates,
      });
      const header = decodeProtectedHeader(jws);
      assert.equal(header.alg, alg);
      assert.deepEqual(header.x5c, credential.certificates);
      await compactVerify(jws, createPublicKey(credential.privateKey), { algorithms: [alg] });
      if (alg === 'RS256') {
        const spki = createPublicKey(credential.privateKey).export({ format: 'der', type: 'spki' });
        assert.equal(header.kid, createHash('sha256').update(spki).digest('base64'));
      }
    }
  });

  test('keys that cannot sign an assertion are refused (RSA-1024, P-521, Ed25519)', () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    assert.throws(() => assertionAlgorithm(weak), /at least 2048/);
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey;
    assert.throws(() => assertionAlgorithm(p521), TypeError);
    assert.throws(() => assertionKeyId(generateKeyPairSync('ed25519').publicKey), TypeError);
  });

  test('a missing value or a public key is a TypeError', async () => {
    assert.throws(() => embeddedAssertionClaims({ ...BASE, serverNonce: '' }), TypeError);
    assert.throws(() => embeddedAssertionClaims({ ...BASE, now: 1.5 }), TypeError);
    await assert.rejects(
      buildEmbeddedAssertion({ ...BASE, signingKey: p256().publicKey }),
      TypeError,
    );
    await assert.rejects(
      buildEmbeddedAssertion({ ...BASE, signingKey: p256().privateKey, x5c: [] }),
      TypeError,
    );
  });
});
