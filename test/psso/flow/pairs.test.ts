/**
 * The Platform SSO request/response pairs with no network: each `…Request` captured by a
 * transport (what goes on the wire), each `process…Response` on recorded responses, one refusal
 * per step of its fixed order (status, content type, shape, fields, expected values), the code
 * pinned. Where macOS does not look at the content type, a test pins that it does not decide.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { ConfigError, HttpError, LoginError } from '../../../packages/psso-wstrust/src/errors.ts';
import { encryptLoginResponse } from '../../../packages/psso-wstrust/src/jose/login-response.ts';
import { loginApv } from '../../../packages/psso-wstrust/src/jose/party-info.ts';
import {
  discoveryRequest,
  processDiscoveryResponse,
} from '../../../packages/psso-wstrust/src/psso/config/discovery.ts';
import { parseLoginConfiguration } from '../../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../../packages/psso-wstrust/src/psso/config/types.ts';
import {
  jwksRequest,
  processJwksResponse,
} from '../../../packages/psso-wstrust/src/psso/flow/jwks-cache.ts';
import {
  keyExchangeRequest,
  keyRequest,
} from '../../../packages/psso-wstrust/src/psso/flow/key-endpoint.ts';
import {
  nonceRequest,
  processNonceResponse,
} from '../../../packages/psso-wstrust/src/psso/flow/nonce.ts';
import { processPreauthenticationResponse } from '../../../packages/psso-wstrust/src/psso/flow/preauth.ts';
import {
  type LoginResponseContext,
  loginRequest,
  processLoginResponse,
  processRefreshResponse,
  refreshRequest,
} from '../../../packages/psso-wstrust/src/psso/flow/token.ts';
import {
  processUserKeyResponse,
  userKeyRequest,
} from '../../../packages/psso-wstrust/src/psso/flow/user-key-register.ts';
import { generateDeviceKeys } from '../../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { assertCode } from '../../helpers/assert-code.ts';
import { capture, recorded } from '../../helpers/recorded.ts';

const REQ = 'B0E2F7A3-0000-4000-8000-000000000002';
const JWT = 'aa.bb.cc';
const LOGIN_TYPE = { 'content-type': 'application/platformsso-login-response+jwt' };
const config = (extra: Record<string, unknown> = {}) =>
  resolveLoginConfiguration(
    parseLoginConfiguration({
      clientID: 'psso',
      issuer: 'https://idp.example.com',
      tokenEndpointURL: 'https://idp.example.com/psso/token',
      jwksEndpointURL: 'https://idp.example.com/psso/jwks',
      federationType: 'dynamicWSTrust',
      federationRequestURN: 'urn:federation:MicrosoftOnline',
      federationUserPreauthenticationURL: 'https://idp.example.com/realm',
      federationMEXURLKeypath: 'federation_metadata_url',
      federationPredicate: "account_type = 'Federated'",
      ...extra,
    }),
  );
const json = (status: number, v: unknown, headers: Record<string, string> = {}) =>
  recorded(status, typeof v === 'string' ? v : JSON.stringify(v), headers);
const HTML = { 'content-type': 'text/html; charset=utf-8' };

describe('server nonce and preauthentication: the content type does not decide (macOS)', () => {
  test('a nonce served as text/html or text/plain is read', () => {
    for (const headers of [HTML, { 'content-type': 'text/plain' }, {}])
      assert.equal(processNonceResponse(json(200, { Nonce: 'n' }, headers), config()), 'n');
  });
  test('a user realm served as text/html is read', () => {
    const r = processPreauthenticationResponse(
      json(200, { account_type: 'Managed' }, HTML),
      config(),
    );
    assert.deepEqual(r, { federated: false });
  });
  test('the status first: a 503 with a nonce in it is PSSO_ERR_NONCE_RESPONSE', () => {
    const e = assertCode(
      () => processNonceResponse(json(503, { Nonce: 'n' }), config()),
      'PSSO_ERR_NONCE_RESPONSE',
      LoginError,
    );
    assert.equal(e.status, 503);
  });
  test('nonceRequest answers what the transport answered, whatever the status', async () => {
    const answer = json(500, {});
    assert.equal(
      await nonceRequest(config(), REQ, { transport: capture(answer).transport }),
      answer,
    );
  });
});

describe('login and refresh', () => {
  test('loginRequest: the form with the custom login values, to the token endpoint', async () => {
    const sent = capture(json(401, ''));
    const c = config({
      customLoginRequestValues: [{ name: 'l', value: '1' }],
      customRefreshRequestValues: [{ name: 'r', value: '2' }],
    });
    assert.equal((await loginRequest(c, JWT, REQ, { transport: sent.transport })).status, 401);
    const r = sent.only();
    assert.equal(r.method, 'POST');
    assert.equal(String(r.url), 'https://idp.example.com/psso/token');
    assert.deepEqual(r.headers, {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/platformsso-login-response+jwt',
      'client-request-id': REQ,
    });
    assert.equal(
      r.body,
      `platform_sso_version=1.0&grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&l=1&assertion=${JWT}`,
    );
  });
  test('refreshRequest: the custom refresh values when there are any (§3.6), else the login ones', async () => {
    const withRefresh = capture(json(200, ''));
    await refreshRequest(
      config({
        customLoginRequestValues: [{ name: 'l', value: '1' }],
        customRefreshRequestValues: [{ name: 'r', value: '2' }],
      }),
      JWT,
      REQ,
      { transport: withRefresh.transport },
    );
    assert.match(String(withRefresh.only().body), /&r=2&assertion=/);
    const without = capture(json(200, ''));
    await refreshRequest(
      config({ customLoginRequestValues: [{ name: 'l', value: '1' }] }),
      JWT,
      REQ,
      {
        transport: without.transport,
      },
    );
    assert.match(String(without.only().body), /&l=1&assertion=/);
  });

  const keys = generateDeviceKeys();
  const nonce = randomUUID().toUpperCase();
  const apv = loginApv(keys.encryption.publicKey, nonce).base64url;
  const idKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwks = { keys: [{ ...idKey.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' }] };
  const now = new Date('2026-03-01T10:00:00Z');
  const ctx: LoginResponseContext = {
    apv,
    contextNonce: nonce,
    encryptionPrivateKey: keys.encryption.privateKey,
    now,
    jwks: jwks as never,
  };
  const jwe = async (claims: Record<string, unknown> = {}) => {
    const iat = Math.floor(now.getTime() / 1000);
    const idToken = await new SignJWT({ nonce, sub: 'alice@example.com', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('https://idp.example.com')
      .setAudience('psso')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(idKey.privateKey);
    return encryptLoginResponse(
      { id_token: idToken, refresh_token: 'rt', token_type: 'Bearer', expires_in: 3600 },
      { deviceEncryptionPublicKey: keys.encryption.publicKey, apv },
    );
  };

  test('a recorded success, judged offline with the JWKS given: login and refresh alike', async () => {
    const response = recorded(200, await jwe(), LOGIN_TYPE);
    for (const process of [processLoginResponse, processRefreshResponse]) {
      const r = await process(response, config(), ctx);
      assert.equal(r.idTokenClaims.sub, 'alice@example.com');
      assert.equal(r.response.refreshToken, 'rt');
    }
  });
  test('the content type does not decide (macOS): a JWE served as application/json is read', async () => {
    const r = await processLoginResponse(
      recorded(200, await jwe(), { 'content-type': 'application/json' }),
      config(),
      ctx,
    );
    assert.equal(r.response.refreshToken, 'rt');
  });
  test('1. status: 401 without a predicate is a credential error; 500 a failure with its status', async () => {
    await assertCode(
      processLoginResponse(json(401, '', LOGIN_TYPE), config(), ctx),
      'PSSO_ERR_LOGIN_INVALID_CREDENTIALS',
      LoginError,
    );
    const e = await assertCode(
      processRefreshResponse(json(500, { error: 'server_error' }), config(), ctx),
      'PSSO_ERR_LOGIN_FAILED',
      LoginError,
    );
    assert.equal(e.status, 500);
    assert.equal(e.error, 'server_error');
  });
  test('3. shape: an empty 200, an HTML page', async () => {
    await assertCode(
      processLoginResponse(json(200, '', LOGIN_TYPE), config(), ctx),
      'PSSO_ERR_LOGIN_RESPONSE_EMPTY',
    );
    await assertCode(
      processLoginResponse(json(200, '<html>sign in</html>', HTML), config(), ctx),
      'PSSO_ERR_LOGIN_RESPONSE_FORMAT',
    );
  });
  test('5. expected values: our apv, the id_token nonce, a key in the JWKS', async () => {
    const other = loginApv(keys.encryption.publicKey, randomUUID().toUpperCase()).base64url;
    await assertCode(
      processLoginResponse(recorded(200, await jwe(), LOGIN_TYPE), config(), {
        ...ctx,
        apv: other,
      }),
      'PSSO_ERR_LOGIN_RESPONSE_APV',
    );
    await assertCode(
      processLoginResponse(recorded(200, await jwe({ nonce: 'other' }), LOGIN_TYPE), config(), ctx),
      'PSSO_ERR_ID_TOKEN_CLAIMS',
    );
    await assertCode(
      processLoginResponse(recorded(200, await jwe(), LOGIN_TYPE), config(), {
        ...ctx,
        jwks: { keys: [] },
      }),
      'PSSO_ERR_JWKS',
    );
  });
});

describe('key request and key exchange', () => {
  test('both POST the JWT with platform_sso_version=2.0 to keyEndpointURL', async () => {
    for (const request of [keyRequest, keyExchangeRequest]) {
      const sent = capture(json(200, ''));
      await request(config({ keyEndpointURL: 'https://idp.example.com/psso/key' }), JWT, REQ, {
        transport: sent.transport,
      });
      const r = sent.only();
      assert.equal(String(r.url), 'https://idp.example.com/psso/key');
      assert.equal(r.headers?.accept, 'application/platformsso-key-response+jwt');
      assert.match(
        String(r.body),
        /^platform_sso_version=2\.0&grant_type=.*&assertion=aa\.bb\.cc$/,
      );
    }
  });
  // The key responses' status, content type, JWE, fields and times: key-endpoint.test.ts.
});

describe('user key registration', () => {
  test('userKeyRequest POSTs assertion=<jwt>', async () => {
    const sent = capture(json(201, { upn: 'u', kid: 'k' }));
    await userKeyRequest('https://idp.example.com/psso/user-keys', JWT, REQ, {
      transport: sent.transport,
    });
    assert.equal(sent.only().body, `assertion=${JWT}`);
  });
  test('201 with upn and kid; anything else is PSSO_ERR_LOGIN_FAILED with what the IdP said', () => {
    assert.deepEqual(processUserKeyResponse(json(201, { upn: 'u', kid: 'k' }, HTML)), {
      upn: 'u',
      kid: 'k',
    });
    const e = assertCode(
      () => processUserKeyResponse(json(400, { error: 'invalid_grant', error_description: 'd' })),
      'PSSO_ERR_LOGIN_FAILED',
      LoginError,
    );
    assert.equal(e.status, 400);
    assert.equal(e.error, 'invalid_grant');
    assertCode(() => processUserKeyResponse(json(201, 'not json')), 'PSSO_ERR_LOGIN_FAILED');
    assertCode(() => processUserKeyResponse(json(201, { upn: 'u' })), 'PSSO_ERR_LOGIN_FAILED');
  });
});

describe('discovery document and JWKS', () => {
  test('discoveryRequest and jwksRequest GET with Accept: application/json', async () => {
    for (const request of [discoveryRequest, jwksRequest]) {
      const sent = capture(json(200, {}));
      await request('https://idp.example.com/x', { transport: sent.transport });
      assert.equal(sent.only().method, 'GET');
      assert.equal(sent.only().headers?.accept, 'application/json');
    }
  });
  test('discovery: 200 and a JSON object; another status is PSSO_ERR_HTTP_STATUS; not an object PSSO_ERR_CONFIG_JSON', () => {
    assert.deepEqual(processDiscoveryResponse(json(200, { clientID: 'psso' })), {
      clientID: 'psso',
    });
    const e = assertCode(
      () => processDiscoveryResponse(json(404, {})),
      'PSSO_ERR_HTTP_STATUS',
      HttpError,
    );
    assert.equal(e.status, 404);
    assertCode(() => processDiscoveryResponse(json(200, [1])), 'PSSO_ERR_CONFIG_JSON', ConfigError);
  });
  test('JWKS: 2xx and a JSON object of at most maxKeys keys, else PSSO_ERR_JWKS', () => {
    assert.deepEqual(processJwksResponse(json(200, { keys: [] })), { keys: [] });
    const e = assertCode(() => processJwksResponse(json(502, {})), 'PSSO_ERR_JWKS', LoginError);
    assert.equal(e.status, 502);
    assertCode(() => processJwksResponse(json(200, 'x')), 'PSSO_ERR_JWKS');
    assertCode(
      () => processJwksResponse(json(200, { keys: [{}, {}, {}] }), { maxKeys: 2 }),
      'PSSO_ERR_JWKS',
    );
  });
  test('caller misuse is a TypeError', () => {
    assert.throws(() => processJwksResponse({ status: 200 } as never), TypeError);
    assert.throws(() => processDiscoveryResponse(null as never), TypeError);
  });
});
