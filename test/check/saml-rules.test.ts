/**
 * The assertion rules on crafted assertions: an RSA-SHA1 signature is a warning naming the
 * relying-party setting that changes it (and still verifies); a wrong audience fails; an
 * assertion with the Entra claims passes them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignedXml } from 'xml-crypto';
import { judgeSaml } from '../../packages/psso-wstrust/src/check/rules/saml.ts';
import { saml11Assertion } from '../helpers/responses.ts';
import { testSigningMaterial } from '../helpers/signing.ts';

const URN = 'urn:federation:MicrosoftOnline';

async function signedSha1(xml: string) {
  const key = await testSigningMaterial();
  const signed = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.certificatePem,
    signatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    idAttribute: 'AssertionID',
  });
  signed.addReference({
    xpath: '/*',
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: 'http://www.w3.org/2000/09/xmldsig#sha1',
  });
  signed.computeSignature(xml, { prefix: 'ds', location: { reference: '/*', action: 'append' } });
  return { xml: signed.getSignedXml(), cert: key.certificatePem };
}

test('an RSA-SHA1 signature: saml.signing-certificate warns with Set-AdfsRelyingPartyTrust -SignatureAlgorithm', async () => {
  const { xml, cert } = await signedSha1(saml11Assertion());
  const rules = judgeSaml(xml, {
    urn: URN,
    signingCertificates: [cert],
    evidence: [1],
    now: new Date(),
  });
  const byId = new Map(rules.map((r) => [r.id, r]));
  assert.equal(byId.get('saml.signature')?.status, 'pass');
  const cert1 = byId.get('saml.signing-certificate');
  assert.equal(cert1?.status, 'warn');
  assert.match(cert1?.got ?? '', /xmldsig#rsa-sha1/);
  assert.match(
    cert1?.remediation?.adfs ?? '',
    /Set-AdfsRelyingPartyTrust .*-SignatureAlgorithm http:\/\/www\.w3\.org\/2001\/04\/xmldsig-more#rsa-sha256/,
  );
  assert.deepEqual(cert1?.evidence, [1]);
});

test('an audience other than the URN: saml.audience fails with both values', async () => {
  const rules = judgeSaml(saml11Assertion(), {
    urn: 'urn:example:other',
    signingCertificates: [],
    evidence: [0],
    now: new Date(),
  });
  const r = rules.find((x) => x.id === 'saml.audience');
  assert.equal(r?.status, 'fail');
  assert.equal(r?.expected, 'urn:example:other');
  assert.equal(r?.got, URN);
});

test('UPN and ImmutableID attributes present: saml.entra-claims passes', () => {
  const xml = saml11Assertion().replace(
    '</saml:AttributeStatement>',
    '<saml:Attribute AttributeName="UPN" AttributeNamespace="http://schemas.xmlsoap.org/claims"><saml:AttributeValue>a@example.com</saml:AttributeValue></saml:Attribute>' +
      '<saml:Attribute AttributeName="ImmutableID" AttributeNamespace="http://schemas.microsoft.com/LiveID/Federation/2008/05"><saml:AttributeValue>AAAA</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>',
  );
  const r = judgeSaml(xml, {
    urn: URN,
    signingCertificates: [],
    evidence: [0],
    now: new Date(),
  }).find((x) => x.id === 'saml.entra-claims');
  assert.equal(r?.status, 'pass');
  const missing = judgeSaml(saml11Assertion(), {
    urn: URN,
    signingCertificates: [],
    evidence: [0],
    now: new Date(),
  }).find((x) => x.id === 'saml.entra-claims');
  assert.equal(missing?.status, 'warn');
  assert.match(missing?.got ?? '', /missing: UPN, ImmutableID/);
});
