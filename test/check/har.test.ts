import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromHar, REDACTED, redact, toHar } from '../../packages/psso-wstrust/src/check/har.ts';
import { redactBody } from '../../packages/psso-wstrust/src/check/redact.ts';
import type { RecordedExchange, RuleResult } from '../../packages/psso-wstrust/src/check/report.ts';
import { CheckError } from '../../packages/psso-wstrust/src/errors.ts';
import { parseXml } from '../../packages/psso-wstrust/src/xml/parse.ts';
import { escapeText } from '../../packages/psso-wstrust/src/xml/write.ts';
import { interopXmlFiles, readInterop } from '../helpers/interop.ts';
import { fixture } from './fixture.ts';
import { harProblems } from './har-spec.ts';

const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';

function exchange(body: string, contentType = 'application/soap+xml'): RecordedExchange {
  return {
    index: 0,
    step: 'rst',
    startedAt: '2026-12-01T05:00:00.000Z',
    durationMs: 1,
    request: {
      method: 'POST',
      url: 'https://sts.example.com/adfs/services/trust/13/usernamemixed',
      headers: [{ name: 'Content-Type', value: contentType }],
      body,
    },
    redacted: false,
  };
}

function rejects(text: string | Uint8Array, options?: Parameters<typeof fromHar>[1]): CheckError {
  try {
    fromHar(text, options);
  } catch (e) {
    assert.ok(e instanceof CheckError, `not a CheckError: ${String(e)}`);
    assert.equal(e.code, 'PSSO_ERR_CHECK_TRACE');
    return e;
  }
  assert.fail('fromHar accepted the trace');
}

test('HAR 1.2: a trace of a real run has every field the spec marks required', async () => {
  const { report } = await fixture();
  const har = JSON.parse(JSON.stringify(toHar(report)));
  assert.deepEqual(harProblems(har), []);
  assert.equal(har.log.version, '1.2');
  assert.deepEqual(har.log.creator, { name: 'psso-wstrust', version: '0.1.0' });
  assert.equal(har.log.entries.length, report.exchanges.length);
  const rst = har.log.entries[1];
  assert.equal(rst._step, 'rst');
  assert.equal(rst.request.postData.mimeType.split(';')[0], 'application/soap+xml');
  assert.equal(rst.response.status, 200);
  assert.equal(rst.response.statusText, 'OK');
  assert.match(rst.response.content.text, /Assertion/);
  assert.equal(rst._tls.protocol, 'TLSv1.3');
  const failed = har.log.entries[4];
  assert.equal(failed.response.status, 0);
  assert.equal(failed._error.code, 'PSSO_ERR_HTTP_NETWORK');
  assert.deepEqual(failed.request.queryString, [{ name: 'api-version', value: '1.0' }]);
  assert.equal(har.log._pssoCheck.rules.length, report.rules.length);
  assert.equal(har.log._pssoCheck.exchanges, undefined);
});

test('redacted trace: no password, WSSE nonce, assertion signature, server nonce, JWT signature or token', async () => {
  const { report, password, secrets } = await fixture();
  const text = JSON.stringify(toHar(report));
  for (const [name, secret] of Object.entries({ password, ...secrets })) {
    assert.ok(secret.length >= 8, `${name} was found in the fixture`);
    assert.ok(!text.includes(secret), `${name} leaked into the redacted trace`);
  }
  // Still useful: the assertion's claims and the JWT claims other than the secrets are readable.
  const har = JSON.parse(text);
  assert.ok(har.log.entries.every((e: { _redacted: boolean }) => e._redacted));
  const rstr = har.log.entries[1].response.content.text as string;
  assert.match(rstr, /urn:federation:MicrosoftOnline/);
  assert.match(rstr, /SignatureValue>\[REDACTED\]</);
  assert.match(har.log.entries[1].request.postData.text, /Password[^>]*>\[REDACTED\]</);
  const form = new URLSearchParams(har.log.entries[3].request.postData.text);
  const [header, payload, signature] = (form.get('assertion') ?? '').split('.');
  assert.equal(signature, REDACTED);
  assert.equal(JSON.parse(Buffer.from(header ?? '', 'base64url').toString()).alg, 'ES256');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
  assert.equal(claims.password, REDACTED);
  assert.equal(claims.request_nonce, REDACTED);
  assert.equal(claims.scope, 'openid offline_access');
  const tokens = JSON.parse(har.log.entries[3].response.content.text);
  assert.equal(tokens.token_type, 'Bearer');
  assert.equal(tokens.refresh_token, REDACTED);
  assert.equal(tokens.id_token.split('.')[2], REDACTED);
  const auth = har.log.entries[3].request.headers.find(
    (h: { name: string }) => h.name === 'authorization',
  );
  assert.equal(auth.value, `Bearer ${REDACTED}`);
  assert.equal(JSON.parse(har.log.entries[2].response.content.text).Nonce, REDACTED);
  assert.equal(har.log.comment, undefined);
});

test('--trace-secrets: the trace keeps every secret, and says so in the file', async () => {
  const { report, password, secrets } = await fixture();
  const har = toHar(report, { keepSecrets: true });
  const text = JSON.stringify(har);
  for (const [name, secret] of Object.entries({ password, ...secrets })) {
    assert.ok(text.includes(secret), `${name} is missing from a --trace-secrets trace`);
  }
  assert.match(har.log.comment ?? '', /holds secrets/);
  assert.ok(har.log.entries.every((e) => !e._redacted));
});

test('round trip: fromHar(toHar(report)) gives back the report and its exchanges exactly', async () => {
  const { report } = await fixture();
  const withSecrets = fromHar(JSON.stringify(toHar(report, { keepSecrets: true }), null, 2));
  assert.deepStrictEqual(withSecrets.report, report);
  assert.deepStrictEqual(withSecrets.target, report.target);
  const redacted = fromHar(JSON.stringify(toHar(report)));
  assert.deepStrictEqual(
    redacted.exchanges,
    report.exchanges.map((e) => redact(e)),
  );
  assert.deepStrictEqual(redacted.report?.rules, report.rules);
  // Exchanges alone: no report in the trace.
  const bare = fromHar(Buffer.from(JSON.stringify(toHar(report.exchanges, { keepSecrets: true }))));
  assert.deepStrictEqual(bare.exchanges, report.exchanges);
  assert.equal(bare.report, undefined);
  assert.equal(bare.target, undefined);
});

test('redaction is idempotent: a redacted exchange redacted again is unchanged', async () => {
  const { report } = await fixture();
  for (const e of report.exchanges) {
    const once = redact(e);
    assert.deepStrictEqual(redact(once), once);
  }
});

test('malformed trace: not JSON, not a HAR, wrong field types → PSSO_ERR_CHECK_TRACE', async () => {
  const { report } = await fixture();
  const good = toHar(report);
  const mutate = (f: (h: ReturnType<typeof structuredClone<typeof good>>) => void): string => {
    const h = structuredClone(good);
    f(h);
    return JSON.stringify(h);
  };
  rejects('{"log": ');
  rejects('[]');
  rejects('{}');
  rejects('{"log":{"version":"1.2","creator":{"name":"x","version":"1"}}}');
  rejects(mutate((h) => Object.assign(h.log, { version: '3.0' })));
  rejects(mutate((h) => Object.assign(h.log.entries[0] ?? {}, { time: 'soon' })));
  rejects(mutate((h) => Object.assign(h.log.entries[0] ?? {}, { startedDateTime: 'yesterday' })));
  rejects(
    mutate((h) => Object.assign(h.log.entries[0]?.request ?? {}, { headers: [{ name: 1 }] })),
  );
  rejects(mutate((h) => Object.assign(h.log.entries[0]?.response ?? {}, { status: 1e6 })));
  rejects(mutate((h) => Object.assign(h.log._pssoCheck ?? {}, { schemaVersion: 2 })));
  rejects(mutate((h) => Object.assign(h.log._pssoCheck?.rules[0] ?? {}, { status: 'great' })));
  // The hostile value is named by its field, never echoed.
  const e = rejects(mutate((h) => Object.assign(h.log.entries[0] ?? {}, { _step: '<script>x' })));
  assert.match(e.message, /log\.entries\[0\]\._step/);
  assert.ok(!e.message.includes('<script>'));
});

test('oversized trace: past the byte or entry limit → PSSO_ERR_CHECK_TRACE before parsing', async () => {
  const { report } = await fixture();
  const text = JSON.stringify(toHar(report));
  assert.match(rejects(text, { maxBytes: 1000 }).message, /larger than 1000 bytes/);
  assert.match(rejects(text, { maxEntries: 2 }).message, /more than 2 entries/);
  // The default limit (32 MiB), with a body that is not even JSON: refused by size.
  rejects(`{"log":${' '.repeat(32 * 1024 * 1024)}}`);
});

test('a HAR saved by a browser (no _ fields, base64 content) is read, steps inferred', () => {
  const har = {
    log: {
      version: '1.2',
      creator: { name: 'WebInspector', version: '537.36' },
      entries: [
        {
          startedDateTime: '2026-12-01T05:00:00.000+01:00',
          time: 10,
          request: {
            method: 'GET',
            url: 'https://sts.example.com/adfs/services/trust/mex',
            httpVersion: 'HTTP/2',
            headers: [],
            queryString: [],
            cookies: [],
            headersSize: -1,
            bodySize: 0,
          },
          response: {
            status: 200,
            statusText: 'OK',
            httpVersion: 'HTTP/2',
            headers: [],
            cookies: [],
            content: {
              size: 5,
              mimeType: 'text/xml',
              text: Buffer.from('<a/>').toString('base64'),
              encoding: 'base64',
            },
            redirectURL: '',
            headersSize: -1,
            bodySize: 5,
          },
          cache: {},
          timings: { send: 0, wait: 10, receive: 0 },
        },
      ],
    },
  };
  const [e] = fromHar(JSON.stringify(har)).exchanges;
  assert.equal(e?.step, 'mex');
  assert.equal(e?.response?.body, '<a/>');
  assert.equal(e?.redacted, false);
});

test('XML redaction: odd prefixes, default namespaces, whitespace, CDATA, entities, ">" in attributes', () => {
  const cases = [
    `<wsse:Security xmlns:wsse="${WSSE}"><wsse:Password\n   Type="t"\t>SECRET-1</wsse:Password\n></wsse:Security>`,
    `<Security xmlns="${WSSE}"><Password>SECRET-1</Password></Security>`,
    `<x:S xmlns:x="${WSSE}"><x:Password><![CDATA[SECRET-1]]></x:Password></x:S>`,
    `<x:S xmlns:x="${WSSE}"><x:Password>&#x53;ECRET-1</x:Password></x:S>`,
    `<x:S xmlns:x="${WSSE}"><x:Password Type='a>b'>SECRET-1</x:Password></x:S>`,
    `<x:S xmlns:x="urn:odd"><x:Nonce EncodingType="b64">SECRET-1</x:Nonce></x:S>`,
    `<ds:SignatureValue xmlns:ds="http://www.w3.org/2000/09/xmldsig#">SECRET-1\n</ds:SignatureValue>`,
    // Not well-formed: the parser refuses, the element-aware fallback still redacts.
    `<!DOCTYPE x [<!ENTITY e "v">]><o:Password>SECRET-1</o:Password><o:Nonce>SECRET-1</o:Nonce>`,
    `<s:Envelope><o:Password a="1">SECRET-1</o:Password></s:Envelope`,
    // Truncated inside a secret: the rest of the body is dropped.
    `<s:Envelope><o:Password>SECRET-1 and the rest`,
  ];
  for (const body of cases) {
    const out = redactBody(body, 'application/soap+xml');
    assert.ok(!out.includes('SECRET-1') && !out.includes('ECRET-1'), `leaked: ${out}`);
    assert.ok(out.includes(REDACTED), `no marker: ${out}`);
  }
});

test('XML redaction (property): any password, any prefix, never appears in the redacted RST', () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 1, maxLength: 24 }),
      fc.constantFrom('o', 'wsse', 'a.b-c', 'ns0'),
      fc.constantFrom('', ' ', '\n\t'),
      (tail, prefix, ws) => {
        const password = `PW!${tail.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/g, '')}`;
        const body =
          `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>` +
          `<${prefix}:Security xmlns:${prefix}="${WSSE}"><${prefix}:UsernameToken>` +
          `<${prefix}:Password${ws}>${escapeText(password)}</${prefix}:Password${ws}>` +
          `</${prefix}:UsernameToken></${prefix}:Security></s:Header><s:Body/></s:Envelope>`;
        const out = redactBody(body, '');
        return !out.includes(escapeText(password)) && !out.includes(password);
      },
    ),
    { numRuns: 300 },
  );
});

test('JSON, form, text and URL redaction: secret members, query codes, JWTs in HTML, known secrets', () => {
  assert.equal(
    redactBody('{"Nonce":"n-123","nested":{"refresh_token":"r","n":[{"password":7}]},"ok":1}'),
    `{"Nonce":"${REDACTED}","nested":{"refresh_token":"${REDACTED}","n":[{"password":"${REDACTED}"}]},"ok":1}`,
  );
  // A configured claim name (serverNonceClaimName) that does not look secret by itself.
  assert.equal(
    redactBody('{"challenge":"c-1","other":"o"}', '', { extraKeys: ['Challenge'] }),
    `{"challenge":"${REDACTED}","other":"o"}`,
  );
  const broken = redactBody('{"password": "hunter22", "user": "a', 'application/json');
  assert.ok(!broken.includes('hunter22'));
  const form = redactBody('grant_type=password&username=a&password=hunter22&client_id=c');
  assert.equal(new URLSearchParams(form).get('password'), REDACTED);
  assert.equal(new URLSearchParams(form).get('client_id'), 'c');
  const jwt = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"sub":"a"}').toString('base64url')}.c2lnbmF0dXJl`;
  const html = redactBody(`<p>token ${jwt}</p> <b>`, 'text/html');
  assert.ok(!html.includes('c2lnbmF0dXJl'));
  const jwe = `${Buffer.from('{"alg":"ECDH-ES","enc":"A256GCM"}').toString('base64url')}.ZW5j.aXY.Y2lwaGVy.dGFn`;
  assert.equal(
    JSON.parse(redactBody(JSON.stringify({ id_token: jwe }))).id_token.split('.').length,
    2,
  );
  const e = redact(
    {
      ...exchange('<html>Wrong password: hunter2&lt;3 for alice</html>', 'text/html'),
      request: {
        method: 'GET',
        url: 'https://u:pw@idp.example.com/cb?code=abc123&state=s',
        headers: [{ name: 'Cookie', value: 'MSISAuth=xyz' }],
      },
    },
    { secrets: ['hunter2<3'] },
  );
  assert.ok(!e.request.url.includes('abc123') && !e.request.url.includes(':pw@'));
  assert.match(e.request.url, /state=s/);
  assert.equal(e.request.headers[0]?.value, REDACTED);
  assert.equal(e.redacted, true);
  const withBody = redact(exchange('<html>Wrong password: hunter2&lt;3</html>', 'text/html'), {
    secrets: ['hunter2<3'],
  });
  assert.ok(!withBody.request.body?.includes('hunter2'));
});

test('real AD FS responses (interop corpus): no SignatureValue survives, the document still parses', () => {
  const files = interopXmlFiles('rstr').filter((f) => f.endsWith('.rstr.xml'));
  assert.ok(files.length >= 3);
  for (const file of files) {
    const body = readInterop(file).toString('utf8');
    const values = [...body.matchAll(/<(?:\w+:)?SignatureValue[^>]*>([^<]+)</g)]
      .map((m) => (m[1] ?? '').trim())
      .filter((v) => v !== '');
    assert.ok(values.length > 0, file);
    const out = redactBody(body, 'application/soap+xml');
    for (const v of values) assert.ok(!out.includes(v.slice(0, 40)), `${file} leaked`);
    assert.doesNotThrow(() => parseXml(out), file);
    assert.match(out, /Assertion/);
  }
  // A bare base64 assertion in a form field goes whole.
  const b64 = readInterop('rstr/adfs-13-naturalcauses.assertion.base64.txt').toString().trim();
  const form = redactBody(`grant_type=saml&assertion=${encodeURIComponent(b64)}`);
  assert.equal(new URLSearchParams(form).get('assertion'), REDACTED);
});

test('rule texts in the trace: a JWT or the known password in got loses its secret', async () => {
  const { report, password } = await fixture();
  const jwt = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"a":1}').toString('base64url')}.c2lnbmF0dXJlLXZhbHVl`;
  const leaky = {
    ...report,
    rules: [{ ...(report.rules[0] as RuleResult), got: `token ${jwt}, password ${password}` }],
  };
  const text = JSON.stringify(toHar(leaky, { secrets: [password] }));
  assert.ok(!text.includes('c2lnbmF0dXJlLXZhbHVl'));
  assert.ok(!text.includes(password));
  assert.ok(JSON.stringify(toHar(leaky, { keepSecrets: true })).includes(password));
});
