/**
 * Step 1–3 of endpoint selection: the `wsp:Policy` children of `wsdl:definitions` that ask for a
 * WS-Security username token over a secure transport, or for Windows Negotiate authentication.
 *
 * @module
 */
import { NS_MS_HTTP_POLICY, NS_SP13, NS_SP2005, NS_WSP, NS_WSU } from '../protocol/namespaces.js';
import type { WsTrustVersion } from '../protocol/wstrust.js';
import type { XmlElement } from '../xml/dom.js';
import { attribute, childElements, firstChild, path } from '../xml/query.js';

/** What a policy asks for. */
export type PolicyKind = 'username' | 'windows';

/** A policy that qualifies for an endpoint, keyed by `#` + its `wsu:Id`. */
export interface QualifiedPolicy {
  readonly key: string;
  readonly kind: PolicyKind;
  /** For username policies: the version its security-policy namespace belongs to. */
  readonly version: WsTrustVersion | undefined;
}

/** Counts for the error that explains why nothing was found. */
export interface PolicyCensus {
  usernamePolicies: number;
}

const USERNAME_SHAPES: ReadonlyArray<readonly [WsTrustVersion, string, string]> = [
  ['1.3', NS_SP13, 'SignedEncryptedSupportingTokens'],
  ['2005', NS_SP2005, 'SignedSupportingTokens'],
];

/** The qualifying policies among the direct `wsp:Policy` children of `definitions`. */
export function qualifyingPolicies(
  definitions: XmlElement,
  census: PolicyCensus,
): QualifiedPolicy[] {
  const out: QualifiedPolicy[] = [];
  for (const policy of childElements(definitions, NS_WSP, 'Policy')) {
    const id = attribute(policy, NS_WSU, 'Id') ?? attribute(policy, '', 'Id');
    if (id === undefined) continue;
    for (const exactlyOne of childElements(policy, NS_WSP, 'ExactlyOne')) {
      for (const all of childElements(exactlyOne, NS_WSP, 'All')) {
        const found = classify(all);
        if (found === undefined) continue;
        if (found.kind === 'username') census.usernamePolicies++;
        if (!hasTransportBinding(all)) continue; // message security (SymmetricBinding) or plain http
        out.push({ key: `#${id}`, ...found });
      }
    }
  }
  return out;
}

function classify(all: XmlElement): Omit<QualifiedPolicy, 'key'> | undefined {
  for (const [version, sp, supporting] of USERNAME_SHAPES) {
    const token = path(
      all,
      [sp, supporting],
      [NS_WSP, 'Policy'],
      [sp, 'UsernameToken'],
      [NS_WSP, 'Policy'],
      [sp, 'WssUsernameToken10'],
    );
    if (token !== undefined) return { kind: 'username', version };
  }
  if (firstChild(all, NS_MS_HTTP_POLICY, 'NegotiateAuthentication') !== undefined) {
    return { kind: 'windows', version: undefined };
  }
  return undefined;
}

function hasTransportBinding(all: XmlElement): boolean {
  return (
    firstChild(all, NS_SP13, 'TransportBinding') !== undefined ||
    firstChild(all, NS_SP2005, 'TransportBinding') !== undefined
  );
}
