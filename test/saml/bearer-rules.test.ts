import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { issueAssertion, unsignedAssertion } from '../../packages/idp/src/saml/index.ts';
import { GRANT_TYPE } from '../../packages/psso-wstrust/src/protocol/grant-types.ts';
import {
  type BearerRulesPolicy,
  type BearerRulesReport,
  evaluateSamlBearerRules,
} from '../../packages/psso-wstrust/src/saml/bearer-rules.ts';
import { makeSigningMaterial, testSigningMaterial } from '../helpers/signing.ts';
import { baseParams, NOW } from '../idp/saml/support.ts';

const key = await testSigningMaterial();
const other = await makeSigningMaterial('CN=another token signer');
const RECIPIENT = 'https://idp.example.com/psso/token';
const URN = 'urn:federation:MicrosoftOnline';

const policy = (extra: Partial<BearerRulesPolicy> = {}): BearerRulesPolicy => ({
  trustedCertificates: [key.certificatePem],
  audience: URN,
  recipient: RECIPIENT,
  now: new Date(NOW.getTime() + 60_000),
  skewMs: 120_000,
  ...extra,
});
const signed20 = issueAssertion(baseParams('2.0', { recipient: RECIPIENT }), key);
const status = (r: BearerRulesReport) =>
  Object.fromEntries(r.results.map((x) => [x.id, x.code ?? x.status]));

describe('RFC 7522 rules judged one by one (psso-wstrust saml)', () => {
  test('a good SAML 2.0 assertion passes every rule, read from the signed content', () => {
    const r = evaluateSamlBearerRules(signed20, undefined, policy());
    assert.equal(r.verdict, 'valid');
    assert.equal(r.readFromSignedContent, true);
    assert.ok(
      r.results.every((x) => x.status === 'pass'),
      JSON.stringify(r.results),
    );
  });
  test('SAML 1.1: the recipient rule is not applicable, the assertion valid', () => {
    const r = evaluateSamlBearerRules(issueAssertion(baseParams('1.1'), key), undefined, policy());
    assert.equal(r.verdict, 'valid');
    assert.equal(status(r)['saml.recipient'], 'not-applicable');
  });
  test('no signing certificate: the signature is not checked, so the assertion is not valid', () => {
    const { trustedCertificates: _, ...rest } = policy();
    const r = evaluateSamlBearerRules(signed20, undefined, rest);
    assert.equal(r.verdict, 'unverified');
    assert.equal(status(r)['saml.signature'], 'not-checked');
    assert.equal(r.readFromSignedContent, false);
  });
  test('no audience and no recipient: both not checked', () => {
    const { audience: _a, recipient: _r, ...rest } = policy();
    const r = evaluateSamlBearerRules(signed20, undefined, rest);
    assert.equal(r.verdict, 'unverified');
    assert.equal(status(r)['saml.audience'], 'not-checked');
    assert.equal(status(r)['saml.recipient'], 'not-checked');
  });
  test('an unsigned assertion fails the signature rule even without a certificate', () => {
    const { trustedCertificates: _, ...rest } = policy();
    const r = evaluateSamlBearerRules(
      unsignedAssertion(baseParams('2.0', { recipient: RECIPIENT })),
      undefined,
      rest,
    );
    assert.equal(status(r)['saml.signature'], 'PSSO_ERR_SAML_SIGNATURE');
    assert.equal(r.verdict, 'invalid');
  });
  test('wrong certificate: the signature fails and the other rules are still judged on the document as sent', () => {
    const r = evaluateSamlBearerRules(
      signed20,
      undefined,
      policy({ trustedCertificates: [other.certificatePem] }),
    );
    assert.equal(status(r)['saml.signature'], 'PSSO_ERR_SAML_SIGNATURE');
    assert.equal(status(r)['saml.audience'], 'pass');
    assert.equal(r.readFromSignedContent, false);
    assert.equal(r.verdict, 'invalid');
  });
  test('wrong audience: PSSO_ERR_SAML_AUDIENCE on saml.audience only', () => {
    const r = evaluateSamlBearerRules(signed20, undefined, policy({ audience: 'urn:other' }));
    assert.deepEqual(
      r.results.filter((x) => x.status === 'fail').map((x) => [x.id, x.code]),
      [['saml.audience', 'PSSO_ERR_SAML_AUDIENCE']],
    );
  });
  test('wrong recipient: PSSO_ERR_SAML_RECIPIENT', () => {
    const r = evaluateSamlBearerRules(
      signed20,
      undefined,
      policy({ recipient: 'https://elsewhere.example/token' }),
    );
    assert.equal(status(r)['saml.recipient'], 'PSSO_ERR_SAML_RECIPIENT');
  });
  test('expired and wrong audience at once: both listed (no fail-fast)', () => {
    const r = evaluateSamlBearerRules(
      signed20,
      undefined,
      policy({ audience: 'urn:other', now: new Date(NOW.getTime() + 3 * 3600_000) }),
    );
    assert.equal(status(r)['saml.conditions'], 'PSSO_ERR_SAML_CONDITIONS');
    assert.equal(status(r)['saml.audience'], 'PSSO_ERR_SAML_AUDIENCE');
    assert.match(r.results.find((x) => x.id === 'saml.conditions')?.message ?? '', /expired/);
  });
  test('grant type against the version, and trusted issuers', () => {
    const r = evaluateSamlBearerRules(
      signed20,
      GRANT_TYPE.saml11Bearer,
      policy({ trustedIssuers: ['https://other.example/trust'] }),
    );
    assert.equal(status(r)['saml.grant-type'], 'PSSO_ERR_SAML_GRANT_MISMATCH');
    assert.equal(status(r)['saml.issuer'], 'PSSO_ERR_SAML_ISSUER');
  });
  test('not XML at all: the signature fails and every other rule says it could not be read', () => {
    const r = evaluateSamlBearerRules('<saml2:Assertion', undefined, policy());
    assert.equal(status(r)['saml.signature'], 'PSSO_ERR_SAML_MALFORMED');
    assert.ok(r.results.slice(1).every((x) => x.status === 'not-checked'));
  });
});
