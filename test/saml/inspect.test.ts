import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import { issueAssertion, unsignedAssertion } from '../../packages/idp/src/saml/index.ts';
import { SamlError } from '../../packages/psso-wstrust/src/errors.ts';
import { INSPECT_LIMITS, inspectAssertion } from '../../packages/psso-wstrust/src/saml/inspect.ts';
import { adfsAssertion } from '../helpers/adfs-sha1.ts';
import { testSigningMaterial } from '../helpers/signing.ts';
import { baseParams, NOW } from '../idp/saml/support.ts';

const key = await testSigningMaterial();
const RECIPIENT = 'https://idp.example.com/psso/token';

describe('the SAML inspector (read-only view of an assertion)', () => {
  for (const v of ['1.1', '2.0'] as const) {
    test(`SAML ${v}: issuer, audiences, subject, attributes, window, confirmation, algorithms, KeyInfo certificate`, () => {
      const view = inspectAssertion(
        issueAssertion(baseParams(v, v === '2.0' ? { recipient: RECIPIENT } : {}), key),
      );
      assert.equal(view.samlVersion, v);
      assert.equal(view.id, baseParams(v).id);
      assert.equal(view.issuer, 'https://idp.example.com/adfs/services/trust');
      assert.equal(view.issueInstant, NOW.toISOString());
      assert.deepEqual(view.audiences, [['urn:federation:MicrosoftOnline']]);
      assert.equal(view.subject?.nameId, 'alice@example.com');
      assert.equal(view.subject?.format, 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified');
      assert.deepEqual(view.conditions, {
        notBefore: NOW.toISOString(),
        notOnOrAfter: new Date(NOW.getTime() + 3600_000).toISOString(),
      });
      assert.equal(view.attributes.length, 2);
      assert.deepEqual(view.attributes[0]?.values, ['alice@example.com']);
      if (v === '1.1') {
        assert.equal(view.attributes[0]?.name, 'UPN');
        assert.equal(view.attributes[0]?.namespace, 'http://schemas.xmlsoap.org/claims');
        assert.deepEqual(view.confirmations, [{ method: 'urn:oasis:names:tc:SAML:1.0:cm:bearer' }]);
      } else {
        assert.equal(view.attributes[0]?.name, 'http://schemas.xmlsoap.org/claims/UPN');
        assert.equal(view.confirmations[0]?.method, 'urn:oasis:names:tc:SAML:2.0:cm:bearer');
        assert.equal(view.confirmations[0]?.recipient, RECIPIENT);
      }
      assert.equal(view.signature?.algorithmName, 'RSA-SHA256');
      assert.equal(view.signature?.digestName, 'SHA-256');
      assert.equal(view.signature?.sha1, false);
      assert.equal(view.signature?.allowed, true);
      const cert = new X509Certificate(key.certificatePem);
      assert.equal(view.signingCertificate?.sha256Fingerprint, cert.fingerprint256);
      assert.equal(view.signingCertificate?.subject, 'CN=psso-wstrust test token signing');
      assert.equal(view.signingCertificate?.validTo, new Date(cert.validTo).toISOString());
    });
    test(`SAML ${v}: an unsigned assertion has no signature and no certificate`, () => {
      const view = inspectAssertion(unsignedAssertion(baseParams(v)));
      assert.equal(view.signature, undefined);
      assert.equal(view.signingCertificate, undefined);
    });
  }
  test('the real AD FS assertion: SAML 1.1, RSA-SHA1, UPN and ImmutableID, its signing certificate', () => {
    const view = inspectAssertion(adfsAssertion());
    assert.equal(view.issuer, 'http://fs.naturalcauses.com/adfs/services/trust');
    assert.deepEqual(view.audiences, [['urn:federation:MicrosoftOnline']]);
    assert.equal(view.subject?.nameId, '43YRzTrh+Ue8eTecnqLAxQ==');
    assert.deepEqual(
      view.attributes.map((a) => [a.name, a.values[0]]),
      [
        ['UPN', 'frizzo@naturalcauses.com'],
        ['ImmutableID', '43YRzTrh+Ue8eTecnqLAxQ=='],
      ],
    );
    assert.equal(view.authentication?.method, 'urn:oasis:names:tc:SAML:1.0:am:password');
    assert.equal(view.signature?.algorithm, 'http://www.w3.org/2000/09/xmldsig#rsa-sha1');
    assert.equal(view.signature?.sha1, true);
    assert.equal(view.signature?.allowed, false);
    assert.equal(view.signingCertificate?.subject, 'CN=ADFS Signing - fs.naturalcauses.com');
    assert.equal(view.signingCertificate?.validTo, '2014-11-10T02:11:49.000Z');
  });
  test('peer text is sanitized and lists are capped (attribute flood)', () => {
    const values = Array.from({ length: 40 }, (_, i) => `v${i}\u0085`);
    const attributes = Array.from({ length: 100 }, (_, i) => ({
      name: `a${i}`,
      namespace: 'urn:x',
      values,
    }));
    const view = inspectAssertion(unsignedAssertion(baseParams('1.1', { attributes })));
    assert.equal(view.attributes.length, INSPECT_LIMITS.attributes);
    assert.equal(view.attributesLeftOff, 100 - INSPECT_LIMITS.attributes);
    assert.equal(view.attributes[0]?.values.length, INSPECT_LIMITS.values);
    assert.equal(view.attributes[0]?.valuesLeftOff, 40 - INSPECT_LIMITS.values);
    assert.equal(view.attributes[0]?.values[0], 'v0');
  });
  test('an unknown signature algorithm is named "unknown", the URI only sanitized', () => {
    const xml = issueAssertion(baseParams('1.1'), key).replace(
      'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      'urn:evil:alg',
    );
    const view = inspectAssertion(xml);
    assert.equal(view.signature?.algorithm, 'unknown (not allowed)');
    assert.equal(view.signature?.peerAlgorithm, 'urn:evil:alg');
  });
  test('a document that is not an assertion is PSSO_ERR_SAML_MALFORMED', () => {
    assert.throws(
      () => inspectAssertion('<a/>'),
      (e) => e instanceof SamlError && e.code === 'PSSO_ERR_SAML_MALFORMED',
    );
  });
});
