/**
 * The fake Mac writes JSON as a Mac does: the real-Mac request JWT segments
 * (test/fixtures/real-mac) re-serialized with nsJsonStringify give the same base64url bytes, and
 * signCompactJws output verifies with jose for every algorithm it offers.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { compactVerify, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  type CompactJwsAlgorithm,
  jwsAlgorithmFor,
  signCompactJws,
} from '../../packages/psso-wstrust/src/jose/compact-sign.ts';
import { buildLoginJwt, buildRefreshJwt } from '../../packages/psso-wstrust/src/jose/login-jwt.ts';
import {
  type NsJsonValue,
  nsJsonStringify,
  orderKeys,
} from '../../packages/psso-wstrust/src/jose/nsjson.ts';
import { generateDeviceKeys } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';

const FIXTURES = new URL('../fixtures/real-mac/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8').trim();

describe('nsJsonStringify reproduces the real-Mac segments byte for byte', () => {
  for (const name of ['password-login.jwt', 'key-request.jwt', 'key-exchange.jwt']) {
    test(name, () => {
      const [header, payload] = fixture(name).split('.') as [string, string, string];
      for (const segment of [header, payload]) {
        const text = Buffer.from(segment, 'base64url').toString('utf8');
        const again = nsJsonStringify(JSON.parse(text) as NsJsonValue);
        assert.equal(again, text);
        assert.equal(Buffer.from(again, 'utf8').toString('base64url'), segment);
      }
    });
  }

  test('the password login: slashes raw, nested objects and arrays indented', () => {
    const payload = Buffer.from(fixture('password-login.jwt').split('.')[1] ?? '', 'base64url');
    const text = payload.toString('utf8');
    assert.match(text, /"aud" : "https:\/\/idp\.twocanoes\.com\/pesto\/token"/);
    assert.match(text, /\n {2}"amr" : \[\n {4}"pwd"\n {2}\],\n/);
    assert.ok(!text.endsWith('\n'));
  });
});

describe('nsJsonStringify', () => {
  test('escapes, scalars, empty containers, Map order and undefined members', () => {
    assert.equal(nsJsonStringify('a"b\\c/d\n\t\u0001é'), '"a\\"b\\\\c/d\\n\\t\\u0001é"');
    assert.equal(nsJsonStringify('a/b', { escapeSlashes: true }), '"a\\/b"');
    assert.equal(
      nsJsonStringify([1, -0, 1.5, true, false, null]),
      '[\n  1,\n  0,\n  1.5,\n  true,\n  false,\n  null\n]',
    );
    assert.equal(nsJsonStringify({}), '{\n\n}');
    assert.equal(nsJsonStringify({ a: [] }), '{\n  "a" : [\n\n  ]\n}');
    assert.equal(nsJsonStringify({ a: undefined, b: 1 }), '{\n  "b" : 1\n}');
    assert.equal(
      nsJsonStringify(
        new Map<string, NsJsonValue>([
          ['2', 'two'],
          ['1', 'one'],
        ]),
      ),
      '{\n  "2" : "two",\n  "1" : "one"\n}',
    );
  });

  test('refuses what JSON cannot carry', () => {
    assert.throws(() => nsJsonStringify(Number.NaN), TypeError);
    assert.throws(() => nsJsonStringify([undefined] as never), TypeError);
    assert.throws(() => nsJsonStringify(10n as never), TypeError);
    assert.throws(() => nsJsonStringify(new Date() as never), TypeError);
    assert.throws(() => nsJsonStringify('\ud800'), TypeError);
  });

  test('orderKeys: listed keys first, the rest at the wildcard, integer-like keys kept', () => {
    const m = orderKeys({ iat: 1, extra: true, exp: 2, '7': 'x' }, ['exp', '*', 'iat']);
    assert.deepEqual([...m.keys()], ['exp', '7', 'extra', 'iat']);
    assert.deepEqual([...orderKeys({ b: 1, a: 2 }, ['a']).keys()], ['a', 'b']);
  });
});

describe('signCompactJws', () => {
  const cases: [CompactJwsAlgorithm, ReturnType<typeof generateKeyPairSync>][] = [
    ['ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['ES384', generateKeyPairSync('ec', { namedCurve: 'P-384' })],
    ['ES512', generateKeyPairSync('ec', { namedCurve: 'P-521' })],
    ['RS256', generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['RS384', generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['RS512', generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ];
  for (const [alg, pair] of cases) {
    test(`${alg} verifies with jose compactVerify`, async () => {
      const jws = signCompactJws({
        header: { typ: 'platformsso-login-assertion+jwt', alg, kid: 'k+/=' },
        payload: { sub: 'alice', aud: 'https://idp.example.com/token', iat: 1 },
        key: pair.privateKey,
      });
      const { payload, protectedHeader } = await compactVerify(jws, pair.publicKey, {
        algorithms: [alg],
      });
      assert.deepEqual(Object.keys(protectedHeader), ['typ', 'alg', 'kid']);
      assert.equal(
        new TextDecoder().decode(payload),
        '{\n  "sub" : "alice",\n  "aud" : "https://idp.example.com/token",\n  "iat" : 1\n}',
      );
      if (alg !== 'RS384' && alg !== 'RS512')
        assert.equal(jwsAlgorithmFor(pair.publicKey), alg.startsWith('RS') ? 'RS256' : alg);
    });
  }

  test('raw payload bytes, and refusals: wrong curve, short RSA, unknown alg, public key', () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const raw = signCompactJws({
      header: { alg: 'ES256' },
      payload: Buffer.from('hi'),
      key: p256.privateKey,
    });
    assert.equal(raw.split('.')[1], Buffer.from('hi').toString('base64url'));
    assert.throws(
      () => signCompactJws({ header: { alg: 'ES384' }, payload: {}, key: p256.privateKey }),
      TypeError,
    );
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    assert.throws(
      () => signCompactJws({ header: { alg: 'RS256' }, payload: {}, key: small.privateKey }),
      TypeError,
    );
    assert.throws(
      () => signCompactJws({ header: { alg: 'none' }, payload: {}, key: p256.privateKey }),
      TypeError,
    );
    assert.throws(
      () => signCompactJws({ header: { alg: 'HS256' }, payload: {}, key: p256.privateKey }),
      TypeError,
    );
    assert.throws(
      () => signCompactJws({ header: { alg: 'ES256' }, payload: {}, key: p256.publicKey }),
      TypeError,
    );
    assert.throws(() => jwsAlgorithmFor(generateKeyPairSync('ed25519').publicKey), TypeError);
  });
});

describe('the login and refresh JWTs are written as a Mac writes them', () => {
  const keys = generateDeviceKeys();
  const NOW = 1_713_997_801;
  const common = {
    signingKey: keys.signing.privateKey,
    encryptionPublicKey: keys.encryption.publicKey,
    clientId: 'psso',
    nonce: '7D71F8B4-1DE7-4F89-8C3A-210D161F38AC',
    serverNonce: 'MSfEHgDNcFdH9G2O89uFBRoADeIujBLBWD+35i3s/ec=',
    scope: 'openid offline_access urn:apple:platformsso',
    now: NOW,
  };

  test('password login: the real-Mac key order, amr pwd, pretty JSON; jose verifies it', async () => {
    const jwt = await buildLoginJwt({
      ...common,
      username: 'liz@twocanoes.com',
      tokenEndpoint: 'https://idp.twocanoes.com/pesto/token',
      password: 'twocanoes',
      customBodyClaims: { claims: { id_token: { groups: { values: ['net-admin'] } } } },
    });
    const [h, p] = jwt.split('.') as [string, string];
    const header = Buffer.from(h, 'base64url').toString('utf8');
    assert.match(
      header,
      /^\{\n {2}"typ" : "platformsso-login-request\+jwt",\n {2}"alg" : "ES256",\n {2}"kid" : "[^"]+"\n\}$/,
    );
    const payload = Buffer.from(p, 'base64url').toString('utf8');
    const real = JSON.parse(
      Buffer.from(fixture('password-login.jwt').split('.')[1] ?? '', 'base64url').toString('utf8'),
    );
    assert.deepEqual(Object.keys(JSON.parse(payload)), Object.keys(real));
    assert.equal(nsJsonStringify(JSON.parse(payload)), payload);
    assert.match(payload, /"aud" : "https:\/\/idp.twocanoes.com\/pesto\/token"/);
    // An IdP that looks for compact JSON text fails with us as it would with a Mac.
    assert.ok(!payload.includes('"iss":"psso"') && payload.includes('"iss" : "psso"'));
    const { payload: claims } = await jwtVerify(jwt, keys.signing.publicKey, {
      algorithms: ['ES256'],
      currentDate: new Date(NOW * 1000),
    });
    assert.deepEqual(claims.amr, ['pwd']);
  });

  test('assertion login and refresh: extra claims placed before iat; custom header after kid', async () => {
    const login = await buildLoginJwt({
      ...common,
      username: 'alice',
      tokenEndpoint: 'https://idp.example.com/token',
      samlAssertion: { xml: '<a/>', version: '2.0' },
      customHeaderClaims: { tenant: 't', typ: 'JWT' },
      trailingBodyClaims: { previous_refresh_token: 'rt0' },
    });
    assert.deepEqual(Object.keys(decodeProtectedHeader(login)), ['typ', 'alg', 'kid', 'tenant']);
    const body = JSON.parse(Buffer.from(login.split('.')[1] ?? '', 'base64url').toString('utf8'));
    assert.deepEqual(Object.keys(body), [
      'jwe_crypto',
      'exp',
      'nonce',
      'request_nonce',
      'scope',
      'grant_type',
      'iss',
      'assertion',
      'sub',
      'aud',
      'username',
      'client_id',
      'previous_refresh_token',
      'iat',
    ]);
    const refresh = await buildRefreshJwt({
      ...common,
      serverNonceClaimName: 'srv_nonce',
      refreshEndpoint: 'https://idp.example.com/token',
      refreshToken: 'rt',
    });
    const rbody = JSON.parse(
      Buffer.from(refresh.split('.')[1] ?? '', 'base64url').toString('utf8'),
    );
    assert.deepEqual(Object.keys(rbody), [
      'jwe_crypto',
      'exp',
      'nonce',
      'srv_nonce',
      'scope',
      'grant_type',
      'refresh_token',
      'iss',
      'aud',
      'client_id',
      'iat',
    ]);
  });
});
