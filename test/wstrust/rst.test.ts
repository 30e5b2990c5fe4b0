import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RstError } from '../../packages/psso-wstrust/src/errors.ts';
import type { MexEndpoint } from '../../packages/psso-wstrust/src/mex/types.ts';
import {
  NS_SOAP12,
  NS_WSA,
  NS_WSP,
  NS_WSSE,
  NS_WSU,
} from '../../packages/psso-wstrust/src/protocol/namespaces.ts';
import { WSTRUST13, WSTRUST2005 } from '../../packages/psso-wstrust/src/protocol/wstrust.ts';
import { buildRequestSecurityToken as build } from '../../packages/psso-wstrust/src/wstrust/rst.ts';
import type { XmlElement } from '../../packages/psso-wstrust/src/xml/dom.ts';
import { parseXml } from '../../packages/psso-wstrust/src/xml/parse.ts';
import {
  attribute,
  childElements,
  path,
  textOf,
} from '../../packages/psso-wstrust/src/xml/query.ts';

const E13: MexEndpoint = {
  version: '1.3',
  address: 'https://sts.example.com/adfs/services/trust/13/usernamemixed',
  soapAction: WSTRUST13.issueAction,
};
const E2005: MexEndpoint = {
  version: '2005',
  address: 'https://sts.example.com/adfs/services/trust/2005/usernamemixed',
  soapAction: WSTRUST2005.issueAction,
};
const URN = 'urn:federation:MicrosoftOnline';
const NOW = new Date('2026-11-29T10:00:00.000Z');

function parts(body: string) {
  const root = parseXml(body).root;
  const header = path(root, [NS_SOAP12, 'Header']) as XmlElement;
  const security = path(header, [NS_WSSE, 'Security']) as XmlElement;
  const token = path(security, [NS_WSSE, 'UsernameToken']) as XmlElement;
  const soapBody = path(root, [NS_SOAP12, 'Body']) as XmlElement;
  return { root, header, security, token, soapBody };
}

const names = (el: XmlElement) =>
  childElements(el).map(
    (c) =>
      `${c.ns === NS_WSA ? 'wsa' : c.ns === NS_WSSE ? 'wsse' : c.ns === NS_WSU ? 'wsu' : c.ns === NS_WSP ? 'wsp' : c.ns}:${c.local}`,
  );

describe('buildRequestSecurityToken, macos profile (what Platform SSO sends)', () => {
  for (const [endpoint, v] of [
    [E13, WSTRUST13],
    [E2005, WSTRUST2005],
  ] as const) {
    test(`WS-Trust ${endpoint.version}: header order, bare UsernameToken, no Timestamp, the 1.3 SOAPAction`, () => {
      const rst = build({
        endpoint,
        appliesTo: URN,
        username: 'alice@example.com',
        password: 'pw',
      });
      assert.match(
        rst.messageId,
        /^urn:uuid:[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/,
      );
      assert.equal(rst.soapAction, WSTRUST13.issueAction);
      const { header, security, token, soapBody } = parts(rst.body);
      assert.deepEqual(names(header), [
        'wsa:Action',
        'wsa:MessageID',
        'wsa:ReplyTo',
        'wsa:To',
        'wsse:Security',
      ]);
      assert.equal(textOf(path(header, [NS_WSA, 'Action']) as XmlElement), v.issueAction);
      assert.equal(
        attribute(path(header, [NS_WSA, 'Action']) as XmlElement, NS_SOAP12, 'mustUnderstand'),
        '1',
      );
      assert.equal(textOf(path(header, [NS_WSA, 'MessageID']) as XmlElement), rst.messageId);
      assert.equal(
        textOf(path(header, [NS_WSA, 'ReplyTo'], [NS_WSA, 'Address']) as XmlElement),
        'http://www.w3.org/2005/08/addressing/anonymous',
      );
      assert.equal(textOf(path(header, [NS_WSA, 'To']) as XmlElement), endpoint.address);
      assert.equal(attribute(security, NS_SOAP12, 'mustUnderstand'), '1');
      assert.deepEqual(names(security), ['wsse:UsernameToken']);
      assert.match(attribute(token, NS_WSU, 'Id') ?? '', /^uuid-[0-9A-F-]{36}$/);
      assert.deepEqual(names(token), ['wsse:Username', 'wsse:Password']);
      assert.equal(
        attribute(path(token, [NS_WSSE, 'Password']) as XmlElement, '', 'Type'),
        undefined,
      );
      const rstEl = childElements(soapBody)[0] as XmlElement;
      assert.equal(rstEl.ns, v.ns);
      assert.equal(rstEl.local, 'RequestSecurityToken');
      assert.deepEqual(names(rstEl), ['wsp:AppliesTo', `${v.ns}:KeyType`, `${v.ns}:RequestType`]);
      assert.equal(
        textOf(
          path(
            rstEl,
            [NS_WSP, 'AppliesTo'],
            [NS_WSA, 'EndpointReference'],
            [NS_WSA, 'Address'],
          ) as XmlElement,
        ),
        URN,
      );
      assert.equal(textOf(path(rstEl, [v.ns, 'KeyType']) as XmlElement), v.keyType);
      assert.equal(textOf(path(rstEl, [v.ns, 'RequestType']) as XmlElement), v.requestType);
    });
  }

  test('every request gets a fresh MessageID', () => {
    const a = build({ endpoint: E13, appliesTo: URN, username: 'u', password: 'p' });
    const b = build({ endpoint: E13, appliesTo: URN, username: 'u', password: 'p' });
    assert.notEqual(a.messageId, b.messageId);
  });
});

describe('buildRequestSecurityToken, wss11 profile (Username Token Profile 1.1.1)', () => {
  for (const [endpoint, v] of [
    [E13, WSTRUST13],
    [E2005, WSTRUST2005],
  ] as const) {
    test(`WS-Trust ${endpoint.version}: Timestamp, PasswordText, Nonce, Created and the version's own SOAPAction`, () => {
      const rst = build({
        endpoint,
        appliesTo: URN,
        username: 'alice',
        password: 'pw',
        profile: 'wss11',
        now: NOW,
      });
      assert.equal(rst.soapAction, v.issueAction);
      const { security, token } = parts(rst.body);
      assert.deepEqual(names(security), ['wsu:Timestamp', 'wsse:UsernameToken']);
      assert.equal(
        textOf(path(security, [NS_WSU, 'Timestamp'], [NS_WSU, 'Created']) as XmlElement),
        '2026-11-29T10:00:00.000Z',
      );
      assert.equal(
        textOf(path(security, [NS_WSU, 'Timestamp'], [NS_WSU, 'Expires']) as XmlElement),
        '2026-11-29T10:05:00.000Z',
      );
      assert.deepEqual(names(token), [
        'wsse:Username',
        'wsse:Password',
        'wsse:Nonce',
        'wsu:Created',
      ]);
      assert.equal(
        attribute(path(token, [NS_WSSE, 'Password']) as XmlElement, '', 'Type'),
        'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText',
      );
      const nonce = path(token, [NS_WSSE, 'Nonce']) as XmlElement;
      assert.equal(
        attribute(nonce, '', 'EncodingType'),
        'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary',
      );
      assert.equal(Buffer.from(textOf(nonce), 'base64').length, 16);
      assert.equal(
        textOf(path(token, [NS_WSU, 'Created']) as XmlElement),
        '2026-11-29T10:00:00.000Z',
      );
    });
  }

  test('nonces are fresh per request', () => {
    const nonce = () =>
      textOf(
        path(
          parts(
            build({ endpoint: E13, appliesTo: URN, username: 'u', password: 'p', profile: 'wss11' })
              .body,
          ).token,
          [NS_WSSE, 'Nonce'],
        ) as XmlElement,
      );
    assert.notEqual(nonce(), nonce());
  });
});

describe('buildRequestSecurityToken: escaping and refusals', () => {
  const tricky = [
    'a&b<c>d"e\'f',
    '$&',
    '$$',
    "$'",
    '$`',
    ']]>',
    '<!--',
    'Ünïcödé ✓',
    '😀👩‍👩‍👧',
    '  spaced\ttab\r\nline  ',
  ];
  for (const value of tricky) {
    test(`username and password ${JSON.stringify(value)} round-trip exactly`, () => {
      for (const profile of ['macos', 'wss11'] as const) {
        const { token } = parts(
          build({ endpoint: E13, appliesTo: URN, username: value, password: value, profile }).body,
        );
        assert.equal(textOf(path(token, [NS_WSSE, 'Username']) as XmlElement), value);
        assert.equal(textOf(path(token, [NS_WSSE, 'Password']) as XmlElement), value);
      }
    });
  }

  test('property: any username, password and URN of XML characters round-trip exactly', () => {
    const xmlString = fc
      .string({ unit: 'binary', minLength: 1 })
      .filter(
        (s) =>
          !/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(s) && s.trim() !== '',
      );
    fc.assert(
      fc.property(xmlString, xmlString, xmlString, (username, password, urn) => {
        const { token, soapBody } = parts(
          build({ endpoint: E13, appliesTo: urn, username, password }).body,
        );
        assert.equal(textOf(path(token, [NS_WSSE, 'Username']) as XmlElement), username);
        assert.equal(textOf(path(token, [NS_WSSE, 'Password']) as XmlElement), password);
        const rstEl = childElements(soapBody)[0] as XmlElement;
        assert.equal(
          textOf(
            path(
              rstEl,
              [NS_WSP, 'AppliesTo'],
              [NS_WSA, 'EndpointReference'],
              [NS_WSA, 'Address'],
            ) as XmlElement,
          ),
          urn,
        );
      }),
      { numRuns: 500 },
    );
  });

  test('PasswordDigest is refused with its own code', () => {
    assert.throws(
      () =>
        build({
          endpoint: E13,
          appliesTo: URN,
          username: 'u',
          password: 'p',
          passwordType: 'PasswordDigest',
        }),
      (e) => e instanceof RstError && e.code === 'PSSO_ERR_RST_PASSWORD_DIGEST_UNSUPPORTED',
    );
  });

  for (const [name, params] of [
    [
      'no appliesTo (there is no hidden default URN)',
      { endpoint: E13, username: 'u', password: 'p' },
    ],
    ['a blank appliesTo', { endpoint: E13, appliesTo: ' ', username: 'u', password: 'p' }],
    ['an empty username', { endpoint: E13, appliesTo: URN, username: '', password: 'p' }],
    [
      'a password that is not a string',
      { endpoint: E13, appliesTo: URN, username: 'u', password: 1 },
    ],
    [
      'a control character XML cannot carry',
      { endpoint: E13, appliesTo: URN, username: 'u', password: 'a\u0001b' },
    ],
    [
      'an unknown version',
      { endpoint: { ...E13, version: '1.4' }, appliesTo: URN, username: 'u', password: 'p' },
    ],
    [
      'an unknown profile',
      { endpoint: E13, appliesTo: URN, username: 'u', password: 'p', profile: 'legacy' },
    ],
    [
      'an invalid clock',
      {
        endpoint: E13,
        appliesTo: URN,
        username: 'u',
        password: 'p',
        profile: 'wss11',
        now: new Date('x'),
      },
    ],
  ] as const) {
    test(`${name} is a TypeError`, () => assert.throws(() => build(params as never), TypeError));
  }

  test('the password never appears in an error message', () => {
    try {
      build({ endpoint: E13, appliesTo: URN, username: 'u', password: 'hunter2\u0001' });
      assert.fail('expected a TypeError');
    } catch (e) {
      assert.ok(e instanceof TypeError && !e.message.includes('hunter2'));
    }
  });
});
