/**
 * The SOAP 1.2 envelope of a WS-Trust response (through the reader shared with the STS), its
 * correlation (`wsa:RelatesTo`) and its fault.
 *
 * @module
 */
import { WsTrustError, WsTrustFaultError } from '../errors.js';
import { NS_SOAP12, NS_WSA } from '../protocol/namespaces.js';
import { readSoapEnvelope, type SoapEnvelope } from '../soap/envelope.js';
import type { XmlElement } from '../xml/dom.js';
import { attribute, childElements, path, resolveQName, textOf } from '../xml/query.js';

/** The parts of a SOAP 1.2 envelope (read by the shared reader, `src/soap/envelope.ts`). */
export type Envelope = SoapEnvelope;

const WSA_REPLY = 'http://www.w3.org/2005/08/addressing/reply';

/**
 * Step 1: a SOAP 1.2 envelope with an optional Header then a Body, nothing else. A SOAP 1.1
 * envelope has its own code.
 *
 * @throws {WsTrustError} `PSSO_ERR_SOAP_VERSION_MISMATCH` or `PSSO_ERR_SOAP_NOT_ENVELOPE`.
 *
 * @example
 * ```ts
 * const { header, body } = readEnvelope(parseXml(responseBody).root);
 * ```
 */
export function readEnvelope(root: XmlElement): Envelope {
  const r = readSoapEnvelope(root);
  if (r.ok) return r;
  throw new WsTrustError(
    r.problem === 'soap11' ? 'PSSO_ERR_SOAP_VERSION_MISMATCH' : 'PSSO_ERR_SOAP_NOT_ENVELOPE',
    r.problem === 'envelope-shape'
      ? `The response is malformed: ${r.detail}`
      : `The response is ${r.detail}`,
  );
}

/**
 * Step 2, the nonce check: exactly one `wsa:RelatesTo` equal to the request's MessageID (and, if it
 * says, a reply relationship). Runs before the fault is read, as Platform SSO does.
 */
export function checkRelatesTo(envelope: Envelope, messageId: string): void {
  const relatesTo =
    envelope.header === undefined ? [] : childElements(envelope.header, NS_WSA, 'RelatesTo');
  if (relatesTo.length === 0) {
    throw new WsTrustError(
      'PSSO_ERR_WSTRUST_RELATES_TO_MISSING',
      'The response has no wsa:RelatesTo (it cannot be correlated with the request)',
    );
  }
  const [only] = relatesTo;
  const type = only === undefined ? undefined : attribute(only, '', 'RelationshipType');
  if (
    relatesTo.length > 1 ||
    only === undefined ||
    textOf(only).trim() !== messageId ||
    (type !== undefined && type.trim() !== WSA_REPLY)
  ) {
    const got =
      relatesTo.length > 1
        ? `${relatesTo.length} wsa:RelatesTo elements`
        : type !== undefined && type.trim() !== WSA_REPLY
          ? `RelationshipType ${type.trim()}`
          : textOf(only as XmlElement).trim();
    throw new WsTrustError(
      'PSSO_ERR_WSTRUST_RELATES_TO_MISMATCH',
      'The response wsa:RelatesTo does not match the request MessageID',
      undefined,
      // Both ids shown: ours, and the peer's (sanitized and cut to 200 characters).
      { expected: messageId, got },
    );
  }
}

/** Step 3: a SOAP fault in the Body becomes a {@link WsTrustFaultError}. */
export function throwIfFault(envelope: Envelope): void {
  const fault = childElements(envelope.body, NS_SOAP12, 'Fault')[0];
  if (fault === undefined) return;
  const code = path(fault, [NS_SOAP12, 'Code'], [NS_SOAP12, 'Value']);
  const subcode = path(fault, [NS_SOAP12, 'Code'], [NS_SOAP12, 'Subcode'], [NS_SOAP12, 'Value']);
  const reason = path(fault, [NS_SOAP12, 'Reason'], [NS_SOAP12, 'Text']);
  const subcodeText = subcode === undefined ? undefined : textOf(subcode).trim();
  const failedAuth =
    subcode !== undefined &&
    subcodeText !== undefined &&
    (resolveQName(subcode, subcodeText)?.local === 'FailedAuthentication' ||
      subcodeText.endsWith('FailedAuthentication'));
  throw new WsTrustFaultError(
    failedAuth ? 'PSSO_ERR_WSTRUST_FAILED_AUTHENTICATION' : 'PSSO_ERR_WSTRUST_FAULT',
    {
      faultCode: code === undefined ? '' : textOf(code).trim(),
      subcode: subcodeText,
      reason: reason === undefined ? undefined : textOf(reason).trim(),
    },
  );
}
