import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { handleRst, type StsAnswer } from '../../../packages/idp/src/sts/handle.ts';
import { WsTrustFaultError } from '../../../packages/psso-wstrust/src/errors.ts';
import {
  WSTRUST13,
  WSTRUST2005,
  type WsTrustVersion,
} from '../../../packages/psso-wstrust/src/protocol/wstrust.ts';
import { readSecurityTokenResponse } from '../../../packages/psso-wstrust/src/wstrust/rstr.ts';
import { fakeDeps, NOW, settings, URN } from './fakes.ts';
import { rst, send } from './requests.ts';

function refused(
  answer: StsAnswer,
  label: string,
  messageId?: string,
  version: WsTrustVersion = '1.3',
): WsTrustFaultError {
  assert.equal(answer.status, 500);
  assert.equal(answer.outcome, label);
  assert.ok(!answer.body.includes('at '), 'no stack trace on the wire');
  try {
    readSecurityTokenResponse(answer.body, {
      version,
      now: NOW,
      ...(messageId === undefined ? {} : { messageId }),
    });
  } catch (e) {
    if (e instanceof WsTrustFaultError) return e;
    throw e;
  }
  assert.fail('expected a SOAP fault');
}

describe('STS pipeline: what clients send is accepted', () => {
  for (const version of ['1.3', '2005'] as const) {
    for (const profile of ['macos', 'wss11'] as const) {
      test(`WS-Trust ${version}, ${profile} profile: a token whose response our client validates`, async () => {
        const r = rst({ version, profile });
        const answer = await send(r.body, fakeDeps(), version);
        assert.equal(answer.status, 200, answer.detail);
        const token = readSecurityTokenResponse(answer.body, {
          version,
          messageId: r.messageId,
          now: NOW,
        });
        assert.equal(token.grantType, 'urn:ietf:params:oauth:grant-type:saml1_1-bearer');
        assert.equal(token.created?.toISOString(), NOW.toISOString());
        assert.equal(token.expires?.toISOString(), '2026-11-29T11:00:00.000Z');
      });
    }
  }
  test('a SAML 2.0 relying party gets a SAML 2.0 assertion and TokenType', async () => {
    const r = rst({ appliesTo: 'urn:saml2' });
    const token = readSecurityTokenResponse((await send(r.body)).body, {
      version: '1.3',
      messageId: r.messageId,
      now: NOW,
    });
    assert.equal(token.grantType, 'urn:ietf:params:oauth:grant-type:saml2-bearer');
  });
  test('the HTTP SOAPAction does not decide: the 2005 wsa:Action on the 2005 endpoint works whatever macOS put in SOAPAction', async () => {
    const r = rst({ version: '2005' });
    assert.equal(r.soapAction, WSTRUST13.issueAction);
    assert.equal((await send(r.body, fakeDeps(), '2005')).status, 200);
  });
  test('the issued assertion names the user and the AppliesTo, valid one hour', async () => {
    const deps = fakeDeps();
    await send(rst().body, deps);
    const p = deps.issued[0];
    assert.equal(p?.subject, 'alice@example.com');
    assert.equal(p?.audience, URN);
    assert.equal((p?.notOnOrAfter.getTime() ?? 0) - (p?.notBefore.getTime() ?? 0), 3600_000);
  });
});

describe('STS pipeline: one refusal per attack', () => {
  test('replayed-nonce: the same UsernameToken Nonce twice', async () => {
    const deps = fakeDeps();
    const body = rst({ profile: 'wss11' }).body;
    assert.equal((await send(body, deps)).status, 200);
    refused(await send(body, deps), 'replayed-nonce');
  });
  test('replayed-nonce under another spelling of the username (case, NFD, A-label)', async () => {
    const deps = fakeDeps({ 'zoë@bücher.example': 'pw' });
    const body = rst({ profile: 'wss11', username: 'zoë@bücher.example', password: 'pw' }).body;
    assert.ok(body.includes('>zoë@bücher.example<'));
    assert.equal((await send(body, deps)).status, 200);
    for (const other of ['ZOË@bücher.example'.normalize('NFD'), 'zoë@XN--BCHER-KVA.example'])
      refused(await send(body.replace('zoë@bücher.example', other), deps), 'replayed-nonce');
  });
  test('stale-created: a UsernameToken Created older than the freshness window', async () => {
    refused(
      await send(rst({ profile: 'wss11', now: new Date(NOW.getTime() - 301_000) }).body),
      'stale-created',
    );
  });
  test('future-created: a UsernameToken Created beyond the skew', async () => {
    refused(
      await send(rst({ profile: 'wss11', now: new Date(NOW.getTime() + 121_000) }).body),
      'timestamp-future',
    );
  });
  test('expires-before-created in the security Timestamp', async () => {
    const body = rst({ profile: 'wss11' }).body.replace(
      /<u:Expires>[^<]+</,
      '<u:Expires>2026-11-29T09:00:00.000Z<',
    );
    refused(await send(body), 'expires-before-created');
  });
  test('expired security Timestamp', async () => {
    const r = rst({ profile: 'wss11', now: new Date(NOW.getTime() - 290_000) });
    const body = r.body.replace(/<u:Expires>[^<]+</, '<u:Expires>2026-11-29T09:57:00.000Z<');
    refused(await send(body), 'timestamp-expired');
  });
  for (const [name, from, to] of [
    ['duplicate-timestamp', /(<u:Timestamp[\s\S]*?<\/u:Timestamp>)/, '$1$1'],
    ['duplicate-created', /(<u:Created>[^<]+<\/u:Created>)(<\/o:UsernameToken>)/, '$1$1$2'],
    ['duplicate-nonce', /(<o:Nonce [^>]+>[^<]+<\/o:Nonce>)/, '$1$1'],
    ['duplicate-password', /(<o:Password [^>]+>[^<]+<\/o:Password>)/, '$1$1'],
  ] as const) {
    test(`${name}: an element repeated in the Security header`, async () => {
      const body = rst({ profile: 'wss11' }).body.replace(from, to);
      assert.notEqual(body, rst({ profile: 'wss11' }).body);
      const answer = await send(body);
      assert.equal(answer.status, 500);
      assert.match(answer.outcome, /duplicate|count/);
    });
  }
  test('second-security-header', async () => {
    const r = rst();
    const body = r.body.replace(/(<o:Security[\s\S]*<\/o:Security>)/, '$1$1');
    refused(await send(body), 'security-header-count', r.messageId);
  });
  test('username-token-without-password', async () => {
    refused(
      await send(rst().body.replace(/<o:Password>[^<]*<\/o:Password>/, '')),
      'password-count',
    );
  });
  test('empty-username-token', async () => {
    refused(
      await send(
        rst().body.replace(
          /<o:UsernameToken([^>]*)>[\s\S]*<\/o:UsernameToken>/,
          '<o:UsernameToken$1></o:UsernameToken>',
        ),
      ),
      'username-count',
    );
  });
  test('empty-password', async () => {
    refused(
      await send(rst().body.replace(/<o:Password>[^<]*</, '<o:Password><')),
      'password-value',
    );
  });
  test('unknown-password-type', async () => {
    refused(
      await send(rst().body.replace('<o:Password>', '<o:Password Type="urn:example:hash">')),
      'password-type',
    );
  });
  test('password-digest', async () => {
    const f = refused(
      await send(
        rst().body.replace(
          '<o:Password>',
          '<o:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">',
        ),
      ),
      'password-digest',
    );
    assert.equal(f.subcode, 'wsse:UnsupportedSecurityToken');
  });
  test('must-understand: an unknown header block with mustUnderstand="1"', async () => {
    const r = rst();
    const f = refused(
      await send(
        r.body.replace(
          '<s:Header>',
          '<s:Header><x:Trace xmlns:x="urn:x" s:mustUnderstand="1">1</x:Trace>',
        ),
      ),
      'must-understand',
    );
    assert.equal(f.faultCode, 's:MustUnderstand');
  });
  test('an unknown header block without mustUnderstand is ignored', async () => {
    assert.equal(
      (
        await send(
          rst().body.replace('<s:Header>', '<s:Header><x:Trace xmlns:x="urn:x">1</x:Trace>'),
        )
      ).status,
      200,
    );
  });
  test('multiple-root-elements', async () => {
    refused(await send(`${rst().body}<extra/>`), 'malformed-xml');
  });
  test('billion-laughs', async () => {
    refused(
      await send(
        `<!DOCTYPE s [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>${rst().body.replace('alice@example.com', '&b;')}`,
      ),
      'doctype',
    );
  });
  test('xxe-local-file', async () => {
    const answer = await send(
      `<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>${rst().body.replace('alice@example.com', '&x;')}`,
    );
    refused(answer, 'doctype');
    assert.ok(!answer.body.includes('root:'));
  });
  test('soap-1.1-envelope: a VersionMismatch fault', async () => {
    const body = rst().body.replace(
      'http://www.w3.org/2003/05/soap-envelope',
      'http://schemas.xmlsoap.org/soap/envelope/',
    );
    const answer = await send(body);
    assert.equal(answer.outcome, 'soap11');
    assert.match(answer.body, /s:VersionMismatch/);
  });
  test('oversized-username (1 MB) is refused by the body limit', async () => {
    refused(await send(rst({ username: 'u'.repeat(1024 * 1024) }).body), 'too-large');
  });
  test('lockout: once locked, refused without checking the password, and indistinguishable from a wrong password', async () => {
    const deps = fakeDeps();
    const wrong = await send(rst({ password: 'nope' }).body, deps);
    refused(wrong, 'bad-credentials');
    await send(rst({ password: 'nope' }).body, deps);
    await send(rst({ password: 'nope' }).body, deps);
    const checks = deps.passwordChecks;
    const locked = await send(rst().body, deps);
    assert.equal(locked.outcome, 'locked-out');
    assert.equal(deps.passwordChecks, checks, 'the password was not checked');
    assert.equal(deps.burned, 1, 'the same work was spent');
    const strip = (b: string) =>
      b.replace(/urn:uuid:[0-9A-F-]+/g, '').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '');
    assert.equal(strip(locked.body), strip(wrong.body));
  });
  test('bad-credentials: wrong password and unknown user give the same fault text', async () => {
    const a = await send(rst({ password: 'nope' }).body);
    const b = await send(rst({ username: 'mallory@example.com' }).body);
    const fa = refused(a, 'bad-credentials');
    const fb = refused(b, 'bad-credentials');
    assert.deepEqual([fa.code, fa.subcode, fa.reason], [fb.code, fb.subcode, fb.reason]);
    assert.equal(fa.code, 'PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION');
  });
  test('unknown-applies-to: an AD FS-like RequestFailed fault', async () => {
    const f = refused(await send(rst({ appliesTo: 'urn:evil' }).body), 'unknown-relying-party');
    assert.equal(f.reason, 'MSIS3127: The specified request failed.');
  });
  test('requested-lifetime-of-a-year is ignored', async () => {
    const r = rst();
    const body = r.body.replace(
      '<trust:KeyType>',
      '<trust:Lifetime><u:Created>2026-11-29T10:00:00Z</u:Created><u:Expires>2027-11-29T10:00:00Z</u:Expires></trust:Lifetime><trust:KeyType>',
    );
    const t = readSecurityTokenResponse((await send(body)).body, {
      version: '1.3',
      messageId: r.messageId,
      now: NOW,
    });
    assert.equal(t.expires?.toISOString(), '2026-11-29T11:00:00.000Z');
  });
  test('2005-request-on-the-1.3-endpoint is refused', async () => {
    refused(await send(rst({ version: '2005' }).body, fakeDeps(), '1.3'), 'wrong-action');
  });
  test('1.3-request-on-the-2005-endpoint is refused', async () => {
    refused(
      await send(rst({ version: '1.3' }).body, fakeDeps(), '2005'),
      'wrong-action',
      undefined,
      '2005',
    );
  });
  test('a 2005 body under a 1.3 wsa:Action on the 1.3 endpoint is refused', async () => {
    const body = rst({ version: '2005' }).body.replace(
      WSTRUST2005.issueAction,
      WSTRUST13.issueAction,
    );
    refused(await send(body), 'rst-version');
  });
  test('replay-cache-full fails closed', async () => {
    refused(
      await send(rst({ profile: 'wss11' }).body, fakeDeps(undefined, true)),
      'store-unavailable',
    );
  });
  test('strict mode refuses what macOS sends, accepts wss11', async () => {
    const strict = settings({ freshness: { windowMs: 300_000, skewMs: 120_000, strict: true } });
    refused(await send(rst().body, fakeDeps(), '1.3', strict), 'strict-mode');
    assert.equal(
      (await send(rst({ profile: 'wss11' }).body, fakeDeps(), '1.3', strict)).status,
      200,
    );
  });
  for (const [problem, edit] of [
    ['missing', (b: string) => b.replace(/<a:MessageID>[^<]+<\/a:MessageID>/, '')],
    ['lowercase', (b: string) => b.replace(/a:MessageID>/g, 'a:messageID>')],
    ['repeated', (b: string) => b.replace(/(<a:MessageID>[^<]+<\/a:MessageID>)/, '$1$1')],
    ['invalid', (b: string) => b.replace(/<a:MessageID>[^<]+</, '<a:MessageID> <')],
  ] as const) {
    test(`MessageID ${problem}: served as AD FS serves it (token, no RelatesTo, a warning)`, async () => {
      const answer = await send(edit(rst().body));
      assert.equal(answer.status, 200, answer.detail);
      assert.equal(answer.outcome, 'issued');
      assert.equal(answer.warning, `message-id-${problem}`);
      assert.ok(!answer.body.includes('RelatesTo'));
    });
    test(`MessageID ${problem}, strict: refused, and the fault has no RelatesTo`, async () => {
      const answer = await send(edit(rst().body), fakeDeps(), '1.3', settings({ strict: true }));
      assert.equal(answer.outcome, 'message-id');
      assert.ok(!answer.body.includes('RelatesTo'));
    });
  }
  test('MessageID missing and a wrong password: the fault has no RelatesTo and still warns', async () => {
    const body = rst({ password: 'nope' }).body.replace(/<a:MessageID>[^<]+<\/a:MessageID>/, '');
    const answer = await send(body);
    assert.equal(answer.outcome, 'bad-credentials');
    assert.equal(answer.warning, 'message-id-missing');
    assert.ok(!answer.body.includes('RelatesTo'));
  });
  test('a valid MessageID: no warning, RelatesTo carries it', async () => {
    const r = rst();
    const answer = await send(r.body);
    assert.equal(answer.warning, undefined);
    assert.ok(answer.body.includes(`<a:RelatesTo>${r.messageId}</a:RelatesTo>`));
  });
  test('faults carry RelatesTo = the MessageID', async () => {
    const r = rst({ password: 'nope' });
    const answer = await send(r.body);
    assert.ok(answer.body.includes(`<a:RelatesTo>${r.messageId}</a:RelatesTo>`));
  });
  test('usernames with XML metacharacters, ]]> and <!-- reach the assertion unchanged', async () => {
    const upn = `o'brien&<x>"]]><!--@example.com`;
    const deps = fakeDeps({ [upn]: 'pw' });
    const r = rst({ username: upn, password: 'pw' });
    const answer = await send(r.body, deps);
    assert.equal(answer.status, 200, answer.detail);
    assert.equal(deps.issued[0]?.subject, upn);
  });
});

describe('STS pipeline: the shared password check', () => {
  test('past the bound: STS server-busy fault with Retry-After', async () => {
    const deps = fakeDeps(undefined, false, {
      queue: { concurrency: 1, queue: 1, perSource: 1 },
      checkMs: 30,
    });
    const s = settings();
    const call = (source: string) => handleRst(Buffer.from(rst().body), '1.3', deps, s, source);
    const [first, second] = await Promise.all([call('192.0.2.1'), call('192.0.2.1')]);
    assert.equal(first.outcome, 'issued');
    assert.equal(second.outcome, 'busy');
    assert.equal(second.status, 500, 'SOAP 1.2 HTTP binding: a Receiver fault is a 500');
    assert.ok((second.retryAfterSeconds ?? 0) >= 1);
    assert.match(second.body, /<s:Value>s:Receiver<\/s:Value>/);
    assert.match(
      second.body,
      /xmlns:wsa="http:\/\/www\.w3\.org\/2005\/08\/addressing">wsa:EndpointUnavailable</,
    );
    assert.match(second.body, /<s:Detail><a:RetryAfter>\d+000<\/a:RetryAfter><\/s:Detail>/);
    const f = refused(second, 'busy');
    assert.equal(f.faultCode, 's:Receiver');
    assert.match(f.subcode ?? '', /EndpointUnavailable/);
    assert.equal(deps.passwordChecks, 1, 'the refused request cost no password check');
  });

  test('locked out by source: another source that logged in before still gets a token', async () => {
    const deps = fakeDeps();
    const s = settings();
    const call = (password: string, source: string) =>
      handleRst(Buffer.from(rst({ password }).body), '1.3', deps, s, source);
    assert.equal((await call('correct horse', '127.0.0.2')).outcome, 'issued');
    for (let i = 0; i < 10; i++) await call('nope', '127.0.0.1');
    assert.equal((await call('correct horse', '127.0.0.1')).outcome, 'locked-out');
    assert.equal((await call('correct horse', '127.0.0.2')).outcome, 'issued');
  });
});
