import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import {
  NS_SAML1,
  NS_SAML2,
  NS_WSSE,
} from '../../packages/psso-wstrust/src/protocol/namespaces.ts';
import { verifyAssertionSignature } from '../../packages/psso-wstrust/src/saml/verify.ts';
import { securityTokenRequest } from '../../packages/psso-wstrust/src/wstrust/exchange.ts';
import { wsTrustLogin } from '../../packages/psso-wstrust/src/wstrust/login.ts';
import { buildRequestSecurityToken } from '../../packages/psso-wstrust/src/wstrust/rst.ts';
import type { XmlElement } from '../../packages/psso-wstrust/src/xml/dom.ts';
import { parseXml } from '../../packages/psso-wstrust/src/xml/parse.ts';
import { attribute, descendants, textOf } from '../../packages/psso-wstrust/src/xml/query.ts';
import { assertXmlsecVerifies, xmlsecSkip } from '../idp/saml/support.ts';
import { endpointOf, SAML2_URN, startTestIdp, type TestIdp, URN } from './support.ts';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp();
});
after(async () => {
  await idp.close();
  await closeHttpAgents();
});

const login = (o: {
  version: '1.3' | '2005';
  profile: 'macos' | 'wss11';
  urn: string;
  username?: string;
  password?: string;
}) =>
  wsTrustLogin({
    endpoint: endpointOf(idp, o.version),
    federationRequestURN: o.urn,
    username: o.username ?? idp.demoUser.upn,
    password: o.password ?? idp.password,
    profile: o.profile,
    http: { ca: idp.caPem },
    trustedSigningCertificates: [idp.signingCertPem],
  });

describe('psso-wstrust client against the reference IdP: every combination', xmlsecSkip, () => {
  for (const version of ['1.3', '2005'] as const) {
    for (const profile of ['macos', 'wss11'] as const) {
      for (const [saml, urn] of [
        ['1.1', URN],
        ['2.0', SAML2_URN],
      ] as const) {
        test(`WS-Trust ${version}, ${profile} profile, SAML ${saml}: a signed assertion that xml-crypto and xmlsec1 verify`, async () => {
          const { token } = await login({ version, profile, urn });
          assert.equal(token.samlVersion, saml);
          assert.equal(
            token.grantType,
            `urn:ietf:params:oauth:grant-type:${saml === '1.1' ? 'saml1_1' : 'saml2'}-bearer`,
          );
          assertXmlsecVerifies(token.assertion, idp.signingCertPem, saml);
        });
      }
    }
  }

  test('through MEX: the 1.3 endpoint is chosen', async () => {
    const r = await wsTrustLogin({
      mexUrl: idp.mexUrl,
      federationRequestURN: URN,
      username: idp.demoUser.upn,
      password: idp.password,
      http: { ca: idp.caPem },
    });
    assert.equal(r.endpoint.address, idp.sts13Url);
    assert.equal(r.mex?.windowsIntegrated.length, 2);
  });
});

describe('the issued assertion', () => {
  for (const [saml, urn] of [
    ['1.1', URN],
    ['2.0', SAML2_URN],
  ] as const) {
    test(`SAML ${saml}: stands alone, Audience = AppliesTo, Conditions = Lifetime, bearer, references = its id`, async () => {
      const rst = buildRequestSecurityToken({
        endpoint: endpointOf(idp, '1.3'),
        appliesTo: urn,
        username: idp.demoUser.upn,
        password: idp.password,
      });
      const body = Buffer.from(
        (await securityTokenRequest(endpointOf(idp, '1.3'), rst, { ca: idp.caPem })).body,
      ).toString('utf8');
      const doc = parseXml(body);
      const ns = saml === '1.1' ? NS_SAML1 : NS_SAML2;
      const assertion = descendants(doc.root, ns, 'Assertion')[0] as XmlElement;
      const text = doc.source.slice(assertion.start, assertion.end);
      const verified = verifyAssertionSignature(text, [idp.signingCertPem]);
      const signed = parseXml(verified.signedXml).root;
      const audience = descendants(signed, ns, 'Audience')[0] as XmlElement;
      assert.equal(textOf(audience), urn);
      const conditions = descendants(signed, ns, 'Conditions')[0] as XmlElement;
      const lifetimeCreated = textOf(
        descendants(
          doc.root,
          'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
          'Created',
        )[1] as XmlElement,
      );
      assert.ok(
        body.includes(
          `<trust:Lifetime><wsu:Created xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${attribute(conditions, '', 'NotBefore')}`,
        ),
        lifetimeCreated,
      );
      assert.ok(
        body.includes(
          `${attribute(conditions, '', 'NotOnOrAfter')}</wsu:Expires></trust:Lifetime>`,
        ),
      );
      const method =
        saml === '1.1'
          ? textOf(descendants(signed, ns, 'ConfirmationMethod')[0] as XmlElement)
          : attribute(
              descendants(signed, ns, 'SubjectConfirmation')[0] as XmlElement,
              '',
              'Method',
            );
      assert.equal(method, `urn:oasis:names:tc:SAML:${saml === '1.1' ? '1.0' : '2.0'}:cm:bearer`);
      const ids = descendants(doc.root, NS_WSSE, 'KeyIdentifier').map((k) => textOf(k));
      assert.deepEqual(ids, [verified.id, verified.id]);
    });
  }
});

describe('identity values survive escaping', () => {
  test('a user name full of XML metacharacters, ]]> and <!-- reads back exactly from the signed content', async () => {
    const { openIdpState } = await import('../../packages/idp/src/state/open.ts');
    const upn = `o'brien&<x>"]]><!--a@federated.example`;
    const store = await openIdpState({ dataDir: idp.dataDir });
    try {
      if ((await store.users.get(upn)) === undefined) await store.users.add(upn, 'p&<>"\'$&$$😀');
    } finally {
      await store.close();
    }
    for (const [saml, urn] of [
      ['1.1', URN],
      ['2.0', SAML2_URN],
    ] as const) {
      const { token } = await login({
        version: '1.3',
        profile: 'macos',
        urn,
        username: upn,
        password: 'p&<>"\'$&$$😀',
      });
      const signed = parseXml(
        verifyAssertionSignature(token.assertion, [idp.signingCertPem]).signedXml,
      ).root;
      const ns = saml === '1.1' ? NS_SAML1 : NS_SAML2;
      const nameId = descendants(
        signed,
        ns,
        saml === '1.1' ? 'NameIdentifier' : 'NameID',
      )[0] as XmlElement;
      assert.equal(textOf(nameId), upn);
    }
  });
});
