import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Element } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import {
  type AssertionParams,
  canonicalAssertion,
  issueAssertion,
  issueAssertionWithXmlCrypto,
  SAML2_AC_PASSWORD_PROTECTED_TRANSPORT,
  SAML2_ATTRNAME_FORMAT_UNSPECIFIED,
  SAML2_ATTRNAME_FORMAT_URI,
  SAML2_CM_BEARER,
  SAML11_AM_PASSWORD,
  SAML11_CM_BEARER,
  unsignedAssertion,
} from '../../../packages/idp/src/saml/index.ts';
import {
  NS_DSIG,
  NS_SAML1,
  NS_SAML2,
} from '../../../packages/psso-wstrust/src/protocol/namespaces.ts';
import { readInterop } from '../../helpers/interop.ts';
import { makeSigningMaterial, testSigningMaterial } from '../../helpers/signing.ts';
import {
  assertXmlsecVerifies,
  baseParams,
  parseStrict,
  rootOf,
  verifyWithXmlCrypto,
  xmlCryptoAccepts,
  xmlsecSkip,
  xmlsecVerify,
} from './support.ts';

const key = await testSigningMaterial();
const attacker = await makeSigningMaterial('CN=attacker');

const TRICKY = 'a&b<c>d"e\'f\tg\rh\ni\r\nj]]>k<!--l-->m&amp;n é 中 😀 \u0085\u2028\u2029 end';

const cases: Array<[string, AssertionParams]> = [
  ['SAML 1.1 (AD FS shape)', baseParams('1.1')],
  ['SAML 2.0 without recipient', baseParams('2.0')],
  [
    'SAML 2.0 with recipient',
    baseParams('2.0', { recipient: 'https://login.example.com/tok?a=1&b=2' }),
  ],
  ['SAML 1.1 without attributes', baseParams('1.1', { attributes: [] })],
  ['SAML 2.0 without attributes', baseParams('2.0', { attributes: [] })],
  ...(['1.1', '2.0'] as const).map((v): [string, AssertionParams] => [
    `SAML ${v}, every escaped character everywhere`,
    baseParams(v, {
      id: '_é-ü.1',
      issuer: `https://idp/${TRICKY}`,
      audience: `urn:${TRICKY}`,
      subject: TRICKY,
      nameIdFormat: `urn:format:${TRICKY}`,
      recipient: `https://rp/${TRICKY}`,
      attributes: [
        { name: TRICKY, namespace: TRICKY, values: [TRICKY, '', ' ', '\n', '\r'] },
        { name: 'group', namespace: 'urn:g', values: ['a', 'b', 'c'] },
        ...(v === '2.0' ? [{ name: 'none', namespace: '', values: [] }] : []),
      ],
    }),
  ]),
];

describe('issueAssertion: both verifiers accept every assertion', () => {
  for (const [name, params] of cases) {
    test(`xml-crypto (pinned certificate): ${name}`, () => {
      const signed = issueAssertion(params, key);
      const refs = verifyWithXmlCrypto(signed, key.certificatePem, params.samlVersion);
      // The one signed reference is the whole assertion (minus its signature), nothing else.
      assert.deepEqual(refs, [canonicalAssertion(params)]);
      const root = rootOf(signed);
      assert.equal(root.namespaceURI, params.samlVersion === '1.1' ? NS_SAML1 : NS_SAML2);
      assert.equal(
        root.getAttribute(params.samlVersion === '1.1' ? 'AssertionID' : 'ID'),
        params.id,
      );
    });
    test(`xmlsec1: ${name}`, xmlsecSkip, () => {
      assertXmlsecVerifies(issueAssertion(params, key), key.certificatePem, params.samlVersion);
    });
  }
});

describe('the canonical form is a fixed point of xml-crypto ExclusiveCanonicalization', () => {
  const c14n = (el: Element | null) => {
    assert.ok(el);
    return new ExclusiveCanonicalization().process(el as never, {});
  };
  const expand = (s: string) =>
    s.replace(/&#x(85|2028|2029);/g, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)));

  for (const [name, params] of cases) {
    test(name, () => {
      const unsigned = canonicalAssertion(params);
      assert.equal(c14n(parseStrict(unsignedAssertion(params)).documentElement), unsigned);
      const signed = issueAssertion(params, key);
      // The whole signed assertion, signature included, is canonical too.
      assert.equal(c14n(parseStrict(signed).documentElement), expand(signed));
      // What we signed is SignedInfo as a verifier canonicalizes it: xmlns:ds appears on it.
      const signedInfo = parseStrict(signed).getElementsByTagNameNS(NS_DSIG, 'SignedInfo')[0];
      const text = /<ds:SignedInfo>.*<\/ds:SignedInfo>/.exec(signed)?.[0];
      assert.ok(text);
      assert.equal(
        c14n(signedInfo ?? null),
        text.replace('<ds:SignedInfo>', `<ds:SignedInfo xmlns:ds="${NS_DSIG}">`),
      );
    });
  }

  test('U+0085, U+2028, U+2029 travel as references (xmldom reads literal ones as LF)', () => {
    const params = baseParams('2.0', { subject: 'a\u0085b\u2028c\u2029d' });
    const signed = issueAssertion(params, key);
    assert.ok(signed.includes('a&#x85;b&#x2028;c&#x2029;d'));
    assert.ok(canonicalAssertion(params).includes('a\u0085b\u2028c\u2029d'));
    const nameId = rootOf(signed).getElementsByTagNameNS(NS_SAML2, 'NameID')[0];
    assert.equal(nameId?.textContent, params.subject);
  });
});

describe('issueAssertionWithXmlCrypto (reference implementation)', () => {
  for (const [name, params] of cases) {
    test(`same DigestValue and SignatureValue, and it verifies: ${name}`, () => {
      const ours = issueAssertion(params, key);
      const theirs = issueAssertionWithXmlCrypto(params, key);
      const values = (xml: string) =>
        ['DigestValue', 'SignatureValue'].map(
          (n) => parseStrict(xml).getElementsByTagNameNS(NS_DSIG, n)[0]?.textContent,
        );
      assert.deepEqual(values(theirs), values(ours));
      assert.deepEqual(verifyWithXmlCrypto(theirs, key.certificatePem, params.samlVersion), [
        canonicalAssertion(params),
      ]);
    });
  }
});

describe('the assertion stands alone when cut out of a SOAP envelope', () => {
  for (const version of ['1.1', '2.0'] as const) {
    const params = baseParams(version, { subject: TRICKY });
    const assertion = issueAssertion(params, key);
    // Ancestors bind a default namespace, rebind saml/saml2/ds to other URIs, and bind ds rightly.
    const envelopes = [
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns="urn:default" ' +
        'xmlns:saml="urn:not-saml" xmlns:saml2="urn:not-saml2" xmlns:ds="urn:not-ds">' +
        `<s:Body><t:RSTR xmlns:t="urn:t" t:a="1">\n  ${assertion}\n</t:RSTR></s:Body></s:Envelope>`,
      `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:ds="${NS_DSIG}">` +
        `<s:Body xmlns:saml="${NS_SAML1}" xmlns:saml2="${NS_SAML2}">${assertion}</s:Body></s:Envelope>`,
    ];
    envelopes.forEach((envelope, i) => {
      test(`SAML ${version}, envelope ${i + 1}: verifies inside, and as the exact substring`, (t) => {
        const refs = verifyWithXmlCrypto(envelope, key.certificatePem, version);
        assert.deepEqual(refs, [canonicalAssertion(params)]);
        const start = envelope.indexOf(
          version === '1.1' ? '<saml:Assertion ' : '<saml2:Assertion ',
        );
        const endTag = version === '1.1' ? '</saml:Assertion>' : '</saml2:Assertion>';
        const extracted = envelope.slice(start, envelope.indexOf(endTag) + endTag.length);
        assert.equal(extracted, assertion);
        assert.deepEqual(verifyWithXmlCrypto(extracted, key.certificatePem, version), refs);
        if (xmlsecSkip.skip !== false) return t.skip(xmlsecSkip.skip);
        assertXmlsecVerifies(envelope, key.certificatePem, version);
        assertXmlsecVerifies(extracted, key.certificatePem, version);
      });
    });
  }
});

describe('tampering makes both verifiers fail', () => {
  function refusedByBoth(xml: string, version: '1.1' | '2.0', t: { skip(m: string): void }) {
    assert.equal(xmlCryptoAccepts(xml, key.certificatePem, version), false, 'xml-crypto accepted');
    if (xmlsecSkip.skip !== false) return t.skip(xmlsecSkip.skip);
    assert.equal(xmlsecVerify(xml, key.certificatePem, version).ok, false, 'xmlsec1 accepted');
  }

  for (const version of ['1.1', '2.0'] as const) {
    const params = baseParams(version);
    test(`SAML ${version}: one character of the subject`, (t) => {
      const signed = issueAssertion(params, key);
      const tampered = signed.replace('>alice@example.com<', '>alicf@example.com<');
      assert.notEqual(tampered, signed);
      refusedByBoth(tampered, version, t);
    });
    test(`SAML ${version}: one character of the SignatureValue`, (t) => {
      const signed = issueAssertion(params, key);
      const at = signed.indexOf('<ds:SignatureValue>') + '<ds:SignatureValue>'.length + 20;
      const tampered = `${signed.slice(0, at)}${signed[at] === 'A' ? 'B' : 'A'}${signed.slice(at + 1)}`;
      refusedByBoth(tampered, version, t);
    });
    test(`SAML ${version}: one character of the DigestValue`, (t) => {
      const signed = issueAssertion(params, key);
      const at = signed.indexOf('<ds:DigestValue>') + '<ds:DigestValue>'.length + 5;
      const tampered = `${signed.slice(0, at)}${signed[at] === 'A' ? 'B' : 'A'}${signed.slice(at + 1)}`;
      refusedByBoth(tampered, version, t);
    });
    test(`SAML ${version}: re-signed by another key, its certificate in KeyInfo`, (t) => {
      const forged = issueAssertion({ ...params, subject: 'admin@example.com' }, attacker);
      assert.ok(xmlCryptoAccepts(forged, attacker.certificatePem, version));
      refusedByBoth(forged, version, t);
    });
    test(`SAML ${version}: re-signed by another key, its RSAKeyValue in KeyInfo`, (t) => {
      const forged = issueAssertion({ ...params, subject: 'admin@example.com' }, attacker);
      const jwk = attacker.privateKey.export({ format: 'jwk' });
      const b64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64url').toString('base64');
      const keyValue =
        '<ds:KeyInfo><ds:KeyValue><ds:RSAKeyValue>' +
        `<ds:Modulus>${b64(jwk.n)}</ds:Modulus><ds:Exponent>${b64(jwk.e)}</ds:Exponent>` +
        '</ds:RSAKeyValue></ds:KeyValue></ds:KeyInfo>';
      const withKeyValue = forged.replace(/<ds:KeyInfo>.*<\/ds:KeyInfo>/, keyValue);
      assert.notEqual(withKeyValue, forged);
      refusedByBoth(withKeyValue, version, t);
    });
  }

  test('an unsigned assertion is refused', (t) => {
    const unsigned = unsignedAssertion(baseParams('1.1'));
    assert.throws(() => verifyWithXmlCrypto(unsigned, key.certificatePem, '1.1'));
    if (xmlsecSkip.skip !== false) return t.skip(xmlsecSkip.skip);
    assert.equal(xmlsecVerify(unsigned, key.certificatePem, '1.1').ok, false);
  });
});

describe('content', () => {
  test('SAML 1.1 has the same elements and attributes as an AD FS assertion', () => {
    const shape = (el: Element): string[] => {
      const attrs = Array.from({ length: el.attributes.length }, (_, i) => el.attributes.item(i))
        .map((a) => a?.name ?? '')
        .filter((n) => !n.startsWith('xmlns'))
        .sort();
      const kids = Array.from(el.childNodes).filter((n) => n.nodeType === 1) as Element[];
      return [`${el.namespaceURI}|${el.localName}[${attrs.join(',')}]`, ...kids.flatMap(shape)];
    };
    const rstr = readInterop('rstr/adfs-13-naturalcauses.rstr.xml').toString('utf8');
    const adfs = parseStrict(rstr).getElementsByTagNameNS(NS_SAML1, 'Assertion')[0];
    assert.ok(adfs);
    assert.deepEqual(shape(rootOf(issueAssertion(baseParams('1.1'), key))), shape(adfs));
  });

  test('SAML 1.1 values', () => {
    const root = rootOf(issueAssertion(baseParams('1.1'), key));
    assert.equal(root.getAttribute('MajorVersion'), '1');
    assert.equal(root.getAttribute('MinorVersion'), '1');
    assert.equal(root.getAttribute('IssueInstant'), '2026-11-29T10:00:00.000Z');
    const one = (local: string) => root.getElementsByTagNameNS(NS_SAML1, local)[0];
    assert.equal(one('Conditions')?.getAttribute('NotOnOrAfter'), '2026-11-29T11:00:00.000Z');
    assert.equal(one('ConfirmationMethod')?.textContent, SAML11_CM_BEARER);
    const authn = one('AuthenticationStatement');
    assert.equal(authn?.getAttribute('AuthenticationMethod'), SAML11_AM_PASSWORD);
    assert.equal(authn?.getAttribute('AuthenticationInstant'), '2026-11-29T09:59:59.984Z');
    const format = one('NameIdentifier')?.getAttribute('Format');
    assert.equal(format, 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified');
    assert.equal(root.lastChild?.localName, 'Signature');
  });

  test('SAML 2.0 values and signature placement', () => {
    const params = baseParams('2.0', { recipient: 'https://rp/token', nameIdFormat: 'urn:f' });
    const root = rootOf(issueAssertion(params, key));
    const kids = Array.from(root.childNodes).map((n) => (n as Element).localName);
    assert.deepEqual(kids, [
      'Issuer',
      'Signature',
      'Subject',
      'Conditions',
      'AttributeStatement',
      'AuthnStatement',
    ]);
    const one = (local: string) => root.getElementsByTagNameNS(NS_SAML2, local)[0];
    assert.equal(root.getAttribute('Version'), '2.0');
    assert.equal(one('NameID')?.getAttribute('Format'), 'urn:f');
    assert.equal(one('SubjectConfirmation')?.getAttribute('Method'), SAML2_CM_BEARER);
    const data = one('SubjectConfirmationData');
    assert.equal(data?.getAttribute('NotOnOrAfter'), '2026-11-29T11:00:00.000Z');
    assert.equal(data?.getAttribute('Recipient'), 'https://rp/token');
    assert.equal(one('AuthnContextClassRef')?.textContent, SAML2_AC_PASSWORD_PROTECTED_TRANSPORT);
    const formats = Array.from(root.getElementsByTagNameNS(NS_SAML2, 'Attribute')).map((a) =>
      a.getAttribute('NameFormat'),
    );
    assert.deepEqual(formats, [SAML2_ATTRNAME_FORMAT_URI, SAML2_ATTRNAME_FORMAT_UNSPECIFIED]);
    const noRecipient = rootOf(issueAssertion(baseParams('2.0'), key));
    const data2 = noRecipient.getElementsByTagNameNS(NS_SAML2, 'SubjectConfirmationData')[0];
    assert.equal(data2?.hasAttribute('Recipient'), false);
  });

  test('deterministic: same params and key, same bytes', () => {
    assert.equal(issueAssertion(baseParams('1.1'), key), issueAssertion(baseParams('1.1'), key));
  });
});
