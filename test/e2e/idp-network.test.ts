import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { certNamesOrigin } from '../../packages/idp/src/endpoints.ts';
import { silentLogger } from '../../packages/idp/src/log.ts';
import { type RunningIdp, startIdp } from '../../packages/idp/src/server.ts';
import { IdpError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { WSTRUST13 } from '../../packages/psso-wstrust/src/protocol/wstrust.ts';
import {
  processSecurityTokenResponse,
  securityTokenRequest,
} from '../../packages/psso-wstrust/src/wstrust/exchange.ts';
import { buildRequestSecurityToken } from '../../packages/psso-wstrust/src/wstrust/rst.ts';
import { CONFIG, tempDataDir, URN } from './support.ts';

const PUBLIC = 'https://idp.example.test:8443';

/**
 * GET `url` (on the public name) from the local listening port: the name resolves to 127.0.0.1,
 * TLS checks the certificate for the public name against `ca`.
 */
function getPublic(
  url: string,
  port: number,
  ca: string,
): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port,
        path: `${u.pathname}${u.search}`,
        ca,
        agent: false,
        lookup: (_host, options, callback) => {
          if ((options as { all?: boolean }).all === true)
            (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [
              { address: '127.0.0.1', family: 4 },
            ]);
          else (callback as (e: null, a: string, f: number) => void)(null, '127.0.0.1', 4);
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let idp: RunningIdp;
let password = '';
before(async () => {
  idp = await startIdp({
    dataDir: tempDataDir(),
    config: CONFIG,
    logger: silentLogger,
    publicUrl: `${PUBLIC}/`,
  });
  password = idp.demoUser.password ?? '';
});
after(async () => {
  await idp.close();
  await closeHttpAgents();
});

describe('--public-url: the origin advertised everywhere, listening unchanged', () => {
  test('every endpoint is under the public origin; the listening port is reported apart', () => {
    assert.equal(idp.origin, PUBLIC);
    assert.deepEqual(idp.endpoints, {
      mex: `${PUBLIC}/adfs/services/trust/mex`,
      userRealm: `${PUBLIC}/common/userrealm/`,
      sts13: `${PUBLIC}/adfs/services/trust/13/usernamemixed`,
      sts2005: `${PUBLIC}/adfs/services/trust/2005/usernamemixed`,
      pssoNonce: `${PUBLIC}/psso/nonce`,
      pssoToken: `${PUBLIC}/psso/token`,
      pssoJwks: `${PUBLIC}/psso/jwks`,
      pssoDevices: `${PUBLIC}/psso/devices`,
      pssoConfiguration: `${PUBLIC}/.well-known/psso-configuration`,
      userRealmPreauth: `${PUBLIC}/common/UserRealm?api-version=1.0`,
      health: `${PUBLIC}/healthz`,
      metrics: `${PUBLIC}/metrics`,
    });
    assert.equal(idp.mexUrl, idp.endpoints.mex);
    assert.ok(idp.port > 0 && idp.port !== 8443);
  });

  test('the generated certificate names the public host; a client trusting ca.pem reaches it by that name', async () => {
    const tls = new X509Certificate(
      (await import('node:fs')).readFileSync(idp.tlsCertFile, 'utf8'),
    );
    assert.equal(tls.checkHost('idp.example.test'), 'idp.example.test');
    const pem = tls.toString();
    assert.equal(certNamesOrigin(pem, PUBLIC), true);
    assert.equal(certNamesOrigin(pem, 'https://[::1]:9'), true);
    assert.equal(certNamesOrigin(pem, 'https://elsewhere.example.test'), false);
    const mex = await getPublic(idp.mexUrl, idp.port, idp.caPem);
    assert.equal(mex.status, 200);
    assert.ok(mex.text.includes(`<wsa10:Address>${PUBLIC}/adfs/services/trust/13/usernamemixed<`));
    assert.ok(!mex.text.includes('127.0.0.1'));
  });

  test('the user realm advertises the public MEX and STS URLs', async () => {
    const r = await getPublic(
      `${idp.endpoints.userRealm}alice@federated.example?api-version=1.0`,
      idp.port,
      idp.caPem,
    );
    const realm = JSON.parse(r.text) as Record<string, string>;
    assert.equal(realm.federation_metadata_url, idp.endpoints.mex);
    assert.equal(realm.federation_active_auth_url, idp.endpoints.sts2005);
  });

  test('the SAML issuer is under the public origin', async () => {
    const endpoint = {
      version: '1.3' as const,
      address: `https://127.0.0.1:${idp.port}/adfs/services/trust/13/usernamemixed`,
      soapAction: WSTRUST13.issueAction,
    };
    const rst = buildRequestSecurityToken({
      endpoint,
      appliesTo: URN,
      username: idp.demoUser.upn,
      password,
    });
    const token = processSecurityTokenResponse(
      await securityTokenRequest(endpoint, rst, { ca: idp.caPem }),
      {
        version: '1.3',
        messageId: rst.messageId,
        trustedSigningCertificates: [idp.signingCertPem],
      },
    );
    assert.ok(token.assertion.includes(`Issuer="${PUBLIC}/adfs/services/trust"`));
  });
});

test('a port in use is PSSO_ERR_IDP_PORT_IN_USE naming the port, not an internal error', async () => {
  await assert.rejects(
    startIdp({ dataDir: idp.dataDir, config: CONFIG, logger: silentLogger, port: idp.port }),
    (e: unknown) => {
      assert.ok(e instanceof IdpError, String(e));
      assert.equal(e.code, 'PSSO_ERR_IDP_PORT_IN_USE');
      assert.match(
        e.message,
        new RegExp(`port ${idp.port} on 127\\.0\\.0\\.1 is in use.*--port 0`),
      );
      return true;
    },
  );
});

test('--public-url that is not an https origin is refused', async () => {
  for (const bad of [
    'http://idp.example.test',
    'https://idp.example.test/adfs',
    'https://u:p@x.test',
    'https://x.test/?a=1',
    'idp.example.test',
  ])
    await assert.rejects(
      startIdp({ dataDir: idp.dataDir, logger: silentLogger, publicUrl: bad }),
      TypeError,
      bad,
    );
});
