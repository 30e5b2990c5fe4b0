import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import {
  audienceOf,
  buildLoginJwt,
  buildRefreshJwt,
  type LoginJwtParams,
  loginRequestBody,
} from '../../packages/psso-wstrust/src/jose/login-jwt.ts';
import {
  encodePartyInfo,
  loginApv,
  parsePartyInfo,
  responseApu,
} from '../../packages/psso-wstrust/src/jose/party-info.ts';
import { GRANT_TYPE } from '../../packages/psso-wstrust/src/protocol/grant-types.ts';
import {
  generateDeviceKeys,
  keyId,
} from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';

const keys = generateDeviceKeys();
const NOW = 1_700_000_000;
const NONCE = 'DDF68171-409D-4E2C-91F0-9E42D7745365';
// Its standard base64 contains both '+' and '/' (base64url would have '-' and '_').
const SAML = '<saml:Assertion>???~~~é</saml:Assertion>';

const base: LoginJwtParams = {
  signingKey: keys.signing.privateKey,
  encryptionPublicKey: keys.encryption.publicKey,
  clientId: 'psso-client',
  username: 'alice@example.com',
  tokenEndpoint: 'https://idp.example.com/oauth2/token?x=1#frag',
  nonce: NONCE,
  serverNonce: 'AwABAAAAserver',
  scope: 'openid offline_access urn:apple:platformsso',
  now: NOW,
};

async function verify(jwt: string) {
  return jwtVerify(jwt, keys.signing.publicKey, {
    algorithms: ['ES256'],
    currentDate: new Date(NOW * 1000),
  });
}

describe('party info', () => {
  test('encode / parse round trip and refusal of malformed input', () => {
    const bytes = encodePartyInfo([Buffer.from('APPLE'), Buffer.alloc(0), Buffer.from([1, 2])]);
    assert.equal(bytes.toString('hex'), '000000054150504c4500000000000000020102');
    assert.deepEqual(
      parsePartyInfo(bytes)?.map((f) => f.toString('hex')),
      ['4150504c45', '', '0102'],
    );
    assert.equal(parsePartyInfo(bytes.subarray(0, bytes.length - 1)), undefined);
    assert.equal(parsePartyInfo(Buffer.from([0, 0, 0])), undefined);
    assert.equal(parsePartyInfo(Buffer.from([0, 0, 0, 9, 1])), undefined);
    assert.deepEqual(parsePartyInfo(Buffer.alloc(0)), []);
  });

  test('loginApv and responseApu layouts', () => {
    const apv = parsePartyInfo(loginApv(keys.encryption.publicKey, NONCE).bytes);
    assert.equal(apv?.[0]?.toString(), 'Apple');
    assert.equal(apv?.[1]?.[0], 4);
    assert.equal(apv?.[1]?.length, 65);
    assert.equal(apv?.[2]?.toString(), NONCE);
    const apu = parsePartyInfo(responseApu(keys.encryption.publicKey).bytes);
    assert.equal(apu?.[0]?.toString(), 'APPLE');
    assert.equal(apu?.length, 2);
    assert.throws(() => loginApv(keys.encryption.publicKey, ''), TypeError);
  });

  test('responseApu left-pads short JWK coordinates to 32 bytes', () => {
    const x = Buffer.alloc(31, 7).toString('base64url');
    const y = Buffer.alloc(32, 9).toString('base64url');
    const fields = parsePartyInfo(responseApu({ x, y }).bytes);
    assert.equal(fields?.[1]?.length, 65);
    assert.equal(fields?.[1]?.[1], 0);
  });
});

describe('buildLoginJwt', () => {
  test('federated SAML login: header and every claim', async () => {
    const jwt = await buildLoginJwt({
      ...base,
      samlAssertion: { xml: SAML, version: '2.0' },
      x5c: ['MIIBcert'],
    });
    const { payload, protectedHeader } = await verify(jwt);
    assert.deepEqual(protectedHeader, {
      typ: 'platformsso-login-request+jwt',
      alg: 'ES256',
      kid: keyId(keys.signing.publicKey),
      x5c: ['MIIBcert'],
    });
    const assertion = Buffer.from(SAML, 'utf8').toString('base64');
    assert.match(assertion, /\+/);
    assert.match(assertion, /\//);
    assert.deepEqual(payload, {
      client_id: 'psso-client',
      iss: 'psso-client',
      aud: 'https://idp.example.com/oauth2/token',
      iat: NOW,
      exp: NOW + 300,
      nonce: NONCE,
      request_nonce: 'AwABAAAAserver',
      scope: 'openid offline_access urn:apple:platformsso',
      sub: 'alice@example.com',
      username: 'alice@example.com',
      grant_type: GRANT_TYPE.saml2Bearer,
      assertion,
      jwe_crypto: {
        alg: 'ECDH-ES',
        enc: 'A256GCM',
        apv: loginApv(keys.encryption.publicKey, NONCE).base64url,
      },
    });
    assert.equal(Buffer.from(String(payload.assertion), 'base64').toString('utf8'), SAML);
  });

  test('SAML 1.1 grant type, and password login', async () => {
    const saml1 = await verify(
      await buildLoginJwt({ ...base, samlAssertion: { xml: SAML, version: '1.1' } }),
    );
    assert.equal(saml1.payload.grant_type, GRANT_TYPE.saml11Bearer);
    assert.equal(saml1.payload.password, undefined);
    const pw = await verify(await buildLoginJwt({ ...base, password: 'hunter2' }));
    assert.equal(pw.payload.grant_type, 'password');
    assert.equal(pw.payload.password, 'hunter2');
    assert.equal(pw.payload.assertion, undefined);
  });

  test('custom header claims override typ; custom body claims lose to standard ones', async () => {
    const jwt = await buildLoginJwt({
      ...base,
      password: 'pw',
      serverNonceClaimName: 'srv_nonce',
      customHeaderClaims: { typ: 'JWT', alg: 'none', kid: 'evil', extra: 1 },
      customBodyClaims: { nonce: 'custom', tenant: 'contoso' },
      trailingBodyClaims: { previous_refresh_token: 'rt0' },
    });
    const header = decodeProtectedHeader(jwt);
    assert.equal(header.typ, 'JWT');
    assert.equal(header.alg, 'ES256');
    assert.equal(header.kid, keyId(keys.signing.publicKey));
    assert.equal(header.extra, 1);
    const { payload } = await verify(jwt);
    assert.equal(payload.nonce, NONCE);
    assert.equal(payload.tenant, 'contoso');
    assert.equal(payload.srv_nonce, 'AwABAAAAserver');
    assert.equal(payload.request_nonce, undefined);
    assert.equal(payload.previous_refresh_token, 'rt0');
  });

  test('refuses both or neither credential and missing values', async () => {
    await assert.rejects(
      buildLoginJwt({ ...base, password: 'p', samlAssertion: { xml: SAML, version: '2.0' } }),
      TypeError,
    );
    await assert.rejects(buildLoginJwt(base), TypeError);
    await assert.rejects(buildLoginJwt({ ...base, password: 'p', serverNonce: '' }), TypeError);
    await assert.rejects(
      buildLoginJwt({ ...base, password: 'p', tokenEndpoint: '/token' }),
      TypeError,
    );
  });

  test('audienceOf strips query and fragment only', () => {
    assert.equal(audienceOf('https://Idp.example.com:443/t?a#b'), 'https://Idp.example.com:443/t');
    assert.equal(audienceOf(new URL('https://idp.example.com/t#x')), 'https://idp.example.com/t');
  });
});

describe('buildRefreshJwt', () => {
  test('typ, refresh claims, no sub or username', async () => {
    const jwt = await buildRefreshJwt({
      ...base,
      refreshEndpoint: 'https://idp.example.com/oauth2/refresh?q',
      refreshToken: 'rt-1',
    });
    const { payload, protectedHeader } = await verify(jwt);
    assert.equal(protectedHeader.typ, 'platformsso-refresh-request+jwt');
    assert.equal(payload.grant_type, 'refresh_token');
    assert.equal(payload.refresh_token, 'rt-1');
    assert.equal(payload.aud, 'https://idp.example.com/oauth2/refresh');
    assert.equal(payload.sub, undefined);
    assert.equal(payload.username, undefined);
    assert.equal(payload.exp, NOW + 300);
    assert.deepEqual(Object.keys(payload.jwe_crypto as object), ['alg', 'enc', 'apv']);
  });
});

describe('loginRequestBody', () => {
  test('fixed prefix, custom values, raw JWT under the parameter name', () => {
    assert.equal(
      loginRequestBody('aa.bb.cc'),
      'platform_sso_version=1.0&grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=aa.bb.cc',
    );
    assert.equal(
      loginRequestBody('aa.bb.cc', {
        parameterName: 'request',
        customValues: [
          ['client_info', '1'],
          ['x', 'a b&c=d+e:f/g@h'],
        ],
      }),
      'platform_sso_version=1.0&grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer' +
        '&client_info=1&x=a%20b%26c%3Dd%2Be:f/g@h&request=aa.bb.cc',
    );
    assert.equal(
      loginRequestBody('a.b.c', { customValues: { tgt: 'true' } }),
      'platform_sso_version=1.0&grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&tgt=true&assertion=a.b.c',
    );
    assert.throws(() => loginRequestBody('a.b.c&x=1'), TypeError);
  });
});
