import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { LoginError, PredicateError } from '../../../src/errors.ts';
import { closeHttpAgents } from '../../../src/http/agents.ts';
import { parseLoginConfiguration } from '../../../src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../../src/psso/config/types.ts';
import { encodeComponent } from '../../../src/psso/flow/form.ts';
import {
  fetchServerNonce,
  nonceRequest,
  processNonceResponse,
} from '../../../src/psso/flow/nonce.ts';
import {
  preauthenticate,
  preauthenticationRequest,
  processPreauthenticationResponse,
} from '../../../src/psso/flow/preauth.ts';
import { startTestIdp, type TestIdp } from '../../e2e/support.ts';

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
const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('server nonce request and response (recorded bytes)', () => {
  test('grant_type=srv_challenge then the custom values, form-encoded, with Accept and client-request-id', () => {
    const r = nonceRequest(
      config({ customNonceRequestValues: [{ name: 'x-ak-device-token', value: 'a+b&c=d' }] }),
      REQ,
    );
    assert.equal(r.body, 'grant_type=srv_challenge&x-ak-device-token=a%2Bb%26c%3Dd');
    assert.deepEqual(r.headers, {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'client-request-id': REQ,
    });
    assert.equal(
      r.url.href,
      'https://idp.example.com/psso/token',
      'the nonce endpoint defaults to the token endpoint',
    );
  });
  test('the nonce at the key path, else at Nonce', () => {
    assert.equal(processNonceResponse(config(), 200, bytes({ Nonce: 'AwAB' })), 'AwAB');
    assert.equal(
      processNonceResponse(
        config({ nonceResponseKeypath: 'data.nonce' }),
        201,
        bytes({ data: { nonce: 'n1' } }),
      ),
      'n1',
    );
    assert.equal(
      processNonceResponse(
        config({ nonceResponseKeypath: 'nonce' }),
        200,
        bytes({ Nonce: 'fallback' }),
      ),
      'fallback',
    );
  });
  for (const [name, status, body] of [
    ['a non-2xx status', 500, bytes({ Nonce: 'x' })],
    ['not JSON', 200, bytes('<html>')],
    ['a JSON array', 200, bytes([1])],
    ['no nonce', 200, bytes({ nonce: 1 })],
  ] as const) {
    test(`${name} is PSSO_ERR_NONCE_RESPONSE`, () => {
      assert.throws(
        () => processNonceResponse(config(), status, body),
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
      const nonce = await fetchServerNonce(config({ nonceEndpointURL: url }), REQ, {
        dangerouslyAllowHttpLoopback: true,
      });
      assert.equal(nonce, `${REQ}|grant_type=srv_challenge`);
    } finally {
      server.close();
    }
  });
});

describe('preauthentication (recorded bytes)', () => {
  test('the configured query first, then user, then the custom values; + and @ kept as macOS keeps them', () => {
    const r = preauthenticationRequest(
      config({
        customFederationUserPreauthenticationRequestValues: [
          { name: 'checkForMicrosoftAccount', value: 'false' },
        ],
      }),
      'bob+tag@federated.example',
      REQ,
    );
    assert.equal(
      r.url.search,
      '?api-version=1.0&user=bob%2Btag@federated.example&checkForMicrosoftAccount=false',
    );
    assert.deepEqual(r.headers, { accept: 'application/json', 'client-request-id': REQ });
    assert.equal(encodeComponent('urn:a/b?c@d'), 'urn:a/b?c@d');
  });
  test('federated: the MEX URL at the key path', () => {
    const r = processPreauthenticationResponse(
      config({ federationMEXURLKeypath: 'fed.mex' }),
      200,
      bytes({ account_type: 'Federated', fed: { mex: 'https://sts.example.com/mex' } }),
    );
    assert.deepEqual(r, { federated: true, mexUrl: new URL('https://sts.example.com/mex') });
  });
  test('federated: federation_metadata_url when the key path yields nothing', () => {
    const r = processPreauthenticationResponse(
      config({ federationMEXURLKeypath: 'missing' }),
      200,
      bytes({ account_type: 'Federated', federation_metadata_url: 'https://sts.example.com/mex' }),
    );
    assert.equal(r.federated && r.mexUrl.href, 'https://sts.example.com/mex');
  });
  test('not federated (MSAL’s lowercase mock does not match the case-sensitive predicate)', () => {
    assert.deepEqual(
      processPreauthenticationResponse(config(), 200, bytes({ account_type: 'federated' })),
      { federated: false },
    );
    assert.deepEqual(
      processPreauthenticationResponse(config(), 200, bytes({ account_type: 'Managed' })),
      { federated: false },
    );
  });
  for (const [name, status, body, code] of [
    ['a non-2xx status', 404, bytes({}), 'PSSO_ERR_PREAUTH_RESPONSE'],
    ['not JSON', 200, bytes('nope'), 'PSSO_ERR_PREAUTH_RESPONSE'],
    [
      'federated without a MEX URL',
      200,
      bytes({ account_type: 'Federated' }),
      'PSSO_ERR_PREAUTH_RESPONSE',
    ],
    [
      'a MEX URL that is not a URL',
      200,
      bytes({ account_type: 'Federated', federation_metadata_url: 'not a url' }),
      'PSSO_ERR_PREAUTH_RESPONSE',
    ],
  ] as const) {
    test(`${name}: ${code}`, () => {
      assert.throws(
        () => processPreauthenticationResponse(config(), status, body),
        (e) => e instanceof LoginError && e.code === code,
      );
    });
  }
  test('a predicate that cannot be evaluated fails the login', () => {
    assert.throws(
      () =>
        processPreauthenticationResponse(
          config({ federationPredicate: "account_type BEGINSWITH 'F'" }),
          200,
          bytes({ account_type: 7 }),
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
    const fed = await preauthenticate(c, 'alice@federated.example', REQ, { ca: idp.caPem });
    assert.equal(fed.federated && fed.mexUrl.href, idp.mexUrl);
    assert.deepEqual(await preauthenticate(c, 'bob@managed.example', REQ, { ca: idp.caPem }), {
      federated: false,
    });
  });
});
