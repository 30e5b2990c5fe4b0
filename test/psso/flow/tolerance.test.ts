/**
 * The client against token endpoints shaped as working IdPs answer (docs/PSSO-PEERS.md §4.6), replayed
 * from recorded bytes by a loopback stub server and also judged directly on those bytes:
 * - refusals: Keycloak's 401 with an empty body, Fleet's 400 with JSON, twocanoes' 200 with an
 *   empty body (its own code, PSSO_ERR_LOGIN_RESPONSE_EMPTY);
 * - a success carrying every tolerated oddity at once: authentik's 96-byte GCM IV, Keycloak's extra
 *   `epk` members and string lifetimes, a padded standard-base64 id_token `kid`.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { LoginError, type LoginErrorCode } from '../../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../../packages/psso-wstrust/src/http/agents.ts';
import { loginApv } from '../../../packages/psso-wstrust/src/jose/party-info.ts';
import { parseLoginConfiguration } from '../../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../../packages/psso-wstrust/src/psso/config/types.ts';
import { JwksCache } from '../../../packages/psso-wstrust/src/psso/flow/jwks-cache.ts';
import {
  loginRequest,
  processLoginResponse,
} from '../../../packages/psso-wstrust/src/psso/flow/token.ts';
import { generateDeviceKeys } from '../../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { oddLoginResponse } from '../../helpers/odd-jwe.ts';
import { makeTestPki } from '../../helpers/tls.ts';

/** A recorded HTTP answer: status, headers, body bytes. */
interface Recorded {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const LOGIN_TYPE = 'application/platformsso-login-response+jwt';
const RECORDED = {
  /** Keycloak (PSSO-PEERS §4.6 C): 401, the login-response content type, no body. */
  keycloak401Empty: { status: 401, headers: { 'content-type': LOGIN_TYPE }, body: '' },
  /** Fleet (D): 400 with an OAuth JSON error. */
  fleet400Json: {
    status: 400,
    headers: { 'content-type': 'application/json' },
    body: '{"error":"invalid_grant","error_description":"invalid username or password"}',
  },
  /** twocanoes psso-server-go (A): 200 and an empty body on a refused login. */
  twocanoes200Empty: { status: 200, headers: { 'content-type': LOGIN_TYPE }, body: '' },
} as const satisfies Record<string, Recorded>;

const ENTRA_PREDICATE = "error = 'invalid_grant' AND suberror != 'device_authentication_failed'";
const keys = generateDeviceKeys();
const NONCE = '7D71F8B4-1DE7-4F89-8C3A-210D161F38AC';
const APV = loginApv(keys.encryption.publicKey, NONCE).base64url;
const NOW = 1_713_997_801;
const KID = 'f+RnKWrikksTQNgBuZhD8oMVRFVPBbpRSsrmybfvJC0=';
const idTokenKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });

let server: Server;
let origin: string;
let caPem: string;
let answer: Recorded = RECORDED.twocanoes200Empty;

before(async () => {
  const pki = await makeTestPki();
  caPem = pki.caPem;
  server = createServer({ key: pki.keyPem, cert: pki.certPem }, (req, res) => {
    req.resume();
    const a =
      req.url === '/jwks'
        ? {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              keys: [{ ...idTokenKey.publicKey.export({ format: 'jwk' }), kid: KID, use: 'sig' }],
            }),
          }
        : answer;
    res.writeHead(a.status, a.headers).end(a.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await closeHttpAgents();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function config(predicate?: string) {
  return resolveLoginConfiguration(
    parseLoginConfiguration({
      clientID: 'psso',
      issuer: 'https://idp.example.com',
      tokenEndpointURL: `${origin}/token`,
      jwksEndpointURL: `${origin}/jwks`,
      ...(predicate === undefined ? {} : { invalidCredentialPredicate: predicate }),
    }),
  );
}

/** The login pair over the network: the stub server replays `recorded`, the JWKS is fetched. */
async function post(recorded: Recorded, predicate?: string) {
  answer = recorded;
  const c = config(predicate);
  const http = { ca: caPem, timeoutMs: 5000 };
  const response = await loginRequest(c, 'aa.bb.cc', 'B0E2F7A3-0000-4000-8000-000000000001', http);
  return processLoginResponse(response, c, {
    apv: APV,
    contextNonce: NONCE,
    encryptionPrivateKey: keys.encryption.privateKey,
    now: new Date(NOW * 1000),
    jwksCache: new JwksCache(),
    http,
  });
}

async function refused(p: Promise<unknown>, code: LoginErrorCode): Promise<LoginError> {
  const e = await p.then(
    () => assert.fail('accepted'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof LoginError, String(e));
  assert.equal(e.code, code);
  return e;
}

/** The same judgement straight from the recorded bytes, without a network (the JWKS given). */
async function judge(recorded: Recorded, predicate?: string): Promise<LoginError> {
  const e = await processLoginResponse(
    { status: recorded.status, headers: recorded.headers, body: Buffer.from(recorded.body) },
    config(predicate),
    {
      apv: APV,
      contextNonce: NONCE,
      encryptionPrivateKey: keys.encryption.privateKey,
      now: new Date(NOW * 1000),
      jwks: { keys: [] },
    },
  ).then(
    () => assert.fail('accepted'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof LoginError);
  return e;
}

describe('refusals shaped as working IdPs send them', () => {
  test('Keycloak 401, empty body, no predicate: a credential error', async () => {
    for (const e of [
      await refused(post(RECORDED.keycloak401Empty), 'PSSO_ERR_LOGIN_INVALID_CREDENTIALS'),
      await judge(RECORDED.keycloak401Empty),
    ]) {
      assert.equal(e.code, 'PSSO_ERR_LOGIN_INVALID_CREDENTIALS');
      assert.equal(e.status, 401);
      assert.equal(e.error, undefined);
      assert.equal(e.predicate?.verdict, 'credentials');
    }
  });

  test('Keycloak 401, empty body, with a predicate: nothing to match, a generic failure', async () => {
    for (const e of [
      await refused(post(RECORDED.keycloak401Empty, ENTRA_PREDICATE), 'PSSO_ERR_LOGIN_FAILED'),
      await judge(RECORDED.keycloak401Empty, ENTRA_PREDICATE),
    ]) {
      assert.equal(e.code, 'PSSO_ERR_LOGIN_FAILED');
      assert.deepEqual(e.predicate, {
        expression: ENTRA_PREDICATE,
        matched: false,
        verdict: 'other',
      });
    }
  });

  test('Fleet 400 JSON: the predicate decides; without one, a generic failure', async () => {
    for (const e of [
      await refused(
        post(RECORDED.fleet400Json, ENTRA_PREDICATE),
        'PSSO_ERR_LOGIN_INVALID_CREDENTIALS',
      ),
      await judge(RECORDED.fleet400Json, ENTRA_PREDICATE),
    ]) {
      assert.equal(e.code, 'PSSO_ERR_LOGIN_INVALID_CREDENTIALS');
      assert.equal(e.status, 400);
      assert.equal(e.error, 'invalid_grant');
      assert.equal(e.errorDescription, 'invalid username or password');
      assert.equal(e.predicate?.matched, true);
    }
    for (const e of [
      await refused(post(RECORDED.fleet400Json), 'PSSO_ERR_LOGIN_FAILED'),
      await judge(RECORDED.fleet400Json),
    ]) {
      assert.equal(e.code, 'PSSO_ERR_LOGIN_FAILED');
      assert.equal(e.error, 'invalid_grant');
      assert.equal(e.predicate?.verdict, 'other');
    }
  });

  test('twocanoes 200, empty body: PSSO_ERR_LOGIN_RESPONSE_EMPTY, as macOS words it', async () => {
    for (const e of [
      await refused(post(RECORDED.twocanoes200Empty), 'PSSO_ERR_LOGIN_RESPONSE_EMPTY'),
      await judge(RECORDED.twocanoes200Empty),
    ]) {
      assert.equal(e.code, 'PSSO_ERR_LOGIN_RESPONSE_EMPTY');
      assert.equal(e.message, 'Failed to parse login response.');
    }
  });
});

describe('a success carrying every tolerated oddity', () => {
  test('96-byte IV, epk use/kid/iat, string lifetimes, padded std-b64 id_token kid', async () => {
    const idToken = await new SignJWT({ nonce: NONCE, sub: 'liz@twocanoes.com' })
      .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'JWT' })
      .setIssuer('https://idp.example.com')
      .setAudience('psso')
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 3600)
      .sign(idTokenKey.privateKey);
    const jwe = oddLoginResponse(
      {
        id_token: idToken,
        refresh_token: 'rt-1',
        token_type: 'Bearer',
        expires_in: '3600',
        refresh_token_expires_in: '86400',
      },
      {
        deviceEncryptionPublicKey: keys.encryption.publicKey,
        apv: APV,
        ivBytes: 96,
        epkExtras: { use: 'enc', kid: 'eph', iat: NOW },
      },
    );
    const { response, idTokenClaims } = await post({
      status: 200,
      headers: { 'content-type': `${LOGIN_TYPE}; charset=utf-8` },
      body: jwe,
    });
    assert.equal(idTokenClaims.sub, 'liz@twocanoes.com');
    assert.equal(response.expiresIn, 3600);
    assert.equal(response.refreshTokenExpiresIn, 86400);
    assert.equal(response.refreshToken, 'rt-1');
  });
});
