/**
 * The client side of the encrypted embedded assertion (docs/PLATFORM-SSO.md §3.10, §3.5): the `apv`
 * layout (known answer against Apple's example structure), the IdP key check, the inner claims
 * and the JWE, decrypted here with jose as an IdP would.
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { describe, test } from 'node:test';
import { compactDecrypt, decodeProtectedHeader } from 'jose';
import {
  EMBEDDED_APV_PREFIX,
  embeddedApv,
  loginRequestEncryptionKey,
  parseEmbeddedApv,
} from '../../packages/psso-wstrust/src/jose/embedded-apv.ts';
import {
  buildEncryptedAssertion,
  ENCRYPTED_ASSERTION_TYP,
  type EncryptedAssertionParams,
  encryptedAssertionClaims,
} from '../../packages/psso-wstrust/src/jose/encrypted-assertion.ts';
import { x963 } from '../../packages/psso-wstrust/src/jose/key-id.ts';
import { parsePartyInfo } from '../../packages/psso-wstrust/src/jose/party-info.ts';

/** The device key of Apple's "Performing encryption verification" page (docs/PSSO-PEERS.md §6). */
const APPLE_KEY_JWK = {
  kty: 'EC',
  crv: 'P-256',
  x: 'TvkPOH4yscrSC1rFYvnBVPYMqzR1vKck9ht4D7K_gAQ',
  y: '4MlSuUf_7J6Ljv0FBT1jK0_sKGB4WYwdKCOtnTEAwz4',
};
/** A 110-character server nonce shaped like Apple's example (`AwAB…`). */
const SERVER_NONCE = `AwAB${'A'.repeat(106)}`;
const NOW = 1_700_000_000;
const idp = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const params: EncryptedAssertionParams = {
  encryptionKey: idp.publicKey,
  username: 'bob@managed.example',
  password: 'correct horse',
  nonce: 'DDF68171-409D-4E2C-91F0-9E42D7745365',
  serverNonce: SERVER_NONCE,
  scope: 'openid offline_access urn:apple:platformsso',
  tokenEndpoint: 'https://idp.example.com/psso/token?x=1',
  now: NOW,
};

describe('embedded-assertion apv', () => {
  test('known answer: 13 APPLEEMBEDDED, 65 04…, 110 server nonce (Apple example structure)', () => {
    const key = createPublicKey({ key: APPLE_KEY_JWK as JsonWebKey, format: 'jwk' });
    const apv = embeddedApv(EMBEDDED_APV_PREFIX, key, SERVER_NONCE);
    const expected =
      '0000000d4150504c45454d424544444544' +
      '00000041' +
      '044ef90f387e32b1cad20b5ac562f9c154f60cab3475bca724f61b780fb2bf8004' +
      'e0c952b947ffec9e8b8efd05053d632b4fec286078598c1d2823ad9d3100c33e' +
      '0000006e' +
      Buffer.from(SERVER_NONCE, 'ascii').toString('hex');
    assert.equal(apv.bytes.toString('hex'), expected);
    assert.equal(apv.base64url, Buffer.from(expected, 'hex').toString('base64url'));
    assert.ok(apv.base64url.startsWith('AAAADUFQUExFRU1CRURERUQAAABBBE75'));
    const fields = parseEmbeddedApv(apv.base64url);
    assert.equal(fields?.prefix.toString(), 'APPLEEMBEDDED');
    assert.equal(fields?.key.length, 65);
    assert.equal(fields?.serverNonce.toString(), SERVER_NONCE);
  });

  test('parse refuses anything but exactly three canonical fields', () => {
    const two = Buffer.from('00000001410000000142', 'hex').toString('base64url');
    const four = Buffer.from('0000000141000000014200000001430000000144', 'hex').toString(
      'base64url',
    );
    const ok = embeddedApv('P', idp.publicKey, 'n').bytes;
    for (const bad of [
      two,
      four,
      Buffer.concat([ok, Buffer.from([0])]).toString('base64url'),
      ok.subarray(0, ok.length - 1).toString('base64url'),
      `${ok.toString('base64url')}=`,
      '',
      42,
    ])
      assert.equal(parseEmbeddedApv(bad), undefined, String(bad));
    assert.ok(parseEmbeddedApv(ok.toString('base64url')));
  });

  test('builder refuses an empty prefix or nonce, or a non-P-256 key', () => {
    assert.throws(() => embeddedApv('', idp.publicKey, 'n'), TypeError);
    assert.throws(() => embeddedApv('P', idp.publicKey, ''), TypeError);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    assert.throws(() => embeddedApv('P', rsa, 'n'), TypeError);
  });
});

describe('loginRequestEncryptionPublicKey check', () => {
  const jwk = idp.publicKey.export({ format: 'jwk' });
  test('accepts a public P-256 JWK, with kid/use enc/alg ECDH-ES', () => {
    const k = loginRequestEncryptionKey({ ...jwk, kid: 'k', use: 'enc', alg: 'ECDH-ES' });
    assert.deepEqual(x963(k), x963(idp.publicKey));
  });
  const cases: [string, unknown, RegExp][] = [
    ['a private JWK (d)', idp.privateKey.export({ format: 'jwk' }), /private/],
    ['an RSA key', { kty: 'RSA', n: 'AQAB', e: 'AQAB' }, /EC P-256/],
    ['a P-384 key', { ...jwk, crv: 'P-384' }, /EC P-256/],
    ['a signing key (use sig)', { ...jwk, use: 'sig' }, /use/],
    ['another algorithm (RSA-OAEP)', { ...jwk, alg: 'RSA-OAEP' }, /alg/],
    ['a short coordinate', { ...jwk, x: 'AAAA' }, /32-byte/],
    [
      'a point off the curve',
      { ...jwk, y: `${String(jwk.y).slice(0, 41)}A${jwk.y?.endsWith('A') ? 'E' : 'A'}` },
      /point on P-256/,
    ],
    ['not an object', 'key', /JWK object/],
  ];
  for (const [name, value, message] of cases)
    test(`refuses ${name}`, () => {
      assert.throws(
        () => loginRequestEncryptionKey(value),
        (e: unknown) => {
          assert.ok(e instanceof TypeError);
          assert.match(e.message, message);
          assert.doesNotMatch(e.message, new RegExp(String(jwk.x)));
          return true;
        },
      );
    });
});

describe('encrypted assertion', () => {
  test('inner claims: §3.9 claims plus password; aud defaults to the token endpoint audience', () => {
    const c = encryptedAssertionClaims({ ...params, customBodyClaims: { extra: 1, iss: 'x' } });
    assert.deepEqual(c, {
      extra: 1,
      aud: 'https://idp.example.com/psso/token',
      iat: NOW,
      exp: NOW + 300,
      iss: 'bob@managed.example',
      sub: 'bob@managed.example',
      username: 'bob@managed.example',
      nonce: params.nonce,
      request_nonce: SERVER_NONCE,
      scope: params.scope,
      password: 'correct horse',
    });
    const named = encryptedAssertionClaims({
      ...params,
      audience: 'psso',
      serverNonceClaimName: 'srv',
    });
    assert.equal(named.aud, 'psso');
    assert.equal(named.srv, SERVER_NONCE);
    assert.equal(named.request_nonce, undefined);
  });

  test('inner claims: missing values and a password over 1 KiB are TypeErrors', () => {
    for (const k of ['username', 'password', 'nonce', 'serverNonce', 'scope'] as const)
      assert.throws(() => encryptedAssertionClaims({ ...params, [k]: '' }), TypeError, k);
    assert.throws(
      () => encryptedAssertionClaims({ ...params, password: 'é'.repeat(513) }),
      /1 KiB/,
    );
    assert.doesNotThrow(() => encryptedAssertionClaims({ ...params, password: 'x'.repeat(1024) }));
  });

  test('JWE: ECDH-ES/A256GCM, typ, epk, apu echoes the epk, apv binds key and server nonce; the IdP decrypts it', async () => {
    const jwe = await buildEncryptedAssertion({
      ...params,
      customHeaderClaims: { typ: 'JWT', alg: 'RSA-OAEP', apv: 'x', note: 'kept' },
    });
    assert.equal(jwe.split('.').length, 5);
    assert.equal(jwe.split('.')[1], '', 'direct key agreement: empty encrypted key');
    const h = decodeProtectedHeader(jwe);
    assert.equal(h.alg, 'ECDH-ES');
    assert.equal(h.enc, 'A256GCM');
    assert.equal(h.typ, ENCRYPTED_ASSERTION_TYP);
    assert.equal(h.note, 'kept');
    const epk = h.epk as { x: string; y: string };
    const apu = parsePartyInfo(Buffer.from(String(h.apu), 'base64url'));
    assert.equal(apu?.[0]?.toString(), 'APPLE');
    assert.deepEqual(
      apu?.[1],
      x963(createPublicKey({ key: { kty: 'EC', crv: 'P-256', ...epk }, format: 'jwk' })),
    );
    assert.equal(h.apv, embeddedApv('APPLEEMBEDDED', idp.publicKey, SERVER_NONCE).base64url);
    const { plaintext } = await compactDecrypt(jwe, idp.privateKey, {
      keyManagementAlgorithms: ['ECDH-ES'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    const claims = JSON.parse(new TextDecoder().decode(plaintext));
    assert.deepEqual(claims, encryptedAssertionClaims(params));
  });

  test('a configured prefix replaces APPLEEMBEDDED', async () => {
    const jwe = await buildEncryptedAssertion({ ...params, apvPrefix: 'EXAMPLECORP' });
    const f = parseEmbeddedApv(decodeProtectedHeader(jwe).apv);
    assert.equal(f?.prefix.toString(), 'EXAMPLECORP');
  });

  test('only the holder of the IdP key can read the password', async () => {
    const jwe = await buildEncryptedAssertion(params);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await assert.rejects(compactDecrypt(jwe, other));
    assert.doesNotMatch(jwe, /correct/);
  });
});
