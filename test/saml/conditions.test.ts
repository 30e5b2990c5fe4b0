/**
 * SAML bearer Conditions as SAML core evaluates them (2.0 §2.5.1, 1.1 §2.3.2.1) and the SAML 2.0
 * Recipient RFC 7522 §3 requires, on assertions crafted and then properly signed: every refusal is
 * the rule's, not a broken signature's.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AssertionParams } from '../../packages/idp/src/saml/types.ts';
import { SamlError } from '../../packages/psso-wstrust/src/errors.ts';
import { GRANT_TYPE } from '../../packages/psso-wstrust/src/protocol/grant-types.ts';
import {
  type SamlBearerPolicy,
  validateSamlBearer,
} from '../../packages/psso-wstrust/src/saml/bearer.ts';
import { editedAssertion, withConditions } from '../helpers/saml-craft.ts';
import { testSigningMaterial } from '../helpers/signing.ts';
import { baseParams, NOW } from '../idp/saml/support.ts';

const key = await testSigningMaterial();
const US = 'urn:federation:MicrosoftOnline';
const TOKEN_ENDPOINT = 'https://idp.example.com/psso/token';

function policy(): SamlBearerPolicy {
  return {
    trustedCertificates: [key.certificatePem],
    trustedIssuers: ['https://idp.example.com/adfs/services/trust'],
    audience: US,
    recipient: TOKEN_ENDPOINT,
    now: new Date(NOW.getTime() + 60_000),
    skewMs: 120_000,
    firstSeen: async () => true,
  };
}

const params = (v: '1.1' | '2.0', o: Partial<AssertionParams> = {}) =>
  baseParams(v, { recipient: TOKEN_ENDPOINT, ...o });

function validate(xml: string, v: '1.1' | '2.0') {
  return validateSamlBearer(
    Buffer.from(xml).toString('base64'),
    v === '1.1' ? GRANT_TYPE.saml11Bearer : GRANT_TYPE.saml2Bearer,
    policy(),
  );
}

async function accepted(xml: string, v: '1.1' | '2.0'): Promise<void> {
  assert.equal((await validate(xml, v)).subject, 'alice@example.com');
}

async function refused(xml: string, v: '1.1' | '2.0', code: string): Promise<void> {
  await assert.rejects(validate(xml, v), (e) => e instanceof SamlError && e.code === code);
}

const ar2 = (...audiences: string[]) =>
  `<saml2:AudienceRestriction>${audiences.map((a) => `<saml2:Audience>${a}</saml2:Audience>`).join('')}</saml2:AudienceRestriction>`;
const ar1 = (...audiences: string[]) =>
  `<saml:AudienceRestrictionCondition>${audiences.map((a) => `<saml:Audience>${a}</saml:Audience>`).join('')}</saml:AudienceRestrictionCondition>`;
const c2 = (inner: string) => withConditions(params('2.0'), inner, key);
const c1 = (inner: string) => withConditions(params('1.1'), inner, key);

describe('SAML 2.0 Conditions (core §2.5.1)', () => {
  test('control: one AudienceRestriction naming us', () => accepted(c2(ar2(US)), '2.0'));
  test('OR within one AudienceRestriction: several audiences, one of them us', () =>
    accepted(c2(ar2('urn:other', US)), '2.0'));
  test('audience restrictions are ANDed: a second AudienceRestriction that does not name us refuses', () =>
    refused(c2(ar2(US) + ar2('urn:other')), '2.0', 'PSSO_ERR_SAML_AUDIENCE'));
  test('two AudienceRestrictions, each naming us among others, are accepted', () =>
    accepted(c2(ar2(US, 'urn:a') + ar2('urn:b', US)), '2.0'));
  test('ProxyRestriction audience smuggling: our Audience only inside ProxyRestriction does not count', () =>
    refused(
      c2(
        `${ar2('urn:other')}<saml2:ProxyRestriction Count="1"><saml2:Audience>${US}</saml2:Audience></saml2:ProxyRestriction>`,
      ),
      '2.0',
      'PSSO_ERR_SAML_AUDIENCE',
    ));
  test('ProxyRestriction naming us and no AudienceRestriction: refused (no audience restriction)', () =>
    refused(
      c2(`<saml2:ProxyRestriction><saml2:Audience>${US}</saml2:Audience></saml2:ProxyRestriction>`),
      '2.0',
      'PSSO_ERR_SAML_AUDIENCE',
    ));
  test('ProxyRestriction beside an AudienceRestriction naming us is understood', () =>
    accepted(c2(`${ar2(US)}<saml2:ProxyRestriction Count="0"></saml2:ProxyRestriction>`), '2.0'));
  test('OneTimeUse is understood', () => accepted(c2(`${ar2(US)}<saml2:OneTimeUse/>`), '2.0'));
  test('two OneTimeUse or two ProxyRestriction elements (at most one each, core §2.5.1.5–6) are refused', async () => {
    await refused(
      c2(`${ar2(US)}<saml2:OneTimeUse/><saml2:OneTimeUse/>`),
      '2.0',
      'PSSO_ERR_SAML_CONDITIONS',
    );
    await refused(
      c2(`${ar2(US)}<saml2:ProxyRestriction/><saml2:ProxyRestriction/>`),
      '2.0',
      'PSSO_ERR_SAML_CONDITIONS',
    );
  });
  test('a Condition with an xsi:type we do not understand makes the assertion invalid', () =>
    refused(
      c2(
        `${ar2(US)}<saml2:Condition xmlns:x="urn:example:conditions" xsi:type="x:DeviceCompliant"/>`,
      ),
      '2.0',
      'PSSO_ERR_SAML_CONDITIONS',
    ));
  test('a condition element from another namespace makes the assertion invalid', () =>
    refused(
      c2(`${ar2(US)}<x:OnlyOnTuesdays xmlns:x="urn:example:conditions"/>`),
      '2.0',
      'PSSO_ERR_SAML_CONDITIONS',
    ));
  test('an unknown element in the SAML namespace makes the assertion invalid', () =>
    refused(c2(`${ar2(US)}<saml2:DoNotCacheCondition/>`), '2.0', 'PSSO_ERR_SAML_CONDITIONS'));
  test('no audience restriction at all is refused', () =>
    refused(c2(''), '2.0', 'PSSO_ERR_SAML_AUDIENCE'));
  test('an audience nested elsewhere (not a direct Audience child) does not count', () =>
    refused(
      c2(
        `<saml2:AudienceRestriction><saml2:Audience>urn:other</saml2:Audience><x:Wrap xmlns:x="urn:x"><saml2:Audience>${US}</saml2:Audience></x:Wrap></saml2:AudienceRestriction>`,
      ),
      '2.0',
      'PSSO_ERR_SAML_AUDIENCE',
    ));
});

describe('SAML 1.1 Conditions (core §2.3.2.1)', () => {
  test('control: one AudienceRestrictionCondition naming us', () => accepted(c1(ar1(US)), '1.1'));
  test('AudienceRestrictionConditions are ANDed', () =>
    refused(c1(ar1(US) + ar1('urn:other')), '1.1', 'PSSO_ERR_SAML_AUDIENCE'));
  test('DoNotCacheCondition is understood', () =>
    accepted(c1(`${ar1(US)}<saml:DoNotCacheCondition/>`), '1.1'));
  test('a Condition with an xsi:type we do not understand makes the assertion invalid', () =>
    refused(
      c1(
        `${ar1(US)}<saml:Condition xmlns:x="urn:example:conditions" xsi:type="x:DeviceCompliant"/>`,
      ),
      '1.1',
      'PSSO_ERR_SAML_CONDITIONS',
    ));
  test('a SAML 2.0 OneTimeUse inside a SAML 1.1 assertion is not understood', () =>
    refused(
      c1(`${ar1(US)}<saml2:OneTimeUse xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion"/>`),
      '1.1',
      'PSSO_ERR_SAML_CONDITIONS',
    ));
  test('no AudienceRestrictionCondition is refused', () =>
    refused(c1('<saml:DoNotCacheCondition/>'), '1.1', 'PSSO_ERR_SAML_AUDIENCE'));
});

describe('SAML 2.0 SubjectConfirmationData (RFC 7522 §3)', () => {
  const edited = (edit: (xml: string) => string) => editedAssertion(params('2.0'), edit, key);
  test('no Recipient: refused (the assertion could be meant for any endpoint)', () =>
    refused(
      edited((x) => x.replace(/ Recipient="[^"]*"/, '')),
      '2.0',
      'PSSO_ERR_SAML_RECIPIENT',
    ));
  test('another Recipient: refused', () =>
    refused(
      editedAssertion(params('2.0', { recipient: 'https://sp.example.com/acs' }), (x) => x, key),
      '2.0',
      'PSSO_ERR_SAML_RECIPIENT',
    ));
  test('no SubjectConfirmationData: refused', () =>
    refused(
      edited((x) =>
        x.replace(/<saml2:SubjectConfirmationData[^>]*><\/saml2:SubjectConfirmationData>/, ''),
      ),
      '2.0',
      'PSSO_ERR_SAML_RECIPIENT',
    ));
  test('a second bearer confirmation for another Recipient: refused', () =>
    refused(
      edited((x) =>
        x.replace(
          '</saml2:SubjectConfirmation>',
          '</saml2:SubjectConfirmation><saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml2:SubjectConfirmationData NotOnOrAfter="2026-11-29T11:00:00.000Z" Recipient="https://sp.example.com/acs"></saml2:SubjectConfirmationData></saml2:SubjectConfirmation>',
        ),
      ),
      '2.0',
      'PSSO_ERR_SAML_RECIPIENT',
    ));
  test('no NotOnOrAfter on the bearer confirmation: refused', () =>
    refused(
      edited((x) => x.replace(/(<saml2:SubjectConfirmationData) NotOnOrAfter="[^"]*"/, '$1')),
      '2.0',
      'PSSO_ERR_SAML_CONDITIONS',
    ));
  test('control: the Recipient of this token endpoint is accepted', () =>
    accepted(
      edited((x) => x),
      '2.0',
    ));
});
