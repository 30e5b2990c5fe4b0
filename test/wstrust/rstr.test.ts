import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type PssoErrorCode,
  WsTrustError,
  WsTrustFaultError,
  XmlError,
  type XmlErrorCode,
} from '../../packages/psso-wstrust/src/errors.ts';
import { readSecurityTokenResponse as process } from '../../packages/psso-wstrust/src/wstrust/rstr.ts';
import { assertCode } from '../helpers/assert-code.ts';
import {
  MESSAGE_ID,
  response,
  saml2Assertion,
  saml11Assertion,
  T0_DATE,
} from '../helpers/responses.ts';

const expected = { version: '1.3', messageId: MESSAGE_ID, now: T0_DATE } as const;

function refuses(
  body: string,
  code: PssoErrorCode,
  exp: Parameters<typeof process>[1] = expected,
): void {
  assertCode(() => process(body, exp), code);
}

describe('readSecurityTokenResponse: a valid response', () => {
  test('1.3 with SAML 1.1 gives the saml1_1-bearer grant and the exact assertion text', () => {
    const t = process(response(), expected);
    assert.equal(t.tokenType, 'urn:oasis:names:tc:SAML:1.0:assertion');
    assert.equal(t.grantType, 'urn:ietf:params:oauth:grant-type:saml1_1-bearer');
    assert.equal(t.samlVersion, '1.1');
    assert.equal(t.assertion, saml11Assertion());
    assert.equal(t.created?.toISOString(), '2026-11-29T10:00:00.000Z');
    assert.equal(t.expires?.toISOString(), '2026-11-29T11:00:00.000Z');
  });

  test('2005 bare RSTR with SAML 2.0 gives the saml2-bearer grant', () => {
    const t = process(
      response({
        version: '2005',
        token: saml2Assertion(),
        tokenType: 'urn:oasis:names:tc:SAML:2.0:assertion',
      }),
      { ...expected, version: '2005' },
    );
    assert.equal(t.grantType, 'urn:ietf:params:oauth:grant-type:saml2-bearer');
    assert.equal(t.assertion, saml2Assertion());
  });

  for (const [tokenType, grant, token] of [
    [
      'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1',
      'saml1_1-bearer',
      saml11Assertion(),
    ],
    [
      'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0',
      'saml2-bearer',
      saml2Assertion(),
    ],
  ] as const) {
    test(`TokenType ${tokenType.split('#')[1]} (with padding) maps to ${grant}`, () => {
      const t = process(response({ tokenType: `\n  ${tokenType}  `, token }), expected);
      assert.equal(t.tokenType, tokenType);
      assert.equal(t.grantType, `urn:ietf:params:oauth:grant-type:${grant}`);
    });
  }

  test('without an expected messageId (offline inspection) RelatesTo is not required', () => {
    const t = process(response({ relatesTo: null }), { version: '1.3', now: T0_DATE });
    assert.equal(t.samlVersion, '1.1');
  });

  test('clock skew: Created 119 s ahead passes, Expires 119 s behind passes', () => {
    process(
      response({ created: '2026-11-29T10:01:59.000Z', expires: '2026-11-29T10:10:00Z' }),
      expected,
    );
    process(
      response({ created: '2026-11-29T09:50:00Z', expires: '2026-11-29T09:58:01Z' }),
      expected,
    );
  });

  test('a Uint8Array body with a BOM and a zone offset in the dates', () => {
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(response({ created: '2026-11-29T11:00:00+01:00' })),
    ]);
    assert.equal(process(body, expected).tokenType, 'urn:oasis:names:tc:SAML:1.0:assertion');
  });
});

describe('readSecurityTokenResponse: refusals, one per rule', () => {
  test('truncated XML is an XmlError', () => {
    assert.throws(
      () => process(response().slice(0, 300), expected),
      (e) => e instanceof XmlError,
    );
  });
  test('SOAP 1.1 envelope', () =>
    refuses(response({ soap: '1.1' }), 'PSSO_ERR_SOAP_VERSION_MISMATCH'));
  test('not an envelope (wrong namespace)', () =>
    refuses('<Envelope xmlns="urn:x"><Body/></Envelope>', 'PSSO_ERR_SOAP_NOT_ENVELOPE'));
  test('envelope without Body', () =>
    refuses(
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/></s:Envelope>',
      'PSSO_ERR_SOAP_NOT_ENVELOPE',
    ));
  test('no RelatesTo', () =>
    refuses(response({ relatesTo: null }), 'PSSO_ERR_WSTRUST_RELATES_TO_MISSING'));
  test('wrong RelatesTo', () =>
    refuses(
      response({ relatesTo: 'urn:uuid:00000000-0000-0000-0000-000000000002' }),
      'PSSO_ERR_WSTRUST_RELATES_TO_MISMATCH',
    ));
  test('RelatesTo differing only in case', () =>
    refuses(
      response({ relatesTo: MESSAGE_ID.toUpperCase() }),
      'PSSO_ERR_WSTRUST_RELATES_TO_MISMATCH',
    ));
  test('two RelatesTo headers', () =>
    refuses(
      response().replace(
        '</a:RelatesTo>',
        `</a:RelatesTo><a:RelatesTo>${MESSAGE_ID}</a:RelatesTo>`,
      ),
      'PSSO_ERR_WSTRUST_RELATES_TO_MISMATCH',
    ));
  test('the RelatesTo check runs before the fault: a fault with a wrong RelatesTo is a correlation failure', () =>
    refuses(
      response({
        relatesTo: 'urn:uuid:bad',
        fault: { code: 's:Sender', subcode: 'a:FailedAuthentication', reason: 'x' },
      }),
      'PSSO_ERR_WSTRUST_RELATES_TO_MISMATCH',
    ));

  test('FailedAuthentication fault (prefix bound to WS-Security) is its own code, with the fault values', () => {
    const e = assertCode(
      () =>
        process(
          response({
            fault: {
              code: 's:Sender',
              subcode: 'a:FailedAuthentication',
              reason: 'MSIS7068: Access denied.',
            },
          }),
          expected,
        ),
      'PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION',
      WsTrustFaultError,
    );
    assert.equal(e.faultCode, 's:Sender');
    assert.equal(e.subcode, 'a:FailedAuthentication');
    assert.equal(e.reason, 'MSIS7068: Access denied.');
    assert.ok(!e.message.includes('MSIS7068'));
  });
  test('another fault is PSSO_ERR_WSTRUST_FAULT', () =>
    refuses(
      response({ fault: { code: 's:Sender', subcode: 'a:RequestFailed', reason: 'MSIS3127' } }),
      'PSSO_ERR_WSTRUST_FAULT',
    ));

  test('no Timestamp', () =>
    refuses(response({ created: null, expires: null }), 'PSSO_ERR_WSTRUST_TIMESTAMP_MISSING'));
  test('Timestamp without Created', () =>
    refuses(response({ created: null }), 'PSSO_ERR_WSTRUST_TIMESTAMP_MISSING'));
  test('Created more than the skew in the future', () =>
    refuses(
      response({ created: '2026-11-29T10:02:01.000Z', expires: '2026-11-29T10:07:00Z' }),
      'PSSO_ERR_WSTRUST_CREATED_IN_FUTURE',
    ));
  test('expired Timestamp', () =>
    refuses(
      response({ created: '2026-11-29T09:50:00Z', expires: '2026-11-29T09:57:59Z' }),
      'PSSO_ERR_WSTRUST_EXPIRED',
    ));
  test('a custom skew of 0 s', () =>
    refuses(response({ created: '2026-11-29T10:00:01Z' }), 'PSSO_ERR_WSTRUST_CREATED_IN_FUTURE', {
      ...expected,
      clockSkewSeconds: 0,
    }));
  test('Created without a time zone', () =>
    refuses(response({ created: '2026-11-29T10:00:00' }), 'PSSO_ERR_WSTRUST_TIME_INVALID'));
  test('an impossible date', () =>
    refuses(response({ created: '2026-02-30T10:00:00Z' }), 'PSSO_ERR_WSTRUST_TIME_INVALID'));
  test('Expires before Created', () =>
    refuses(
      response({ created: '2026-11-29T10:00:00Z', expires: '2026-11-29T09:59:00Z' }),
      'PSSO_ERR_WSTRUST_TIME_INVALID',
    ));
  test('Lifetime not yet valid', () =>
    refuses(
      response({
        lifetimeCreated: '2026-11-29T10:05:00Z',
        lifetimeExpires: '2026-11-29T11:05:00Z',
      }),
      'PSSO_ERR_WSTRUST_LIFETIME_NOT_YET_VALID',
    ));
  test('Lifetime expired', () =>
    refuses(
      response({
        lifetimeCreated: '2026-11-29T08:00:00Z',
        lifetimeExpires: '2026-11-29T09:00:00Z',
      }),
      'PSSO_ERR_WSTRUST_LIFETIME_EXPIRED',
    ));

  test('1.3 response without the collection', () =>
    refuses(response({ collection: false }), 'PSSO_ERR_WSTRUST_RESPONSE_SHAPE'));
  test('a 2005 response when 1.3 was expected', () =>
    refuses(response({ version: '2005' }), 'PSSO_ERR_WSTRUST_RESPONSE_SHAPE'));
  test('a 1.3 response when 2005 was expected', () =>
    refuses(response(), 'PSSO_ERR_WSTRUST_RESPONSE_SHAPE', { ...expected, version: '2005' }));
  test('two assertions', () =>
    refuses(
      response({ token: saml11Assertion('_1') + saml11Assertion('_2') }),
      'PSSO_ERR_WSTRUST_TOKEN_COUNT',
    ));
  test('zero assertions', () => refuses(response({ token: '' }), 'PSSO_ERR_WSTRUST_TOKEN_COUNT'));
  test('two RequestedSecurityToken elements', () =>
    refuses(
      response().replace(
        '<trust:TokenType>',
        `<trust:RequestedSecurityToken>${saml11Assertion('_2')}</trust:RequestedSecurityToken><trust:TokenType>`,
      ),
      'PSSO_ERR_WSTRUST_TOKEN_COUNT',
    ));
  test('a non-SAML token', () =>
    refuses(
      response({ token: '<x:BinarySecurityToken xmlns:x="urn:x">abc</x:BinarySecurityToken>' }),
      'PSSO_ERR_WSTRUST_NOT_SAML',
    ));
  test('an assertion-named element in a non-SAML namespace', () =>
    refuses(response({ token: '<Assertion xmlns="urn:fake"/>' }), 'PSSO_ERR_WSTRUST_NOT_SAML'));
  test('no TokenType', () =>
    refuses(response({ tokenType: null }), 'PSSO_ERR_WSTRUST_TOKEN_TYPE_MISSING'));
  test('an empty TokenType', () =>
    refuses(response({ tokenType: '   ' }), 'PSSO_ERR_WSTRUST_TOKEN_TYPE_MISSING'));
  test('an unknown TokenType names what macOS would do', () => {
    const e = assertCode(
      () => process(response({ tokenType: 'urn:example:jwt' }), expected),
      'PSSO_ERR_WSTRUST_UNKNOWN_TOKEN_TYPE',
      WsTrustError,
    );
    assert.equal(e.detail, 'urn:example:jwt');
    assert.match(e.message, /saml2-bearer/);
  });
  test('a SAML 2.0 TokenType on a SAML 1.1 assertion', () =>
    refuses(
      response({ tokenType: 'urn:oasis:names:tc:SAML:2.0:assertion' }),
      'PSSO_ERR_WSTRUST_TOKEN_TYPE_MISMATCH',
    ));
});

describe('readSecurityTokenResponse: caller misuse is a TypeError', () => {
  for (const [name, exp] of [
    ['no version', { messageId: MESSAGE_ID }],
    ['a bad version', { version: '1.4' }],
    ['an invalid date', { version: '1.3', now: new Date(Number.NaN) }],
    ['a negative skew', { version: '1.3', clockSkewSeconds: -1 }],
    ['an empty messageId', { version: '1.3', messageId: '' }],
  ] as const) {
    test(name, () => assert.throws(() => process(response(), exp as never), TypeError));
  }
  test('a body that is neither string nor bytes', () =>
    assert.throws(() => process(42 as never, expected), TypeError));
});

describe('readSecurityTokenResponse: hostile documents', () => {
  const xmlRefused = (body: string | Uint8Array, code: XmlErrorCode): void => {
    assertCode(() => process(body, expected), code, XmlError);
  };
  test('billion laughs in a response is refused at the DOCTYPE', () =>
    xmlRefused(
      `<!DOCTYPE s:Envelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${response().replace(MESSAGE_ID, '&b;')}`,
      'PSSO_ERR_XML_DOCTYPE',
    ));
  test('XXE pointing at /etc/passwd is refused at the DOCTYPE and reads nothing', () =>
    xmlRefused(
      `<!DOCTYPE s:Envelope [<!ENTITY x SYSTEM "file:///etc/passwd">]>${response().replace(MESSAGE_ID, '&x;')}`,
      'PSSO_ERR_XML_DOCTYPE',
    ));
  test('an entity reference without a DOCTYPE is an undefined entity', () =>
    xmlRefused(response().replace(MESSAGE_ID, '&x;'), 'PSSO_ERR_XML_UNDEFINED_ENTITY'));
  test('a 50 MB response is refused by size before parsing', () =>
    xmlRefused(Buffer.alloc(50 * 1024 * 1024, 0x20), 'PSSO_ERR_XML_TOO_LARGE'));
  test('a response nested 100,000 deep is refused by depth', () =>
    xmlRefused(`${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`, 'PSSO_ERR_XML_TOO_DEEP'));
  test('a signature-wrapping style duplicate Body is refused', () =>
    refuses(response().replace('</s:Body>', '</s:Body><s:Body/>'), 'PSSO_ERR_SOAP_NOT_ENVELOPE'));
});
