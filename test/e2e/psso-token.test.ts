import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { loadOrCreateNonceKey, ServerNonces } from '../../packages/idp/src/psso/server-nonce.ts';
import { MemoryReplayCache } from '../../packages/idp/src/state/memory/replay.ts';
import { consumedNonces } from '../../packages/idp/src/state/nonces.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import { verifyIdToken } from '../../packages/psso-wstrust/src/jose/id-token.ts';
import {
  buildLoginJwt,
  buildRefreshJwt,
  loginRequestBody,
} from '../../packages/psso-wstrust/src/jose/login-jwt.ts';
import { decryptLoginResponse } from '../../packages/psso-wstrust/src/jose/login-response.ts';
import { loginApv } from '../../packages/psso-wstrust/src/jose/party-info.ts';
import {
  generateDeviceKeys,
  publicJwk,
} from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { wsTrustLogin } from '../../packages/psso-wstrust/src/wstrust/login.ts';
import { endpointOf, enrol, serverNonceFrom, startTestIdp, type TestIdp, URN } from './support.ts';

const SCOPE = 'openid offline_access urn:apple:platformsso';
const keys = generateDeviceKeys();
const MANAGED = { upn: 'bob@managed.example', password: 'bob & <pw> $&' };
let idp: TestIdp;
let tokenEndpoint = '';

before(async () => {
  idp = await startTestIdp();
  tokenEndpoint = `${idp.origin}/psso/token`;
  await enrol(idp.dataDir, keys, MANAGED);
});
after(async () => {
  await idp.close();
  await closeHttpAgents();
});

const serverNonce = () => serverNonceFrom(idp);

async function samlAssertion(): Promise<string> {
  const r = await wsTrustLogin({
    endpoint: endpointOf(idp, '1.3'),
    federationRequestURN: URN,
    username: idp.demoUser.upn,
    password: idp.password,
    http: { ca: idp.caPem },
  });
  return r.token.assertion;
}

interface Attempt {
  username?: string;
  saml?: string;
  password?: string;
  nonce?: string;
  signingKey?: KeyObject;
  kid?: string;
  audience?: string;
  now?: number;
  jwt?: string;
}

async function post(jwt: string) {
  const r = await httpRequest(
    {
      method: 'POST',
      url: tokenEndpoint,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/platformsso-login-response+jwt',
      },
      body: loginRequestBody(jwt),
    },
    { ca: idp.caPem },
  );
  return {
    status: r.status,
    type: r.headers['content-type'] ?? '',
    text: Buffer.from(r.body).toString('utf8'),
  };
}

async function login(a: Attempt) {
  const contextNonce = randomUUID().toUpperCase();
  const jwt =
    a.jwt ??
    (await buildLoginJwt({
      signingKey: a.signingKey ?? keys.signing.privateKey,
      ...(a.kid === undefined ? {} : { kid: a.kid }),
      encryptionPublicKey: keys.encryption.publicKey,
      clientId: 'psso',
      username: a.username ?? idp.demoUser.upn,
      tokenEndpoint: a.audience ?? tokenEndpoint,
      nonce: contextNonce,
      serverNonce: a.nonce ?? (await serverNonce()),
      scope: SCOPE,
      ...(a.now === undefined ? {} : { now: a.now }),
      ...(a.password !== undefined
        ? { password: a.password }
        : {
            samlAssertion: { xml: a.saml ?? (await samlAssertion()), version: '1.1' as const },
          }),
    }));
  return { ...(await post(jwt)), contextNonce };
}

async function tokens(r: { status: number; text: string; contextNonce: string }) {
  assert.equal(r.status, 200, r.text);
  const response = await decryptLoginResponse(r.text, {
    encryptionPrivateKey: keys.encryption.privateKey,
    apv: loginApv(keys.encryption.publicKey, r.contextNonce).base64url,
  });
  const jwks = JSON.parse(
    Buffer.from(
      (await httpRequest({ method: 'GET', url: `${idp.origin}/psso/jwks` }, { ca: idp.caPem }))
        .body,
    ).toString(),
  );
  const { payload } = await verifyIdToken(response.idToken, {
    jwks,
    issuer: idp.origin,
    clientId: 'psso',
    nonce: r.contextNonce,
  });
  return { response, payload };
}

function refusedWith(r: { status: number; text: string }, device: boolean): void {
  assert.equal(r.status, 401, r.text);
  const body = JSON.parse(r.text) as { error: string; suberror?: string };
  assert.equal(body.error, 'invalid_grant');
  assert.equal(body.suberror, device ? 'device_authentication_failed' : undefined);
}

describe('Platform SSO token endpoint of the reference IdP', () => {
  test('a federated login: WS-Trust SAML 1.1 assertion in the login JWT → encrypted tokens, id_token verified', async () => {
    const r = await login({});
    assert.match(r.type, /^application\/platformsso-login-response\+jwt/);
    const { response, payload } = await tokens(r);
    assert.equal(payload.sub, idp.demoUser.upn);
    assert.equal(response.tokenType, 'Bearer');
    assert.ok(response.refreshToken.length > 20);
  });
  test('a managed password login', async () => {
    const { payload } = await tokens(
      await login({ username: MANAGED.upn, password: MANAGED.password }),
    );
    assert.equal(payload.sub, MANAGED.upn);
  });
  test('refresh: the refresh token works once (rotation)', async () => {
    const { response } = await tokens(await login({}));
    const refresh = async () => {
      const contextNonce = randomUUID().toUpperCase();
      const jwt = await buildRefreshJwt({
        signingKey: keys.signing.privateKey,
        encryptionPublicKey: keys.encryption.publicKey,
        clientId: 'psso',
        refreshEndpoint: tokenEndpoint,
        refreshToken: response.refreshToken,
        nonce: contextNonce,
        serverNonce: await serverNonce(),
        scope: SCOPE,
      });
      return { ...(await post(jwt)), contextNonce };
    };
    const first = await refresh();
    assert.equal((await tokens(first)).payload.sub, idp.demoUser.upn);
    const reused = async () => {
      const text = Buffer.from(
        (await httpRequest({ method: 'GET', url: `${idp.origin}/metrics` }, { ca: idp.caPem }))
          .body,
      ).toString();
      const m = /psso_idp_faults_total\{reason="psso-refresh-token-reuse"\} (\d+)/.exec(text);
      return m === null ? 0 : Number(m[1]);
    };
    const before = await reused();
    refusedWith(await refresh(), false);
    // A rotated token presented again is counted as refresh-token reuse (its family is revoked).
    assert.equal(await reused(), before + 1);
  });
  test('wrong password: invalid_grant without the device suberror (a credential error to re-prompt)', async () => {
    refusedWith(await login({ username: MANAGED.upn, password: 'wrong' }), false);
  });
  test('a password login for a federated user is refused', async () => {
    refusedWith(await login({ password: idp.password }), false);
  });
  test('replayed server nonce', async () => {
    const nonce = await serverNonce();
    const saml = await samlAssertion();
    assert.equal((await login({ nonce, saml })).status, 200);
    refusedWith(await login({ nonce, saml: await samlAssertion() }), true);
  });
  test('unknown server nonce', async () => refusedWith(await login({ nonce: 'made-up' }), true));
  test('forged and expired server nonces: refused as device failures, each with its outcome label', async () => {
    const replay = new MemoryReplayCache();
    const sealer = (key: Buffer, at: number) =>
      new ServerNonces({
        key,
        consumed: consumedNonces(replay),
        clock: () => new Date(at),
      }).issue();
    const count = (label: string) =>
      Number(idp.metrics.render().match(new RegExp(`reason="${label}"\\} (\\d+)`))?.[1] ?? 0);
    const cases: Array<[string, string]> = [
      ['psso-server-nonce-forged', sealer(randomBytes(32), Date.now())],
      [
        'psso-server-nonce-expired',
        sealer(await loadOrCreateNonceKey(idp.dataDir), Date.now() - 301_000),
      ],
      ['psso-server-nonce-malformed', 'made-up'],
    ];
    for (const [label, nonce] of cases) {
      const before = count(label);
      refusedWith(await login({ nonce }), true);
      assert.equal(count(label), before + 1, label);
    }
    await replay.close();
  });
  test('replayed assertion id', async () => {
    const saml = await samlAssertion();
    assert.equal((await login({ saml })).status, 200);
    refusedWith(await login({ saml }), false);
  });
  test('a valid assertion for the demo user inside a login JWT for bob', async () => {
    refusedWith(await login({ username: MANAGED.upn, saml: await samlAssertion() }), false);
  });
  test('unknown kid (an unregistered device)', async () => {
    const other = generateDeviceKeys();
    refusedWith(await login({ signingKey: other.signing.privateKey }), true);
  });
  test('bad JWT signature (another key under the registered kid)', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    refusedWith(await login({ signingKey: other.privateKey, kid: keys.signing.kid }), true);
  });
  test('expired JWT', async () =>
    refusedWith(await login({ now: Math.floor(Date.now() / 1000) - 3600 }), true));
  test('iat in the future', async () =>
    refusedWith(await login({ now: Math.floor(Date.now() / 1000) + 3600 }), true));
  test('wrong aud', async () =>
    refusedWith(await login({ audience: `${idp.origin}/other/token` }), true));
  test('JWT with alg none', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${b64({ alg: 'none', typ: 'platformsso-login-request+jwt', kid: keys.signing.kid })}.${b64({ iss: 'psso', aud: tokenEndpoint, grant_type: 'password', username: MANAGED.upn, password: MANAGED.password })}.`;
    refusedWith(await post(jwt), true);
  });
  test('JWT with HS256 keyed by the device public key', async () => {
    const { SignJWT } = await import('jose');
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk(keys.signing.publicKey)));
    const jwt = await new SignJWT({
      grant_type: 'password',
      username: MANAGED.upn,
      password: MANAGED.password,
    })
      .setProtectedHeader({
        alg: 'HS256',
        typ: 'platformsso-login-request+jwt',
        kid: keys.signing.kid,
      })
      .setIssuer('psso')
      .setAudience(tokenEndpoint)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(secret);
    refusedWith(await post(jwt), true);
  });
});
