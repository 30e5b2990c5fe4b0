import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { issueAssertion, unsignedAssertion } from '../../packages/idp/src/saml/index.ts';
import type { AssertionParams } from '../../packages/idp/src/saml/types.ts';
import { SamlError } from '../../packages/psso-wstrust/src/errors.ts';
import {
  GRANT_TYPE,
  type SamlGrantType,
} from '../../packages/psso-wstrust/src/protocol/grant-types.ts';
import {
  type SamlBearerPolicy,
  validateSamlBearer,
} from '../../packages/psso-wstrust/src/saml/bearer.ts';
import { makeSigningMaterial, testSigningMaterial } from '../helpers/signing.ts';
import { baseParams, NOW } from '../idp/saml/support.ts';

const idp = await testSigningMaterial();
const attacker = await makeSigningMaterial('CN=attacker');
const TOKEN_ENDPOINT = 'https://idp.example.com/psso/token';

function policy(extra: Partial<SamlBearerPolicy> = {}): SamlBearerPolicy {
  const seen = new Set<string>();
  return {
    trustedCertificates: [idp.certificatePem],
    trustedIssuers: ['https://idp.example.com/adfs/services/trust'],
    audience: 'urn:federation:MicrosoftOnline',
    recipient: TOKEN_ENDPOINT,
    now: new Date(NOW.getTime() + 60_000),
    skewMs: 120_000,
    firstSeen: async (issuer, id) => {
      const k = `${issuer}\0${id}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    },
    ...extra,
  };
}

const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
const grant = (v: '1.1' | '2.0'): SamlGrantType =>
  v === '1.1' ? GRANT_TYPE.saml11Bearer : GRANT_TYPE.saml2Bearer;
const signed = (v: '1.1' | '2.0', o: Partial<AssertionParams> = {}) =>
  issueAssertion(baseParams(v, { recipient: TOKEN_ENDPOINT, ...o }), idp);

async function refused(
  xml: string,
  v: '1.1' | '2.0',
  code: string,
  p = policy(),
  g = grant(v),
): Promise<void> {
  await assert.rejects(
    validateSamlBearer(b64(xml), g, p),
    (e) => e instanceof SamlError && e.code === code,
  );
}

describe('SAML bearer assertions (RFC 7522) at the token endpoint', () => {
  for (const v of ['1.1', '2.0'] as const) {
    test(`SAML ${v}: a valid assertion gives its subject, issuer and id`, async () => {
      const a = await validateSamlBearer(b64(signed(v)), grant(v), policy());
      assert.deepEqual(
        [a.samlVersion, a.subject, a.issuer],
        [v, 'alice@example.com', 'https://idp.example.com/adfs/services/trust'],
      );
    });
    test(`SAML ${v}: unsigned`, () =>
      refused(unsignedAssertion(baseParams(v)), v, 'PSSO_ERR_SAML_SIGNATURE'));
    test(`SAML ${v}: signed by an untrusted key`, () =>
      refused(issueAssertion(baseParams(v), attacker), v, 'PSSO_ERR_SAML_SIGNATURE'));
    test(`SAML ${v}: re-signed with an attacker key carried in KeyInfo`, async () => {
      // The attacker's certificate travels in KeyInfo; only pinned certificates count.
      await refused(
        issueAssertion(baseParams(v, { subject: 'mallory@example.com' }), attacker),
        v,
        'PSSO_ERR_SAML_SIGNATURE',
      );
    });
    test(`SAML ${v}: signed with HMAC keyed by the IdP's public key (algorithm confusion)`, async () => {
      const xml = signed(v).replace(
        'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
      );
      await refused(xml, v, 'PSSO_ERR_SAML_SIGNATURE');
    });
    test(`SAML ${v}: two SignedInfo elements`, async () => {
      const xml = signed(v).replace(/(<ds:SignedInfo>[\s\S]*?<\/ds:SignedInfo>)/, '$1$1');
      await refused(xml, v, 'PSSO_ERR_SAML_MALFORMED');
    });
    test(`SAML ${v}: duplicate ID attributes`, async () => {
      const id = baseParams(v).id;
      const xml = signed(v).replace(
        /(<saml2?:Conditions )/,
        `$1${v === '1.1' ? 'AssertionID' : 'ID'}="${id}" `,
      );
      await refused(xml, v, 'PSSO_ERR_SAML_MALFORMED');
    });
    test(`SAML ${v}: a comment inside the NameID`, async () => {
      const xml = signed(v).replace('>alice@example.com<', '>alice@evil.example<!---->.com<');
      await refused(xml, v, 'PSSO_ERR_SAML_SIGNATURE');
      const split = signed(v).replace('>alice@example.com<', '>alice@example<!---->.com<');
      await refused(split, v, 'PSSO_ERR_SAML_SUBJECT');
    });
    test(`SAML ${v}: a processing instruction inside the NameID`, async () => {
      await refused(
        signed(v).replace('>alice@example.com<', '>alice@example<?x?>.com<'),
        v,
        'PSSO_ERR_SAML_SIGNATURE',
      );
    });
    test(`SAML ${v}: two root elements`, () =>
      refused(`${signed(v)}${signed(v)}`, v, 'PSSO_ERR_SAML_MALFORMED'));
    test(`SAML ${v}: trailing bytes after the assertion`, () =>
      refused(`${signed(v)}<x/>`, v, 'PSSO_ERR_SAML_MALFORMED'));
    test(`SAML ${v}: expired`, () =>
      refused(
        signed(v),
        v,
        'PSSO_ERR_SAML_CONDITIONS',
        policy({ now: new Date(NOW.getTime() + 3 * 3600_000) }),
      ));
    test(`SAML ${v}: not yet valid`, () =>
      refused(
        signed(v),
        v,
        'PSSO_ERR_SAML_CONDITIONS',
        policy({ now: new Date(NOW.getTime() - 3600_000) }),
      ));
    test(`SAML ${v}: valid for ten years`, () =>
      refused(
        signed(v, { notOnOrAfter: new Date(NOW.getTime() + 3650 * 86_400_000) }),
        v,
        'PSSO_ERR_SAML_CONDITIONS',
      ));
    test(`SAML ${v}: wrong Audience`, () =>
      refused(signed(v, { audience: 'urn:other' }), v, 'PSSO_ERR_SAML_AUDIENCE'));
    test(`SAML ${v}: an untrusted Issuer`, () =>
      refused(signed(v, { issuer: 'https://evil.example/adfs' }), v, 'PSSO_ERR_SAML_ISSUER'));
    test(`SAML ${v}: assertion-id burning: unsigned, attacker-signed, tampered or refused assertions carrying a valid assertion's id record nothing; the valid one is still accepted`, async () => {
      const recorded: string[] = [];
      const base = policy();
      const p = policy({
        firstSeen: (issuer, id, ttl) => {
          recorded.push(id);
          return base.firstSeen(issuer, id, ttl);
        },
      });
      const id = baseParams(v).id;
      const forgeries: Array<[string, string]> = [
        [unsignedAssertion(baseParams(v)), 'PSSO_ERR_SAML_SIGNATURE'],
        [issueAssertion(baseParams(v), attacker), 'PSSO_ERR_SAML_SIGNATURE'],
        [
          signed(v).replace('>alice@example.com<', '>alice@evil.example<'),
          'PSSO_ERR_SAML_SIGNATURE',
        ],
        [signed(v, { audience: 'urn:other' }), 'PSSO_ERR_SAML_AUDIENCE'],
        [signed(v, { issuer: 'https://evil.example/adfs' }), 'PSSO_ERR_SAML_ISSUER'],
      ];
      for (const [xml, code] of forgeries) {
        assert.ok(xml.includes(id));
        await refused(xml, v, code, p);
      }
      assert.deepEqual(recorded, [], 'nothing recorded before the signature and every rule passed');
      const a = await validateSamlBearer(b64(signed(v)), grant(v), p);
      assert.equal(a.id, id);
      assert.deepEqual(recorded, [id]);
    });
    test(`SAML ${v}: replayed assertion id`, async () => {
      const p = policy();
      await validateSamlBearer(b64(signed(v)), grant(v), p);
      await refused(signed(v), v, 'PSSO_ERR_SAML_REPLAY', p);
    });
  }
  test('SAML 2.0: wrong Recipient', () =>
    refused(
      signed('2.0', { recipient: 'https://evil.example/token' }),
      '2.0',
      'PSSO_ERR_SAML_RECIPIENT',
    ));
  test('a SAML 1.1 assertion under the saml2-bearer grant', () =>
    refused(
      signed('1.1'),
      '1.1',
      'PSSO_ERR_SAML_GRANT_MISMATCH',
      policy(),
      GRANT_TYPE.saml2Bearer,
    ));
  test('a SAML 2.0 assertion under the saml1_1-bearer grant', () =>
    refused(
      signed('2.0'),
      '2.0',
      'PSSO_ERR_SAML_GRANT_MISMATCH',
      policy(),
      GRANT_TYPE.saml11Bearer,
    ));
  test('wrapped signature: the signed assertion moved into Advice, an unsigned one where the reader looks', async () => {
    const inner = signed('2.0');
    const outer =
      '<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_evil" IssueInstant="2026-11-29T10:00:00.000Z" Version="2.0">' +
      '<saml2:Issuer>https://idp.example.com/adfs/services/trust</saml2:Issuer>' +
      '<saml2:Subject><saml2:NameID>mallory@example.com</saml2:NameID></saml2:Subject>' +
      `<saml2:Advice>${inner}</saml2:Advice></saml2:Assertion>`;
    await refused(outer, '2.0', 'PSSO_ERR_SAML_MALFORMED');
  });
  test('the assertion is not standard base64', async () => {
    await assert.rejects(
      validateSamlBearer('PHNhbWw-_', GRANT_TYPE.saml2Bearer, policy()),
      (e) => e instanceof SamlError && e.code === 'PSSO_ERR_SAML_MALFORMED',
    );
  });
  test("bob's valid assertion reports bob (the token endpoint compares it with the JWT's username)", async () => {
    const a = await validateSamlBearer(
      b64(signed('2.0', { subject: 'bob@example.com', attributes: [] })),
      GRANT_TYPE.saml2Bearer,
      policy(),
    );
    assert.equal(a.subject, 'bob@example.com');
  });
});
