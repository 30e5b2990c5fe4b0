import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type AssertionParams,
  canonicalAssertion,
  DEFAULT_NAME_ID_FORMAT,
  issueAssertion,
  issueAssertionWithXmlCrypto,
  type SamlAttribute,
} from '../../../packages/idp/src/saml/index.ts';
import {
  NS_DSIG,
  NS_SAML1,
  NS_SAML2,
} from '../../../packages/psso-wstrust/src/protocol/namespaces.ts';
import { testSigningMaterial } from '../../helpers/signing.ts';
import {
  assertXmlsecVerifies,
  parseStrict,
  rootOf,
  verifyWithXmlCrypto,
  xmlString,
  xmlsecSkip,
} from './support.ts';

const key = await testSigningMaterial();

const attribute: fc.Arbitrary<SamlAttribute> = fc.record({
  name: xmlString(1),
  namespace: xmlString(1),
  values: fc.array(xmlString(0), { minLength: 1, maxLength: 3 }),
});

const id = fc.oneof(
  fc.uuid().map((u) => `_${u}`),
  fc.constantFrom('_', 'A', '_é-ü.1·', 'x\u0300', '_\u{10000}'),
);

const instant = fc.date({
  min: new Date('0001-01-01T00:00:00.000Z'),
  max: new Date('9000-01-01T00:00:00.000Z'),
  noInvalidDate: true,
});

const params: fc.Arbitrary<AssertionParams> = fc
  .record({
    samlVersion: fc.constantFrom('1.1' as const, '2.0' as const),
    id,
    issuer: xmlString(1),
    issueInstant: instant,
    notBefore: instant,
    lifetime: fc.integer({ min: 1, max: 10 * 365 * 86400_000 }),
    audience: xmlString(1),
    subject: xmlString(1),
    nameIdFormat: fc.option(xmlString(1), { nil: undefined }),
    recipient: fc.option(xmlString(1), { nil: undefined }),
    attributes: fc.array(attribute, { maxLength: 3 }),
    authnInstant: instant,
  })
  .map(({ lifetime, nameIdFormat, recipient, ...p }) => ({
    ...p,
    notOnOrAfter: new Date(p.notBefore.getTime() + lifetime),
    ...(nameIdFormat === undefined ? {} : { nameIdFormat }),
    ...(recipient === undefined ? {} : { recipient }),
  }));

/** The values a relying party reads, from the signed text parsed by @xmldom/xmldom. */
function readBack(xml: string, version: '1.1' | '2.0') {
  const root = rootOf(xml);
  const ns = version === '1.1' ? NS_SAML1 : NS_SAML2;
  const all = (local: string) => Array.from(root.getElementsByTagNameNS(ns, local));
  const values = (a: { getElementsByTagNameNS: typeof root.getElementsByTagNameNS }) =>
    Array.from(a.getElementsByTagNameNS(ns, 'AttributeValue')).map((v) => v.textContent);
  const names = all(version === '1.1' ? 'NameIdentifier' : 'NameID');
  return {
    id: root.getAttribute(version === '1.1' ? 'AssertionID' : 'ID'),
    issuer: version === '1.1' ? root.getAttribute('Issuer') : all('Issuer')[0]?.textContent,
    audience: all('Audience')[0]?.textContent,
    subjects: names.map((n) => n.textContent),
    formats: names.map((n) => n.getAttribute('Format')),
    recipient:
      version === '1.1' ? null : all('SubjectConfirmationData')[0]?.getAttribute('Recipient'),
    attributes: all('Attribute').map((a) =>
      version === '1.1'
        ? [a.getAttribute('AttributeName'), a.getAttribute('AttributeNamespace'), values(a)]
        : [a.getAttribute('Name'), values(a)],
    ),
  };
}

function expected(p: AssertionParams) {
  const subjects = p.samlVersion === '1.1' && p.attributes.length > 0 ? 2 : 1;
  return {
    id: p.id,
    issuer: p.issuer,
    audience: p.audience,
    subjects: Array<string>(subjects).fill(p.subject),
    formats: Array<string>(subjects).fill(p.nameIdFormat ?? DEFAULT_NAME_ID_FORMAT),
    recipient: p.samlVersion === '1.1' ? null : (p.recipient ?? null),
    attributes: p.attributes.map((a) =>
      p.samlVersion === '1.1' ? [a.name, a.namespace, [...a.values]] : [a.name, [...a.values]],
    ),
  };
}

describe('property: arbitrary values full of characters canonicalization escapes', () => {
  test('every assertion verifies with xml-crypto and reads back exactly', () => {
    fc.assert(
      fc.property(params, (p) => {
        const signed = issueAssertion(p, key);
        const refs = verifyWithXmlCrypto(signed, key.certificatePem, p.samlVersion);
        assert.deepEqual(refs, [canonicalAssertion(p)]);
        assert.deepEqual(readBack(signed, p.samlVersion), expected(p));
      }),
      { numRuns: 150 },
    );
  });

  test('xml-crypto signing the same text gives the same DigestValue and SignatureValue', () => {
    const values = (xml: string) =>
      ['DigestValue', 'SignatureValue'].map(
        (n) => parseStrict(xml).getElementsByTagNameNS(NS_DSIG, n)[0]?.textContent,
      );
    fc.assert(
      fc.property(params, (p) => {
        assert.deepEqual(
          values(issueAssertionWithXmlCrypto(p, key)),
          values(issueAssertion(p, key)),
        );
      }),
      { numRuns: 30 },
    );
  });

  test(
    'every assertion verifies with xmlsec1 (smaller sample: one process each)',
    xmlsecSkip,
    () => {
      fc.assert(
        fc.property(params, (p) => {
          assertXmlsecVerifies(issueAssertion(p, key), key.certificatePem, p.samlVersion);
        }),
        { numRuns: 30 },
      );
    },
  );
});
