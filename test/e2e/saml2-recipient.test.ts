/**
 * SAML 2.0 assertions from the STS carry the SubjectConfirmationData Recipient RFC 7522 §3
 * requires (and SAML libraries such as pysaml2 enforce): per relying party, by default the IdP's
 * own Platform SSO token endpoint, which checks it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { NS_SAML2 } from '../../packages/psso-wstrust/src/protocol/namespaces.ts';
import { generateDeviceKeys } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { assertXmlsecVerifies, rootOf } from '../idp/saml/support.ts';
import { samlBearerJwt, stsLogin, tokenRequest } from './logins.ts';
import { CONFIG, enrol, startTestIdp, type TestIdp, tempDataDir, URN } from './support.ts';

const SP = 'urn:example:pysaml2-sp';
const SAML11_URN = 'urn:example:saml11-relying-party';
const SP_ACS = 'https://sp.example.com/saml2/acs/';
const keys = generateDeviceKeys();
let idp: TestIdp;

before(async () => {
  const dataDir = tempDataDir();
  idp = await startTestIdp({
    dataDir,
    config: {
      ...CONFIG,
      // The token endpoint's audience is the first relying party: SAML 2.0 here.
      relyingParties: [
        { identifier: URN, samlVersion: '2.0' },
        { identifier: SAML11_URN, samlVersion: '1.1' },
        { identifier: SP, samlVersion: '2.0', recipient: SP_ACS },
      ],
    },
  });
  await enrol(dataDir, keys);
});
after(async () => {
  await idp.close();
  await closeHttpAgents();
});

async function assertionFor(appliesTo: string): Promise<string> {
  const r = await stsLogin(idp, { federationRequestURN: appliesTo });
  assert.equal(r.token.samlVersion, '2.0');
  return r.token.assertion;
}

function recipientOf(xml: string): string | null {
  const data = rootOf(xml).getElementsByTagNameNS(NS_SAML2, 'SubjectConfirmationData')[0];
  return data?.getAttribute('Recipient') ?? null;
}

const tokenStatus = async (xml: string) =>
  (await tokenRequest(idp, await samlBearerJwt(idp, keys, xml, '2.0'))).status;

describe('SAML 2.0 Recipient (RFC 7522 §3), per relying party', () => {
  test('by default the Recipient is the IdP’s own token endpoint, signed (xmlsec1 verifies), and accepted there', async () => {
    const xml = await assertionFor(URN);
    assert.equal(recipientOf(xml), `${idp.origin}/psso/token`);
    assertXmlsecVerifies(xml, idp.signingCertPem, '2.0');
    assert.equal(await tokenStatus(xml), 200);
  });
  test('a relying party with its own recipient gets it in its assertions', async () => {
    const xml = await assertionFor(SP);
    assert.equal(recipientOf(xml), SP_ACS);
    assertXmlsecVerifies(xml, idp.signingCertPem, '2.0');
  });
  test('SAML 1.1 assertions have no Recipient (SAML 1.1 has none to give)', async () => {
    const r = await stsLogin(idp, { federationRequestURN: SAML11_URN });
    assert.equal(r.token.samlVersion, '1.1');
    assert.doesNotMatch(r.token.assertion, /Recipient=/);
  });
});
