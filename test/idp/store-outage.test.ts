/**
 * Every endpoint of the IdP, wired as `startIdp` wires it over a real SQLite database, once that
 * database cannot answer: a store failure is a 5xx (503 `temporarily_unavailable` with Retry-After
 * for the JSON endpoints, a Receiver fault at the STS), never a credential failure.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../../packages/idp/src/app.ts';
import type { Logger } from '../../packages/idp/src/log.ts';
import { Metrics } from '../../packages/idp/src/metrics.ts';
import { STS_PATHS } from '../../packages/idp/src/mex-document.ts';
import { loadOrCreatePki } from '../../packages/idp/src/pki.ts';
import { loadOrCreateAdminToken } from '../../packages/idp/src/psso/admin-token.ts';
import { idTokenKey } from '../../packages/idp/src/psso/keys.ts';
import { ServerNonces } from '../../packages/idp/src/psso/server-nonce.ts';
import { discoveryRoutes } from '../../packages/idp/src/routes/discovery.ts';
import { pssoRoutes } from '../../packages/idp/src/routes/psso.ts';
import { stsRoutes } from '../../packages/idp/src/routes/sts.ts';
import { issueAssertion, unsignedAssertion } from '../../packages/idp/src/saml/index.ts';
import { MemoryReplayCache } from '../../packages/idp/src/state/memory/replay.ts';
import { consumedNonces } from '../../packages/idp/src/state/nonces.ts';
import { openIdpState } from '../../packages/idp/src/state/open.ts';
import type { IdpState } from '../../packages/idp/src/state/types.ts';
import { WsTrustFaultError } from '../../packages/psso-wstrust/src/errors.ts';
import { buildLoginJwt, loginRequestBody } from '../../packages/psso-wstrust/src/jose/login-jwt.ts';
import { WSTRUST13 } from '../../packages/psso-wstrust/src/protocol/wstrust.ts';
import {
  generateDeviceKeys,
  publicJwk,
} from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { buildRequestSecurityToken } from '../../packages/psso-wstrust/src/wstrust/rst.ts';
import { readSecurityTokenResponse } from '../../packages/psso-wstrust/src/wstrust/rstr.ts';
import { tempDataDir } from '../e2e/support.ts';
import { storePasswordCheck } from '../helpers/password-check.ts';

const ORIGIN = 'https://idp.test';
const URN = 'urn:federation:MicrosoftOnline';
const lines: { level: string; event: string; fields?: Record<string, unknown> }[] = [];
const log: Logger = {
  log(level, event, fields) {
    lines.push({ level, event, ...(fields === undefined ? {} : { fields }) });
  },
};
let app: FastifyInstance;
let store: IdpState;
let adminFile = '';
const keys = generateDeviceKeys();

before(async () => {
  const dir = tempDataDir();
  const pki = await loadOrCreatePki(dir);
  store = await openIdpState({ dataDir: dir });
  await store.users.add('bob@managed.example', 'bob password');
  await store.devices.add(
    'psso',
    publicJwk(keys.signing.publicKey),
    publicJwk(keys.encryption.publicKey),
  );
  const metrics = new Metrics();
  app = createApp(
    {
      tls: { key: pki.tlsKeyPem, cert: pki.tlsCertPem },
      maxBodyBytes: 64 * 1024,
      requestTimeoutMs: 10_000,
      healthy: () => store.ping(),
    },
    metrics,
    log,
  );
  const replay = new MemoryReplayCache();
  const signing = { privateKey: pki.signingKey, certificateDer: pki.signingCertDer };
  stsRoutes(
    app,
    {
      passwords: storePasswordCheck(store.users, { lockout: store.lockout }),
      relyingParty: (id) => store.relyingParties.get(id),
      issueAssertion: (p) => issueAssertion(p, signing),
      unsignedAssertion: (p) => unsignedAssertion(p),
      replay,
    },
    {
      issuer: `${ORIGIN}/adfs/services/trust`,
      tokenLifetimeMs: 3600_000,
      freshness: { windowMs: 300_000, skewMs: 120_000, strict: false },
      maxBodyBytes: 64 * 1024,
      faults: {},
      clock: () => new Date(),
    },
    metrics,
    log,
  );
  const nonces = new ServerNonces({ key: randomBytes(32), consumed: consumedNonces(replay) });
  const idKey = await idTokenKey(pki.signingKey);
  const admin = await loadOrCreateAdminToken(dir);
  adminFile = admin.file;
  pssoRoutes(
    app,
    {
      device: (kid) => store.devices.get(kid),
      nonces,
      user: (upn) => store.users.get(upn),
      passwords: storePasswordCheck(store.users, { lockout: store.lockout }),
      isFederated: () => false,
      replay,
      refreshTokens: store.refreshTokens,
      idTokenKey: idKey,
      saml: { trustedCertificates: [pki.signingCertPem], trustedIssuers: () => [], audience: URN },
      issuer: () => ORIGIN,
      endpoint: () => `${ORIGIN}/psso/token`,
      clock: () => new Date(),
      skewSeconds: 120,
    },
    idKey,
    metrics,
    log,
    admin,
    store.devices,
  );
  discoveryRoutes(
    app,
    {
      federatedDomains: ['federated.example'],
      managedDomains: ['managed.example'],
      mexUrl: `${ORIGIN}${STS_PATHS.mex}`,
      activeAuthUrl: `${ORIGIN}${STS_PATHS.usernamemixed2005}`,
      cloudAudienceUrn: URN,
      cloudInstanceName: 'login.microsoftonline.com',
    },
    () => '<mex/>',
  );
  await app.ready();
});
after(async () => {
  await app.close();
  await store.close();
});

function temporarilyUnavailable(r: {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}) {
  assert.equal(r.statusCode, 503, r.body);
  assert.equal(JSON.parse(r.body).error, 'temporarily_unavailable');
  assert.match(String(r.headers['retry-after']), /^[1-9]\d*$/);
}

describe('the SQLite database cannot answer: every endpoint says so (5xx), none says "bad credentials"', () => {
  let tokenForm = '';
  let rst = { body: '', messageId: '' };
  before(async () => {
    // Everything a client needs is obtained while the database still answers.
    const nonce = JSON.parse(
      (
        await app.inject({
          method: 'POST',
          url: '/psso/nonce',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'grant_type=srv_challenge',
        })
      ).body,
    ).Nonce as string;
    tokenForm = loginRequestBody(
      await buildLoginJwt({
        signingKey: keys.signing.privateKey,
        encryptionPublicKey: keys.encryption.publicKey,
        clientId: 'psso',
        username: 'bob@managed.example',
        tokenEndpoint: `${ORIGIN}/psso/token`,
        nonce: 'CONTEXT',
        serverNonce: nonce,
        scope: 'openid',
        password: 'bob password',
      }),
    );
    rst = buildRequestSecurityToken({
      endpoint: {
        version: '1.3',
        address: `${ORIGIN}${STS_PATHS.usernamemixed13}`,
        soapAction: WSTRUST13.issueAction,
      },
      appliesTo: URN,
      username: 'bob@managed.example',
      password: 'bob password',
    });
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    await store.close();
  });

  test('POST /psso/nonce: still answers (a sealed nonce needs no store)', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/psso/nonce',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=srv_challenge',
    });
    assert.equal(r.statusCode, 200);
    assert.equal(typeof JSON.parse(r.body).Nonce, 'string');
  });
  test('POST /psso/token: 503 temporarily_unavailable with Retry-After, logged as an error', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/psso/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: tokenForm,
    });
    temporarilyUnavailable(r);
    assert.equal(r.headers['cache-control'], 'no-store');
    const line = lines.find((l) => l.event === 'psso.token.refused');
    assert.equal(line?.level, 'error');
    assert.equal(line?.fields?.reason, 'store-unavailable');
  });
  test('POST /psso/devices (admin): 503 temporarily_unavailable', async () => {
    const { readFileSync } = await import('node:fs');
    const other = generateDeviceKeys();
    temporarilyUnavailable(
      await app.inject({
        method: 'POST',
        url: '/psso/devices',
        headers: { authorization: `Bearer ${readFileSync(adminFile, 'utf8').trim()}` },
        payload: {
          clientId: 'psso',
          signingJwk: publicJwk(other.signing.publicKey),
          encryptionJwk: publicJwk(other.encryption.publicKey),
        },
      }),
    );
  });
  test('the STS: a Receiver fault with RelatesTo, not FailedAuthentication', async () => {
    const r = await app.inject({
      method: 'POST',
      url: STS_PATHS.usernamemixed13,
      headers: { 'content-type': 'application/soap+xml; charset=utf-8' },
      payload: rst.body,
    });
    assert.equal(r.statusCode, 500);
    assert.throws(
      () => readSecurityTokenResponse(r.body, { version: '1.3', messageId: rst.messageId }),
      (e) =>
        e instanceof WsTrustFaultError &&
        e.faultCode === 's:Receiver' &&
        e.subcode !== 'wsse:FailedAuthentication',
    );
    assert.ok(
      lines.some((l) => l.event === 'sts.refused' && l.fields?.reason === 'store-unavailable'),
    );
  });
  test('/healthz: 503 unavailable', async () => {
    const r = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(r.statusCode, 503);
    assert.equal(JSON.parse(r.body).status, 'unavailable');
  });
  test('the user realm and MEX need no store and still answer 200', async () => {
    assert.equal(
      (await app.inject({ method: 'GET', url: '/common/userrealm/bob@managed.example' }))
        .statusCode,
      200,
    );
    assert.equal((await app.inject({ method: 'GET', url: STS_PATHS.mex })).statusCode, 200);
  });
});
