import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  MexError,
  type MexErrorCode,
  PssoError,
  XmlError,
} from '../../packages/psso-wstrust/src/errors.ts';
import { parseMex } from '../../packages/psso-wstrust/src/mex/parse.ts';
import { assertCode } from '../helpers/assert-code.ts';
import { mexDoc } from '../helpers/mex-doc.ts';

const A13 = 'https://sts.example.com/adfs/services/trust/13/usernamemixed';
const A2005 = 'https://sts.example.com/adfs/services/trust/2005/usernamemixed';

function refuses(doc: string, code: MexErrorCode): void {
  assertCode(() => parseMex(doc), code, MexError);
}

describe('parseMex: selection', () => {
  test('1.3 first, 2005 as the fallback, with their SOAP actions', () => {
    assert.deepEqual(parseMex(mexDoc()).usernamePassword, [
      {
        version: '1.3',
        address: A13,
        soapAction: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue',
      },
      {
        version: '2005',
        address: A2005,
        soapAction: 'http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue',
      },
    ]);
  });
  test('matching is by namespace, whatever the prefixes', () => {
    assert.deepEqual(
      parseMex(mexDoc({ odd: true })).usernamePassword.map((e) => e.address),
      [A13, A2005],
    );
  });
  test('wsdl:definitions nested in a SOAP Body / MetadataSection', () => {
    assert.equal(parseMex(mexDoc({ wrap: 'soap' })).usernamePassword[0]?.address, A13);
    assert.equal(parseMex(mexDoc({ wrap: 'metadata' })).usernamePassword[0]?.address, A13);
  });
  test('addresses padded with white space are trimmed', () => {
    assert.equal(
      parseMex(mexDoc({ address13: `\n   ${A13}  \t` })).usernamePassword[0]?.address,
      A13,
    );
  });
  test('an http 1.3 address is skipped (reported), 2005 https is chosen', () => {
    const mex = parseMex(
      mexDoc({ address13: 'http://sts.example.com/adfs/services/trust/13/usernamemixed' }),
    );
    assert.deepEqual(
      mex.usernamePassword.map((e) => e.version),
      ['2005'],
    );
    assert.equal(mex.skipped[0]?.reason, 'insecure-address');
  });
  test('HTTPS in capitals is https', () => {
    assert.equal(
      parseMex(mexDoc({ address13: 'HTTPS://STS.example.com/x' })).usernamePassword[0]?.version,
      '1.3',
    );
  });
  test('Windows-integrated endpoints are listed for diagnostics, never as password endpoints', () => {
    const mex = parseMex(mexDoc({ windows: true }));
    assert.deepEqual(
      mex.windowsIntegrated.map((e) => e.address),
      ['https://sts.example.com/adfs/services/trust/13/windowstransport'],
    );
    assert.ok(mex.usernamePassword.every((e) => !e.address.includes('windows')));
  });
});

describe('parseMex: no usable endpoint, and why', () => {
  test('http-only MEX', () =>
    refuses(
      mexDoc({ address13: 'http://a.example/13', address2005: 'http://a.example/2005' }),
      'PSSO_ERR_MEX_INSECURE_ADDRESS',
    ));
  test('no username endpoint at all', () =>
    refuses(mexDoc({ policy: 'none', windows: true }), 'PSSO_ERR_MEX_NO_USERNAME_POLICY'));
  test('only message-security (SymmetricBinding) username policies', () =>
    refuses(mexDoc({ policy: 'symmetric' }), 'PSSO_ERR_MEX_NO_USERNAME_POLICY'));
  test('bindings on another transport', () =>
    refuses(mexDoc({ transport: false }), 'PSSO_ERR_MEX_NO_MATCHING_BINDING'));
  test('SOAP 1.1 bindings only', () =>
    refuses(mexDoc({ soap: '11' }), 'PSSO_ERR_MEX_NO_MATCHING_BINDING'));
  test('no port for the bindings', () =>
    refuses(mexDoc({ port: false }), 'PSSO_ERR_MEX_NO_MATCHING_PORT'));
  test('ports without an EndpointReference (soap12:address is never used)', () =>
    refuses(mexDoc({ epr: false }), 'PSSO_ERR_MEX_NO_MATCHING_PORT'));
  test('a document that is not WSDL', () =>
    refuses('<html><body>Sign in</body></html>', 'PSSO_ERR_MEX_NOT_WSDL'));
  test('an unparsable https address', () =>
    refuses(mexDoc({ address13: 'https://', address2005: null }), 'PSSO_ERR_MEX_INSECURE_ADDRESS'));
  test('not XML at all', () => assert.throws(() => parseMex('{"error":"nope"}'), XmlError));
  test('a DOCTYPE', () => {
    assertCode(
      () => parseMex(`<!DOCTYPE x [<!ENTITY a "b">]>${mexDoc()}`),
      'PSSO_ERR_XML_DOCTYPE',
      XmlError,
    );
  });
  test('a document that is neither string nor bytes is a TypeError', () =>
    assert.throws(() => parseMex({} as never), TypeError));
});

describe('parseMex: property tests', () => {
  const isPsso = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof PssoError)) throw e;
    }
  };
  test('arbitrary text gives a result or a PssoError, never another exception', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => isPsso(() => parseMex(s))),
      { numRuns: 2000 },
    );
  });
  test('arbitrary bytes give a result or a PssoError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => isPsso(() => parseMex(b))),
      { numRuns: 1000 },
    );
  });
  test('random edits of a valid MEX give a result or a PssoError, and any result is https', () => {
    const base = mexDoc({ windows: true });
    fc.assert(
      fc.property(fc.nat(base.length), fc.nat(40), fc.string({ maxLength: 8 }), (at, del, ins) => {
        const doc = base.slice(0, at) + ins + base.slice(at + del);
        try {
          const mex = parseMex(doc);
          for (const e of mex.usernamePassword) assert.match(e.address, /^https:\/\//i);
        } catch (e) {
          if (!(e instanceof PssoError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
