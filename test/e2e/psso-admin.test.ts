import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { issueAssertion } from '../../packages/idp/src/saml/index.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import { parseLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/types.ts';
import { pssoLogin, pssoRefresh } from '../../packages/psso-wstrust/src/psso/flow/login.ts';
import {
  generateDeviceKeys,
  publicJwk,
} from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { makeSigningMaterial } from '../helpers/signing.ts';
import { CONFIG, serverNonceFrom, startTestIdp, type TestIdp, tempDataDir } from './support.ts';

const keys = generateDeviceKeys();
let idp: TestIdp;
before(async () => {
  idp = await startTestIdp({ dataDir: tempDataDir(), config: CONFIG });
});
after(async () => {
  await idp.close();
  await closeHttpAgents();
});

const register = (authorization: string | undefined, body: unknown) =>
  httpRequest(
    {
      method: 'POST',
      url: `${idp.origin}/psso/devices`,
      headers: {
        'content-type': 'application/json',
        ...(authorization === undefined ? {} : { authorization }),
      },
      body: JSON.stringify(body),
    },
    { ca: idp.caPem },
  );
const device = {
  clientId: 'psso',
  signingJwk: publicJwk(keys.signing.publicKey),
  encryptionJwk: publicJwk(keys.encryption.publicKey),
};
const config = () =>
  resolveLoginConfiguration(
    parseLoginConfiguration({
      clientID: 'psso',
      issuer: idp.origin,
      tokenEndpointURL: `${idp.origin}/psso/token`,
      jwksEndpointURL: `${idp.origin}/psso/jwks`,
      nonceEndpointURL: `${idp.origin}/psso/nonce`,
      federationType: 'wsTrust',
      federationRequestURN: 'urn:federation:MicrosoftOnline',
      federationMEXURL: idp.mexUrl,
    }),
  );

describe('device registration over HTTP (admin token)', () => {
  test('no token or a wrong token: 401', async () => {
    assert.equal((await register(undefined, device)).status, 401);
    assert.equal((await register('Bearer wrong-token-wrong-token-wrong', device)).status, 401);
  });
  test('a private key instead of a public one: 400', async () => {
    const token = readFileSync(idp.adminTokenFile, 'utf8').trim();
    const bad = { ...device, signingJwk: keys.signing.privateKey.export({ format: 'jwk' }) };
    assert.equal((await register(`Bearer ${token}`, bad)).status, 400);
    // A point off the curve, an unknown algorithm: PSSO_ERR_IDP_REGISTRATION_INVALID → 400.
    const jwk = device.signingJwk as { x: string };
    const offCurve = { ...device, signingJwk: { ...device.signingJwk, y: jwk.x } };
    const answer = await register(`Bearer ${token}`, offCurve);
    assert.equal(answer.status, 400);
    assert.equal(JSON.parse(Buffer.from(answer.body).toString('utf8')).error, 'invalid_request');
    assert.equal(
      (await register(`Bearer ${token}`, { ...device, encryptionAlg: 'HPKE-NOPE' })).status,
      400,
    );
  });
  test('a JSON body that does not parse: 400 invalid_request (PSSO_ERR_IDP_REQUEST_INVALID)', async () => {
    const answer = await httpRequest(
      {
        method: 'POST',
        url: `${idp.origin}/psso/devices`,
        headers: { 'content-type': 'application/json' },
        body: '{"clientId": ',
      },
      { ca: idp.caPem },
    );
    assert.equal(answer.status, 400);
    assert.deepEqual(JSON.parse(Buffer.from(answer.body).toString('utf8')), {
      error: 'invalid_request',
    });
  });
  test('registered with the token, the device logs in; its refresh token survives an IdP restart', async () => {
    const token = readFileSync(idp.adminTokenFile, 'utf8').trim();
    const r = await register(`Bearer ${token}`, device);
    assert.equal(r.status, 201);
    assert.equal(
      (JSON.parse(Buffer.from(r.body).toString()) as { signingKid: string }).signingKid,
      keys.signing.kid,
    );
    const login = await pssoLogin({
      config: config(),
      username: idp.demoUser.upn,
      password: idp.password,
      keys,
      http: { ca: idp.caPem },
    });
    const dataDir = idp.dataDir;
    await idp.close();
    idp = await startTestIdp({ dataDir, config: CONFIG });
    const refreshed = await pssoRefresh({
      config: config(),
      keys,
      refreshToken: login.response.refreshToken,
      http: { ca: idp.caPem },
    });
    assert.equal(refreshed.idTokenClaims.sub, idp.demoUser.upn);
  });
  test('an assertion signed by another key (its certificate in KeyInfo) is refused at the token endpoint', async () => {
    const attacker = await makeSigningMaterial('CN=attacker');
    const now = new Date();
    const forged = issueAssertion(
      {
        samlVersion: '1.1',
        id: '_forged',
        issuer: `${idp.origin}/adfs/services/trust`,
        issueInstant: now,
        notBefore: now,
        notOnOrAfter: new Date(now.getTime() + 3600_000),
        audience: 'urn:federation:MicrosoftOnline',
        subject: idp.demoUser.upn,
        attributes: [],
        authnInstant: now,
      },
      attacker,
    );
    const { buildLoginJwt, loginRequestBody } = await import(
      '../../packages/psso-wstrust/src/jose/login-jwt.ts'
    );
    const nonce = await serverNonceFrom(idp);
    const jwt = await buildLoginJwt({
      signingKey: keys.signing.privateKey,
      encryptionPublicKey: keys.encryption.publicKey,
      clientId: 'psso',
      username: idp.demoUser.upn,
      tokenEndpoint: `${idp.origin}/psso/token`,
      nonce: 'N',
      serverNonce: nonce,
      scope: 'openid',
      samlAssertion: { xml: forged, version: '1.1' },
    });
    const r = await httpRequest(
      {
        method: 'POST',
        url: `${idp.origin}/psso/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: loginRequestBody(jwt),
      },
      { ca: idp.caPem },
    );
    assert.equal(r.status, 401);
    const metrics = Buffer.from(
      (await httpRequest({ method: 'GET', url: `${idp.origin}/metrics` }, { ca: idp.caPem })).body,
    ).toString();
    assert.match(
      metrics,
      /psso_idp_faults_total\{reason="psso-refused:PSSO_ERR_SAML_SIGNATURE"\} 1/,
    );
  });
});
