import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  type FaultInjection,
  parseFaultSwitches,
} from '../../packages/idp/src/faults/injection.ts';
import { HttpError, PssoError, XmlError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { wsTrustLogin } from '../../packages/psso-wstrust/src/wstrust/login.ts';
import { endpointOf, startTestIdp, URN } from './support.ts';

after(() => closeHttpAgents());

/** Each fault-injection switch, and the code our client refuses it with. */
const CASES: ReadonlyArray<readonly [string, FaultInjection, string, number?]> = [
  [
    'skew=600 (Timestamp from the future)',
    parseFaultSwitches(['skew=600']),
    'PSSO_ERR_WSTRUST_CREATED_IN_FUTURE',
  ],
  ['skew=-900 (Timestamp expired)', parseFaultSwitches(['skew=-900']), 'PSSO_ERR_WSTRUST_EXPIRED'],
  ['no-relates-to', parseFaultSwitches(['no-relates-to']), 'PSSO_ERR_WSTRUST_RELATES_TO_MISSING'],
  [
    'wrong-relates-to',
    parseFaultSwitches(['wrong-relates-to']),
    'PSSO_ERR_WSTRUST_RELATES_TO_MISMATCH',
  ],
  ['soap11', parseFaultSwitches(['soap11']), 'PSSO_ERR_SOAP_VERSION_MISMATCH'],
  [
    'token-type=urn:example:jwt',
    parseFaultSwitches(['token-type=urn:example:jwt']),
    'PSSO_ERR_WSTRUST_UNKNOWN_TOKEN_TYPE',
  ],
  [
    'token-type=SAML 2.0 on a SAML 1.1 assertion',
    parseFaultSwitches(['token-type=urn:oasis:names:tc:SAML:2.0:assertion']),
    'PSSO_ERR_WSTRUST_TOKEN_TYPE_MISMATCH',
  ],
  ['two-assertions', parseFaultSwitches(['two-assertions']), 'PSSO_ERR_WSTRUST_TOKEN_COUNT'],
  ['unsigned', parseFaultSwitches(['unsigned']), 'PSSO_ERR_SAML_SIGNATURE'],
  ['tampered', parseFaultSwitches(['tampered']), 'PSSO_ERR_SAML_SIGNATURE'],
  [
    'delay=3000 past a 1 s client deadline',
    parseFaultSwitches(['delay=3000']),
    'PSSO_ERR_HTTP_TIMEOUT',
  ],
  ['status=503', parseFaultSwitches(['status=503']), 'PSSO_ERR_HTTP_STATUS', 503],
  ['status=302', parseFaultSwitches(['status=302']), 'PSSO_ERR_HTTP_REDIRECT', 302],
  ['truncate', parseFaultSwitches(['truncate']), 'PSSO_ERR_XML_MALFORMED'],
];

describe('fault injection: every switch is refused by our client with the expected code', () => {
  for (const [name, faults, code, status] of CASES) {
    test(`--fault ${name} → ${code}`, async () => {
      const idp = await startTestIdp({ faults });
      try {
        await assert.rejects(
          wsTrustLogin({
            endpoint: endpointOf(idp, '1.3'),
            federationRequestURN: URN,
            username: idp.demoUser.upn,
            password: idp.password,
            http: { ca: idp.caPem, timeoutMs: 1000 },
            trustedSigningCertificates: [idp.signingCertPem],
          }),
          (e) =>
            e instanceof PssoError &&
            e.code === code &&
            (status === undefined || (e instanceof HttpError && e.status === status)),
        );
      } finally {
        await idp.close();
      }
    });
  }

  test('without fault injection the same login succeeds (the control)', async () => {
    const idp = await startTestIdp();
    try {
      const r = await wsTrustLogin({
        endpoint: endpointOf(idp, '1.3'),
        federationRequestURN: URN,
        username: idp.demoUser.upn,
        password: idp.password,
        http: { ca: idp.caPem },
        trustedSigningCertificates: [idp.signingCertPem],
      });
      assert.equal(r.token.samlVersion, '1.1');
    } finally {
      await idp.close();
    }
  });

  test('a truncated body is an XmlError, not a crash', async () => {
    const idp = await startTestIdp({ faults: { truncate: true } });
    try {
      await assert.rejects(
        wsTrustLogin({
          endpoint: endpointOf(idp, '2005'),
          federationRequestURN: URN,
          username: idp.demoUser.upn,
          password: idp.password,
          http: { ca: idp.caPem },
        }),
        XmlError,
      );
    } finally {
      await idp.close();
    }
  });

  test('unknown switches and bad values are refused', () => {
    assert.throws(() => parseFaultSwitches(['explode']), TypeError);
    assert.throws(() => parseFaultSwitches(['delay=soon']), TypeError);
    assert.throws(() => parseFaultSwitches(['status=99']), TypeError);
  });
});
