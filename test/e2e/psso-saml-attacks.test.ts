import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { issueAssertion } from '../../packages/idp/src/saml/index.ts';
import type { AssertionParams } from '../../packages/idp/src/saml/types.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import type { SamlVersion } from '../../packages/psso-wstrust/src/protocol/grant-types.ts';
import { generateDeviceKeys } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { editedAssertion, withConditions } from '../helpers/saml-craft.ts';
import { samlBearerJwt, tokenRequest } from './logins.ts';
import { enrol, startTestIdp, type TestIdp } from './support.ts';

const keys = generateDeviceKeys();
let idp: TestIdp;
let signing: {
  privateKey: ReturnType<typeof createPrivateKey>;
  certificateDer: Uint8Array;
  certificatePem: string;
};
before(async () => {
  idp = await startTestIdp();
  await enrol(idp.dataDir, keys);
  signing = {
    privateKey: createPrivateKey(readFileSync(join(idp.dataDir, 'signing-key.pem'))),
    certificateDer: new X509Certificate(readFileSync(join(idp.dataDir, 'signing-cert.pem'))).raw,
    certificatePem: readFileSync(join(idp.dataDir, 'signing-cert.pem'), 'utf8'),
  };
});
after(async () => {
  await idp.close();
  await closeHttpAgents();
});

let serial = 0;
/** An assertion as the IdP's own STS would sign it, with overrides. */
function issued(o: Partial<AssertionParams> = {}): string {
  return issueAssertion(params(o), signing);
}

function params(o: Partial<AssertionParams> = {}): AssertionParams {
  const now = new Date();
  return {
    samlVersion: '1.1',
    id: `_attack-${++serial}-${Date.now()}`,
    issuer: `${idp.origin}/adfs/services/trust`,
    issueInstant: now,
    notBefore: now,
    notOnOrAfter: new Date(now.getTime() + 3600_000),
    audience: 'urn:federation:MicrosoftOnline',
    subject: idp.demoUser.upn,
    recipient: `${idp.origin}/psso/token`,
    attributes: [],
    authnInstant: now,
    ...o,
  };
}

const AUDIENCE = 'urn:federation:MicrosoftOnline';
const ar2 = (audience: string) =>
  `<saml2:AudienceRestriction><saml2:Audience>${audience}</saml2:Audience></saml2:AudienceRestriction>`;
/** A SAML 2.0 assertion with these Conditions, properly signed by the IdP's key. */
const saml2With = (conditions: string) =>
  withConditions(params({ samlVersion: '2.0' }), conditions, signing);

const post = async (xml: string, version: SamlVersion = '1.1') =>
  (await tokenRequest(idp, await samlBearerJwt(idp, keys, xml, version))).status;

async function refusedAs(code: string, xml: string, version: SamlVersion = '1.1'): Promise<void> {
  const before = await faults(code);
  assert.equal(await post(xml, version), 401);
  assert.equal(await faults(code), before + 1, `counted as ${code}`);
}

async function faults(code: string): Promise<number> {
  const text = Buffer.from(
    (await httpRequest({ method: 'GET', url: `${idp.origin}/metrics` }, { ca: idp.caPem })).body,
  ).toString();
  const m = new RegExp(`psso_idp_faults_total\\{reason="psso-refused:${code}"\\} (\\d+)`).exec(
    text,
  );
  return m === null ? 0 : Number(m[1]);
}

const upn = () => idp.demoUser.upn;

describe('the token endpoint refuses each SAML attack (end to end)', () => {
  test('control: the same kind of assertion, untouched, is accepted', async () =>
    assert.equal(await post(issued()), 200));
  test('unsigned', () =>
    refusedAs(
      'PSSO_ERR_SAML_SIGNATURE',
      issued().replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, ''),
    ));
  test('tampered subject', () =>
    refusedAs(
      'PSSO_ERR_SAML_SIGNATURE',
      issued().replaceAll(`>${upn()}<`, '>mallory@federated.example<'),
    ));
  test('HMAC keyed by the public key', () =>
    refusedAs(
      'PSSO_ERR_SAML_SIGNATURE',
      issued()
        .replace('xmldsig-more#rsa-sha256', 'xmldsig#hmac-sha1')
        .replace('http://www.w3.org/2001/04/xmlhmac-sha1', ''),
    ));
  test('two SignedInfo elements', () =>
    refusedAs(
      'PSSO_ERR_SAML_MALFORMED',
      issued().replace(/(<ds:SignedInfo>[\s\S]*?<\/ds:SignedInfo>)/, '$1$1'),
    ));
  test('duplicate ID attributes', () => {
    const xml = issued();
    const id = /AssertionID="([^"]+)"/.exec(xml)?.[1] ?? '';
    return refusedAs(
      'PSSO_ERR_SAML_MALFORMED',
      xml.replace('<saml:Conditions ', `<saml:Conditions AssertionID="${id}" `),
    );
  });
  test('a comment inside the NameIdentifier', () => {
    const [local, domain] = upn().split('@');
    return refusedAs(
      'PSSO_ERR_SAML_SUBJECT',
      issued().replace(`>${upn()}<`, `>${local}@<!---->${domain}<`),
    );
  });
  test('a processing instruction inside the NameIdentifier', () =>
    refusedAs('PSSO_ERR_SAML_SIGNATURE', issued().replace(`>${upn()}<`, `>${upn()}<?pi?><`)));
  test('two root elements', () => refusedAs('PSSO_ERR_SAML_MALFORMED', issued() + issued()));
  test('trailing bytes after the assertion', () =>
    refusedAs('PSSO_ERR_SAML_MALFORMED', `${issued()} trailing`));
  test('a wrapped signature (the signed assertion in Advice, an unsigned one where the reader looks)', () => {
    const outer = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" AssertionID="_outer" Issuer="${idp.origin}/adfs/services/trust" IssueInstant="${new Date().toISOString()}" MajorVersion="1" MinorVersion="1"><saml:Advice>${issued()}</saml:Advice></saml:Assertion>`;
    return refusedAs('PSSO_ERR_SAML_MALFORMED', outer);
  });
  test('expired', () =>
    refusedAs(
      'PSSO_ERR_SAML_CONDITIONS',
      issued({
        notBefore: new Date(Date.now() - 7200_000),
        notOnOrAfter: new Date(Date.now() - 3600_000),
        issueInstant: new Date(Date.now() - 7200_000),
      }),
    ));
  test('not yet valid', () =>
    refusedAs(
      'PSSO_ERR_SAML_CONDITIONS',
      issued({
        notBefore: new Date(Date.now() + 3600_000),
        notOnOrAfter: new Date(Date.now() + 7200_000),
      }),
    ));
  test('valid for ten years', () =>
    refusedAs(
      'PSSO_ERR_SAML_CONDITIONS',
      issued({ notOnOrAfter: new Date(Date.now() + 3650 * 86_400_000) }),
    ));
  test('wrong Audience', () =>
    refusedAs('PSSO_ERR_SAML_AUDIENCE', issued({ audience: 'urn:other' })));
  test('wrong Recipient (SAML 2.0)', () =>
    refusedAs(
      'PSSO_ERR_SAML_RECIPIENT',
      issued({ samlVersion: '2.0', recipient: 'https://evil.example/token' }),
      '2.0',
    ));
  test('a SAML 1.1 assertion under the saml2-bearer grant', () =>
    refusedAs('PSSO_ERR_SAML_GRANT_MISMATCH', issued(), '2.0'));
  test('a SAML 2.0 assertion under the saml1_1-bearer grant', () =>
    refusedAs('PSSO_ERR_SAML_GRANT_MISMATCH', issued({ samlVersion: '2.0' }), '1.1'));
  test('control: a SAML 2.0 assertion with crafted, valid Conditions is accepted', async () =>
    assert.equal(await post(saml2With(`${ar2(AUDIENCE)}<saml2:OneTimeUse/>`), '2.0'), 200));
  test('audience restrictions are ANDed: a second AudienceRestriction for another service', () =>
    refusedAs('PSSO_ERR_SAML_AUDIENCE', saml2With(ar2(AUDIENCE) + ar2('urn:other')), '2.0'));
  test('ProxyRestriction audience smuggling (our Audience only inside ProxyRestriction)', () =>
    refusedAs(
      'PSSO_ERR_SAML_AUDIENCE',
      saml2With(
        `${ar2('urn:other')}<saml2:ProxyRestriction><saml2:Audience>${AUDIENCE}</saml2:Audience></saml2:ProxyRestriction>`,
      ),
      '2.0',
    ));
  test('a Condition the token endpoint does not understand', () =>
    refusedAs(
      'PSSO_ERR_SAML_CONDITIONS',
      saml2With(`${ar2(AUDIENCE)}<saml2:Condition xmlns:x="urn:x" xsi:type="x:Custom"/>`),
      '2.0',
    ));
  test('no Recipient on the SAML 2.0 bearer confirmation (RFC 7522 §3)', () =>
    refusedAs(
      'PSSO_ERR_SAML_RECIPIENT',
      editedAssertion(
        params({ samlVersion: '2.0' }),
        (x) => x.replace(/ Recipient="[^"]*"/, ''),
        signing,
      ),
      '2.0',
    ));
  test('an untrusted Issuer', () =>
    refusedAs(
      'PSSO_ERR_SAML_ISSUER',
      issued({ issuer: 'https://evil.example/adfs/services/trust' }),
    ));
});
