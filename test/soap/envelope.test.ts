/**
 * The one SOAP envelope reader, and both of its users judging the same documents alike: the client
 * (a `WsTrustError` code) and the STS (a fault label and SOAP fault code).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readRequestEnvelope } from '../../packages/idp/src/sts/envelope.ts';
import { StsFault } from '../../packages/idp/src/sts/fault.ts';
import { type PssoErrorCode, WsTrustError } from '../../packages/psso-wstrust/src/errors.ts';
import { NS_SOAP11, NS_SOAP12 } from '../../packages/psso-wstrust/src/protocol/namespaces.ts';
import { readSoapEnvelope } from '../../packages/psso-wstrust/src/soap/envelope.ts';
import { readEnvelope } from '../../packages/psso-wstrust/src/wstrust/envelope.ts';
import { parseXml } from '../../packages/psso-wstrust/src/xml/parse.ts';
import { assertCode } from '../helpers/assert-code.ts';

const env = (inner: string, ns = NS_SOAP12) => `<s:Envelope xmlns:s="${ns}">${inner}</s:Envelope>`;
const root = (xml: string) => parseXml(xml).root;

describe('readSoapEnvelope', () => {
  test('Header then Body: the elements of the parsed tree, with their source offsets', () => {
    const xml = env('<s:Header><h/></s:Header>\n  <s:Body><b/></s:Body>');
    const r = readSoapEnvelope(root(xml));
    assert.ok(r.ok);
    assert.equal(xml.slice(r.header?.start, r.header?.end), '<s:Header><h/></s:Header>');
    assert.equal(xml.slice(r.body.start, r.body.end), '<s:Body><b/></s:Body>');
    assert.equal(r.envelope.start, 0);
  });
  test('a Body alone: no Header', () => {
    const r = readSoapEnvelope(root(env('<s:Body/>')));
    assert.ok(r.ok);
    assert.equal(r.header, undefined);
  });
  const refusals: [string, string, string][] = [
    ['SOAP 1.1', env('<s:Header/><s:Body/>', NS_SOAP11), 'soap11'],
    ['another root', '<Envelope xmlns="urn:x"><Body/></Envelope>', 'not-envelope'],
    ['no Body', env('<s:Header/>'), 'envelope-shape'],
    ['Body then Header', env('<s:Body/><s:Header/>'), 'envelope-shape'],
    ['two Bodies', env('<s:Body/><s:Body/>'), 'envelope-shape'],
    ['a foreign element', env('<s:Header/><s:Body/><x/>'), 'envelope-shape'],
    ['text in the envelope', env('<s:Header/>text<s:Body/>'), 'envelope-shape'],
  ];
  for (const [name, xml, problem] of refusals) {
    test(`${name}: ${problem}`, () => {
      const r = readSoapEnvelope(root(xml));
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.problem, problem);
    });
  }
  test('a SOAP 1.1 envelope still gives its Header and Body, for a diagnosis', () => {
    const r = readSoapEnvelope(root(env('<s:Header/><s:Body><f/></s:Body>', NS_SOAP11)));
    assert.ok(!r.ok && r.soap11 !== undefined);
    assert.equal(r.soap11.body.local, 'Body');
  });
});

describe('the client and the STS read envelopes through the same reader', () => {
  const cases: [string, string, PssoErrorCode | undefined, string | undefined][] = [
    [
      'SOAP 1.1',
      env('<s:Header/><s:Body/>', NS_SOAP11),
      'PSSO_ERR_SOAP_VERSION_MISMATCH',
      'soap11',
    ],
    ['another root', '<a/>', 'PSSO_ERR_SOAP_NOT_ENVELOPE', 'not-envelope'],
    [
      'text in the envelope',
      env('<s:Header/>x<s:Body/>'),
      'PSSO_ERR_SOAP_NOT_ENVELOPE',
      'envelope-shape',
    ],
    // A response may omit the Header; a request may not.
    ['no Header', env('<s:Body/>'), undefined, 'envelope-shape'],
    ['Header and Body', env('<s:Header/><s:Body/>'), undefined, undefined],
  ];
  for (const [name, xml, clientCode, stsLabel] of cases) {
    test(name, () => {
      if (clientCode === undefined) readEnvelope(root(xml));
      else assertCode(() => readEnvelope(root(xml)), clientCode, WsTrustError);
      let label: string | undefined;
      try {
        readRequestEnvelope(root(xml));
      } catch (e) {
        assert.ok(e instanceof StsFault);
        label = e.label;
        assert.equal(e.wire.code, label === 'soap11' ? 'VersionMismatch' : 'Sender');
      }
      assert.equal(label, stsLabel);
    });
  }
});
