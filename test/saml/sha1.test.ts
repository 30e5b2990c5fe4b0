import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { issueAssertion } from '../../packages/idp/src/saml/index.ts';
import { canonicalAssertion } from '../../packages/idp/src/saml/sign.ts';
import { SamlError } from '../../packages/psso-wstrust/src/errors.ts';
import {
  sha256RemediationText,
  UNKNOWN_ALGORITHM,
} from '../../packages/psso-wstrust/src/saml/algorithms.ts';
import {
  checkSignatureShape,
  verifyAssertionSignature,
} from '../../packages/psso-wstrust/src/saml/verify.ts';
import { adfsAssertion, adfsSigningCertPem } from '../helpers/adfs-sha1.ts';
import { SHA1_ALGORITHMS, signAssertionXml } from '../helpers/saml-craft.ts';
import { testSigningMaterial } from '../helpers/signing.ts';
import { baseParams } from '../idp/saml/support.ts';

const key = await testSigningMaterial();
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';

function refusal(fn: () => unknown): SamlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SamlError) return e;
    throw e;
  }
  assert.fail('expected a SamlError');
}

describe('RSA-SHA1 assertions (AD FS relying party trusts set to SHA-1)', () => {
  test('the real AD FS SHA-1 assertion is refused, naming RSA-SHA1 and the relying-party setting', () => {
    const e = refusal(() => verifyAssertionSignature(adfsAssertion(), [adfsSigningCertPem()]));
    assert.equal(e.code, 'PSSO_ERR_SAML_SIGNATURE');
    assert.equal(e.algorithm, RSA_SHA1);
    assert.match(e.message, /RSA-SHA1 \(http:\/\/www\.w3\.org\/2000\/09\/xmldsig#rsa-sha1\)/);
    assert.equal(e.remediation, sha256RemediationText());
    assert.match(
      e.remediation ?? '',
      /Set-AdfsRelyingPartyTrust -TargetName 'Microsoft Office 365 Identity Platform' -SignatureAlgorithm 'http:\/\/www\.w3\.org\/2001\/04\/xmldsig-more#rsa-sha256'/,
    );
  });
  test('allowSha1 accepts the real AD FS SHA-1 assertion and says SHA-1 was used', () => {
    const v = verifyAssertionSignature(adfsAssertion(), [adfsSigningCertPem()], {
      allowSha1: true,
    });
    assert.equal(v.samlVersion, '1.1');
    assert.equal(v.signatureAlgorithm, RSA_SHA1);
    assert.equal(v.sha1, true);
  });
  test('allowSha1 still needs the pinned key: a SHA-1 assertion by another key is refused', () => {
    const e = refusal(() =>
      verifyAssertionSignature(adfsAssertion(), [key.certificatePem], { allowSha1: true }),
    );
    assert.equal(e.code, 'PSSO_ERR_SAML_SIGNATURE');
    assert.equal(e.algorithm, undefined);
  });
  test('a SHA-256 signature over a SHA-1 digest is refused naming the digest', () => {
    const xml = signAssertionXml(canonicalAssertion(baseParams('2.0')), '2.0', key, {
      signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      digest: SHA1_ALGORITHMS.digest,
    });
    const e = refusal(() => verifyAssertionSignature(xml, [key.certificatePem]));
    assert.equal(e.algorithm, SHA1_ALGORITHMS.digest);
    assert.match(e.message, /digest algorithm is SHA-1/);
    assert.equal(
      verifyAssertionSignature(xml, [key.certificatePem], { allowSha1: true }).sha1,
      true,
    );
  });
  test('the former option name dangerouslyAllowSha1 still works', () => {
    const xml = signAssertionXml(
      canonicalAssertion(baseParams('1.1')),
      '1.1',
      key,
      SHA1_ALGORITHMS,
    );
    assert.equal(
      verifyAssertionSignature(xml, [key.certificatePem], { dangerouslyAllowSha1: true }).sha1,
      true,
    );
  });
  test('an unknown algorithm is "unknown (not allowed)"; its URI only sanitized and capped in peerAlgorithm', () => {
    const hostile = `urn:x:${'A'.repeat(300)}\u0085\u009f`;
    const xml = issueAssertion(baseParams('1.1'), key).replace(
      'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      hostile,
    );
    const e = refusal(() => verifyAssertionSignature(xml, [key.certificatePem]));
    assert.equal(e.code, 'PSSO_ERR_SAML_SIGNATURE');
    assert.equal(e.algorithm, UNKNOWN_ALGORITHM);
    assert.ok(!e.message.includes('urn:x:'), 'the message never carries the peer URI');
    assert.ok((e.peerAlgorithm ?? '').startsWith('urn:x:AAA'));
    assert.ok((e.peerAlgorithm ?? '').length <= 120);
    assert.ok(!/[\u0085\u009f]/.test(e.peerAlgorithm ?? ''));
  });
  test('checkSignatureShape judges algorithms without a key', () => {
    assert.equal(refusal(() => checkSignatureShape(adfsAssertion())).algorithm, RSA_SHA1);
    assert.equal(checkSignatureShape(adfsAssertion(), { allowSha1: true }).sha1, true);
  });
});
