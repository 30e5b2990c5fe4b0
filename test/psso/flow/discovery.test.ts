import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { LoginError, PredicateError } from '../../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../../packages/psso-wstrust/src/http/agents.ts';
import { parseLoginConfiguration } from '../../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../../packages/psso-wstrust/src/psso/config/types.ts';
import { encodeComponent } from '../../../packages/psso-wstrust/src/psso/flow/form.ts';
import {
  nonceRequest,
  processNonceResponse,
} from '../../../packages/psso-wstrust/src/psso/flow/nonce.ts';
import {
  preauthenticationRequest,
  processPreauthenticationResponse,
} from '../../../packages/psso-wstrust/src/psso/flow/preauth.ts';
import { startTestIdp, type TestIdp } from '../../e2e/support.ts';
import { capture, recorded } from '../../helpers/recorded.ts';

const REQ = 'A3F1C2D4-0000-4000-8000-000000000001';
const config = (extra: Record<string, unknown> = {}) =>
  resolveLoginConfiguration(
    parseLoginConfiguration(
      {
        clientID: 'psso',
        issuer: 'https://idp.example.com',
        tokenEndpointURL: 'https://idp.example.com/psso/token',
        jwksEndpointURL: 'https://idp.example.com/psso/jwks',
        federationType: 'dynamicWSTrust',
        federationRequestURN: 'urn:federation:MicrosoftOnline',
        federationUserPreauthenticationURL:
          'https://idp.example.com/common/UserRealm?api-version=1.0',
        federationMEXURLKeypath: 'federation_metadata_url',
        federationPredicate: "account_type = 'Federated'",
        ...extra,
      },
      { dangerouslyAllowHttpLoopback: true },
    ),
  );
const json = (status: number, v: unknown) =>
  recorded(status, typeof v === 'string' ? v : JSON.stringify(v));

describe('server nonce request and response (recorded bytes)', () => {
  test('grant_type=srv_challenge then the custom values, form-encoded, with Accept and client-request-id', async () => {
    const sent = capture(json(200, { Nonce: 'n' }));
    await nonceRequest(
      config({ customNonceRequestValues: [{ name: 'x-ak-device-token', value: 'a+b&c=d' }] }),
      REQ,
      { transport: sent.transport },
    );
    const r = sent.only();
    assert.equal(r.method, 'POST');
    assert.equal(r.body, 'grant_type=srv_challenge&x-ak-device-token=a%2Bb%26c%3Dd');
    assert.deepEqual(r.headers, {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'client-request-id': REQ,
    });
    assert.equal(
      String(r.url),
      'https://idp.example.com/psso/token',
      'the nonce endpoint defaults to the token endpoint',
    );
  });
  test('the nonce at the key path, else at Nonce', () => {
    assert.equal(processNonceResponse(json(200, { Nonce: 'AwAB' }), config()), 'AwAB');
    assert.equal(
      processNonceResponse(
        json(201, { data: { nonce: 'n1' } }),
        config({ nonceResponseKeypath: 'data.nonce' }),
      ),
      'n1',
    );
    assert.equal(
      processNonceResponse(
        json(200, { Nonce: 'fallback' }),
        config({ nonceResponseKeypath: 'nonce' }),
      ),
      'fallback',
    );
  });
  for (const [name, response] of [
    ['a non-2xx status', json(500, { Nonce: 'x' })],
    ['not JSON', json(200, '<html>')],
    ['a JSON array', json(200, [1])],
    ['no nonce', json(200, { nonce: 1 })],
  ] as const) {
    test(`${name} is PSSO_ERR_NONCE_RESPONSE`, () => {
      assert.throws(
        () => processNonceResponse(response, config()),
        (e) => e instanceof LoginError && e.code === 'PSSO_ERR_NONCE_RESPONSE',
      );
    });
  }
  test('against a loopback server', async () => {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () =>
        res.end(JSON.stringify({ Nonce: `${req.headers['client-request-id']}|${body}` })),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/nonce`;
    try {
      const c = config({ nonceEndpointURL: url });
      const nonce = processNonceResponse(
        await nonceRequest(c, REQ, { dangerouslyAllowHttpLoopback: true }),
        c,
      );
      assert.equal(nonce, `${REQ}|grant_type=srv_challenge`);
    } finally {
      server.close();
    }
  });
});

describe('preauthentication (recorded bytes)', () => {
  test('the configured query first, then user, then the custom values; + and @ kept as macOS keeps them', async () => {
    const sent = capture(json(200, {}));
    await preauthenticationRequest(
      config({
        customFederationUserPreauthenticationRequestValues: [
          { name: 'checkForMicrosoftAccount', value: 'false' },
        ],
      }),
      'bob+tag@federated.example',
      REQ,
      { transport: sent.transport },
    );
    const r = sent.only();
    assert.equal(r.method, 'GET');
    assert.equal(r.body, undefined);
    assert.equal(
      new URL(String(r.url)).search,
      '?api-version=1.0&user=bob%2Btag@federated.example&checkForMicrosoftAccount=false',
    );
    assert.deepEqual(r.headers, { accept: 'application/json', 'client-request-id': REQ });
    assert.equal(encodeComponent('urn:a/b?c@d'), 'urn:a/b?c@d');
  });
  test('federated: the MEX URL at the key path', () => {
    const r = processPreauthenticationResponse(
      json(200, { account_type: 'Federated', fed: { mex: 'https://sts.example.com/mex' } }),
      config({ federationMEXURLKeypath: 'fed.mex' }),
    );
    assert.deepEqual(r, { federated: true, mexUrl: new URL('https://sts.example.com/mex') });
  });
  test('federated: federation_metadata_url when the key path yields nothing', () => {
    const r = processPreauthenticationResponse(
      json(200, {
        account_type: 'Federated',
        federation_metadata_url: 'https://sts.example.com/mex',
      }),
      config({ federationMEXURLKeypath: 'missing' }),
    );
    assert.equal(r.federated && r.mexUrl.href, 'https://sts.example.com/mex');
  });
  test('not federated (MSAL’s lowercase mock does not match the case-sensitive predicate)', () => {
    assert.deepEqual(
      processPreauthenticationResponse(json(200, { account_type: 'federated' }), config()),
      { federated: false },
    );
    assert.deepEqual(
      processPreauthenticationResponse(json(200, { account_type: 'Managed' }), config()),
      { federated: false },
    );
  });
  for (const [name, response, code] of [
    ['a non-2xx status', json(404, {}), 'PSSO_ERR_PREAUTH_RESPONSE'],
    ['not JSON', json(200, 'nope'), 'PSSO_ERR_PREAUTH_RESPONSE'],
    [
      'federated without a MEX URL',
      json(200, { account_type: 'Federated' }),
      'PSSO_ERR_PREAUTH_RESPONSE',
    ],
    [
      'a MEX URL that is not a URL',
      json(200, { account_type: 'Federated', federation_metadata_url: 'not a url' }),
      'PSSO_ERR_PREAUTH_RESPONSE',
    ],
  ] as const) {
    test(`${name}: ${code}`, () => {
      assert.throws(
        () => processPreauthenticationResponse(response, config()),
        (e) => e instanceof LoginError && e.code === code,
      );
    });
  }
  test('a predicate that cannot be evaluated fails the login', () => {
    assert.throws(
      () =>
        processPreauthenticationResponse(
          json(200, { account_type: 7 }),
          config({ federationPredicate: "account_type BEGINSWITH 'F'" }),
        ),
      (e) => e instanceof PredicateError && e.code === 'PSSO_ERR_PREDICATE_EVALUATION',
    );
  });
});

describe('preauthentication against the reference IdP', () => {
  let idp: TestIdp;
  before(async () => {
    idp = await startTestIdp();
  });
  after(async () => {
    await idp.close();
    await closeHttpAgents();
  });
  test('a federated user leads to the IdP’s MEX; a managed one to a password login', async () => {
    const c = config({
      federationUserPreauthenticationURL: `${idp.origin}/common/UserRealm?api-version=1.0`,
    });
    const realm = async (user: string) =>
      processPreauthenticationResponse(
        await preauthenticationRequest(c, user, REQ, { ca: idp.caPem }),
        c,
      );
    const fed = await realm('alice@federated.example');
    assert.equal(fed.federated && fed.mexUrl.href, idp.mexUrl);
    assert.deepEqual(await realm('bob@managed.example'), { federated: false });
  });
});
