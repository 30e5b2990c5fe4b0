/**
 * The one SOAP envelope reader, shared by the client (reading an RSTR or a fault) and the
 * reference IdP's STS (reading an RST): a SOAP 1.2 `Envelope` holding an optional `Header`, then
 * one `Body`, and nothing else but white space, comments and processing instructions
 * (docs/PROTOCOL.md §3, §4; docs/PLATFORM-SSO.md §1.5). It reports what is wrong instead of
 * throwing, so each side answers in its own terms: the client with a `WsTrustError`, the STS with
 * a SOAP fault. The elements it returns are the parsed tree's own, with their source offsets, so
 * the signed assertion inside the Body is still handed on byte for byte.
 *
 * @module
 */
import { NS_SOAP11, NS_SOAP12 } from '../protocol/namespaces.js';
import type { XmlElement } from '../xml/dom.js';
import { childElements } from '../xml/query.js';

/** The parts of a SOAP envelope. */
export interface SoapEnvelope {
  readonly envelope: XmlElement;
  /** The `Header`, when the envelope has one (a request must; a response may omit it). */
  readonly header: XmlElement | undefined;
  readonly body: XmlElement;
}

/**
 * Why a document is not a usable SOAP 1.2 envelope:
 * - `soap11`: a SOAP 1.1 `Envelope` (its own fault, VersionMismatch, on the server);
 * - `not-envelope`: the root is no SOAP `Envelope` at all;
 * - `envelope-shape`: a SOAP 1.2 `Envelope` whose children are not `[Header] Body`, or that
 *   holds text.
 */
export type SoapEnvelopeProblem = 'soap11' | 'not-envelope' | 'envelope-shape';

/** What {@link readSoapEnvelope} found. */
export type SoapEnvelopeReading =
  | ({ readonly ok: true } & SoapEnvelope)
  | {
      readonly ok: false;
      readonly problem: SoapEnvelopeProblem;
      /** What is wrong, in our own words (never the peer's bytes). */
      readonly detail: string;
      /**
       * For `soap11`: the 1.1 envelope's Header and Body when it has a Body, for a diagnosis that
       * judges the rest anyway (`check`).
       */
      readonly soap11?: SoapEnvelope;
    };

/**
 * Reads `root` as a SOAP 1.2 envelope.
 *
 * @example
 * ```ts
 * const r = readSoapEnvelope(parseXml(body).root);
 * if (!r.ok) return r.problem; // 'soap11' | 'not-envelope' | 'envelope-shape': the caller maps it
 * const fault = childElements(r.body, NS_SOAP12, 'Fault')[0];
 * ```
 */
export function readSoapEnvelope(root: XmlElement): SoapEnvelopeReading {
  if (root.local === 'Envelope' && root.ns === NS_SOAP11) {
    const header = childElements(root, NS_SOAP11, 'Header')[0];
    const body = childElements(root, NS_SOAP11, 'Body')[0];
    return {
      ok: false,
      problem: 'soap11',
      detail: 'a SOAP 1.1 envelope; SOAP 1.2 is required',
      ...(body === undefined ? {} : { soap11: { envelope: root, header, body } }),
    };
  }
  if (root.local !== 'Envelope' || root.ns !== NS_SOAP12)
    return { ok: false, problem: 'not-envelope', detail: 'not a SOAP 1.2 envelope' };
  const children = childElements(root);
  const [first, second] = children;
  const header = first?.ns === NS_SOAP12 && first.local === 'Header' ? first : undefined;
  const body = header === undefined ? first : second;
  if (
    body === undefined ||
    body.ns !== NS_SOAP12 ||
    body.local !== 'Body' ||
    children.length !== (header === undefined ? 1 : 2)
  ) {
    return {
      ok: false,
      problem: 'envelope-shape',
      detail: 'the SOAP envelope must hold an optional Header then one Body',
    };
  }
  if (root.children.some((node) => node.type === 'text' && node.value.trim() !== '')) {
    return {
      ok: false,
      problem: 'envelope-shape',
      detail: 'text is not allowed directly in the SOAP envelope',
    };
  }
  return { ok: true, envelope: root, header, body };
}
