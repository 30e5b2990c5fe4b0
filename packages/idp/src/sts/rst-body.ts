/**
 * The RequestSecurityToken in the Body: the endpoint's trust namespace, Issue, a bearer key type,
 * and the AppliesTo address. A requested Lifetime is ignored: the STS decides token lifetimes.
 *
 * @module
 */
import {
  NS_WSA,
  NS_WSP,
  WSTRUST13,
  type WsTrustVersion,
  wsTrustConstants,
} from 'psso-wstrust/protocol';
import type { XmlElement } from 'psso-wstrust/xml';
import { childElements, path, textOf } from 'psso-wstrust/xml';
import { StsFault, type StsFaultReason } from './fault.js';

/** Reads the AppliesTo of the Body's RequestSecurityToken. */
export function readRstBody(body: XmlElement, version: WsTrustVersion): { appliesTo: string } {
  const v = wsTrustConstants(version);
  const children = childElements(body);
  const rst = children[0];
  if (children.length !== 1 || rst === undefined || rst.local !== 'RequestSecurityToken') {
    throw new StsFault('rst-shape');
  }
  if (rst.ns !== v.ns)
    throw new StsFault('rst-version', `not a WS-Trust ${version} RequestSecurityToken`);
  const requestType = single(rst, v.ns, 'RequestType', 'duplicate-RequestType');
  if (requestType === undefined || textOf(requestType).trim() !== v.requestType) {
    throw new StsFault('request-type');
  }
  const keyType = single(rst, v.ns, 'KeyType', 'duplicate-KeyType');
  if (keyType !== undefined) {
    const value = textOf(keyType).trim();
    // Bearer (1.3) and NoProofKey (2005) both mean a bearer token; MSAL sends Bearer to 2005 too.
    if (value !== v.keyType && value !== WSTRUST13.keyType) throw new StsFault('key-type');
  }
  const appliesToEls = childElements(rst, NS_WSP, 'AppliesTo');
  const address =
    appliesToEls.length === 1 && appliesToEls[0]
      ? path(appliesToEls[0], [NS_WSA, 'EndpointReference'], [NS_WSA, 'Address'])
      : undefined;
  const appliesTo = address === undefined ? '' : textOf(address).trim();
  if (appliesTo === '') throw new StsFault('applies-to');
  return { appliesTo };
}

/** The `ns:local` child of `parent`, if any; refused as `reason` when there are several. */
function single(
  parent: XmlElement,
  ns: string,
  local: string,
  reason: StsFaultReason,
): XmlElement | undefined {
  const list = childElements(parent, ns, local);
  if (list.length > 1) throw new StsFault(reason);
  return list[0];
}
