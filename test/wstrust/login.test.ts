import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  HttpError,
  PssoError,
  WsTrustError,
  WsTrustFaultError,
} from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/request.ts';
import { WSTRUST13, WSTRUST2005 } from '../../packages/psso-wstrust/src/protocol/wstrust.ts';
import {
  type WsTrustLoginEvent,
  wsTrustLogin,
} from '../../packages/psso-wstrust/src/wstrust/login.ts';
import { type StubSts, startStubSts } from '../helpers/stub-sts.ts';

let sts: StubSts;
before(async () => {
  sts = await startStubSts();
});
after(async () => {
  await sts.close();
  await closeHttpAgents();
});
beforeEach(() => {
  sts.requests.length = 0;
  sts.behaviour['13'] = { kind: 'ok' };
  sts.behaviour['2005'] = { kind: 'ok' };
  sts.behaviour.mex = 'ok';
});

type Extra = {
  -readonly [K in keyof Parameters<typeof wsTrustLogin>[0]]?:
    | Parameters<typeof wsTrustLogin>[0][K]
    | undefined;
};
const login = (extra: Extra = {}) =>
  wsTrustLogin({
    mexUrl: sts.mexUrl,
    federationRequestURN: 'urn:federation:MicrosoftOnline',
    username: 'alice@example.com',
    password: 'correct horse',
    http: { ca: sts.caPem, timeoutMs: 2000 },
    ...extra,
  } as Parameters<typeof wsTrustLogin>[0]);

describe('wsTrustLogin against a loopback https STS', () => {
  test('MEX then WS-Trust 1.3: a validated SAML 1.1 token; the requests look like macOS’s', async () => {
    const events: WsTrustLoginEvent[] = [];
    const { token, endpoint, mex } = await login({ onProgress: (e) => events.push(e) });
    assert.equal(endpoint.version, '1.3');
    assert.equal(endpoint.address, `${sts.origin}/adfs/services/trust/13/usernamemixed`);
    assert.equal(token.grantType, 'urn:ietf:params:oauth:grant-type:saml1_1-bearer');
    assert.equal(mex?.usernamePassword.length, 2);
    const [get, post] = sts.requests;
    assert.equal(get?.method, 'GET');
    assert.equal(get?.headers['content-type'], undefined, 'the MEX GET sends no Content-Type');
    assert.equal(post?.method, 'POST');
    assert.equal(post?.headers['content-type'], 'application/soap+xml; charset=utf-8');
    assert.equal(post?.headers.soapaction, WSTRUST13.issueAction);
    assert.ok(
      !JSON.stringify(events).includes('correct horse'),
      'progress events never carry the password',
    );
    assert.deepEqual(
      events.map((e) => `${e.step}:${e.phase}`),
      ['mex:start', 'mex:done', 'rst:start', 'rst:done'],
    );
  });

  test('the wss11 profile sends the version’s own SOAPAction and a Timestamp', async () => {
    sts.behaviour['13'] = { kind: 'status', status: 503 };
    await login({ profile: 'wss11' });
    const post2005 = sts.requests.at(-1);
    assert.equal(post2005?.headers.soapaction, WSTRUST2005.issueAction);
    assert.match(post2005?.body ?? '', /<u:Timestamp /);
  });

  for (const [name, behaviour] of [
    ['an HTTP 503', { kind: 'status', status: 503 }],
    ['a connection reset', { kind: 'reset' }],
    ['a timeout', { kind: 'hang' }],
  ] as const) {
    test(`1.3 failing with ${name} falls back to 2005 (macOS profile: still the 1.3 SOAPAction)`, async () => {
      sts.behaviour['13'] = behaviour;
      const { endpoint, token } = await login({ http: { ca: sts.caPem, timeoutMs: 500 } });
      assert.equal(endpoint.version, '2005');
      assert.equal(token.samlVersion, '1.1');
      assert.equal(sts.requests.at(-1)?.headers.soapaction, WSTRUST13.issueAction);
    });
  }

  test('a FailedAuthentication fault is not retried on 2005', async () => {
    sts.behaviour['13'] = { kind: 'fault', subcode: 'a:FailedAuthentication' };
    await assert.rejects(
      login(),
      (e) => e instanceof WsTrustFaultError && e.code === 'PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION',
    );
    assert.equal(sts.requests.filter((r) => r.method === 'POST').length, 1);
  });

  test('a wrong RelatesTo is refused (and not retried)', async () => {
    sts.behaviour['13'] = { kind: 'wrong-relates-to' };
    await assert.rejects(
      login(),
      (e) => e instanceof WsTrustError && e.code === 'PSSO_ERR_WSTRUST_RELATES_TO_MISMATCH',
    );
    assert.equal(sts.requests.filter((r) => r.method === 'POST').length, 1);
  });

  test('both endpoints down: the 2005 failure is reported', async () => {
    sts.behaviour['13'] = { kind: 'status', status: 503 };
    sts.behaviour['2005'] = { kind: 'status', status: 404 };
    await assert.rejects(
      login(),
      (e) => e instanceof HttpError && e.code === 'PSSO_ERR_HTTP_STATUS' && e.status === 404,
    );
  });

  test('a MEX redirect is refused', async () => {
    sts.behaviour.mex = 'redirect';
    await assert.rejects(
      login(),
      (e) => e instanceof HttpError && e.code === 'PSSO_ERR_HTTP_REDIRECT' && e.status === 302,
    );
  });

  test('without the STS’s CA the TLS handshake fails', async () => {
    await assert.rejects(
      login({ http: { timeoutMs: 2000 } }),
      (e) => e instanceof HttpError && e.code === 'PSSO_ERR_HTTP_NETWORK',
    );
  });

  test('an http MEX URL is refused before any connection', async () => {
    await assert.rejects(
      login({ mexUrl: sts.mexUrl.replace('https:', 'http:') }),
      (e) => e instanceof PssoError && e.code === 'PSSO_ERR_HTTP_INSECURE_URL',
    );
    assert.equal(sts.requests.length, 0);
  });

  test('a known endpoint skips MEX', async () => {
    const endpoint = {
      version: '2005',
      address: `${sts.origin}/adfs/services/trust/2005/usernamemixed`,
      soapAction: WSTRUST2005.issueAction,
    } as const;
    const r = await login({ mexUrl: undefined, endpoint });
    assert.equal(r.mex, undefined);
    assert.equal(sts.requests.length, 1);
  });

  test('options misuse is a TypeError', async () => {
    await assert.rejects(login({ federationRequestURN: '' }), TypeError);
    await assert.rejects(
      login({ endpoint: { version: '1.3', address: 'https://x', soapAction: '' } }),
      TypeError,
    );
  });
});
