/**
 * Choosing WS-Trust endpoints from a MEX (WS-MetadataExchange / WSDL) document, as Platform SSO
 * does, with the hardening earlier clients lacked: `wsdl:definitions` found wherever it is nested,
 * names matched by namespace whatever the prefixes, broken unrelated items skipped, a transport
 * security binding required, SOAP 1.2 bindings only, https addresses only.
 *
 * @module
 */
import { MexError } from '../errors.js';
import { NS_WSA, NS_WSDL, NS_WSDL_SOAP12, NS_WSP } from '../protocol/namespaces.js';
import {
  SOAP_HTTP_TRANSPORT,
  WSTRUST13,
  WSTRUST2005,
  type WsTrustVersion,
} from '../protocol/wstrust.js';
import type { XmlElement } from '../xml/dom.js';
import type { XmlLimits } from '../xml/limits.js';
import { parseXml } from '../xml/parse.js';
import { attribute, childElements, descendants, firstChild, path, textOf } from '../xml/query.js';
import { type PolicyCensus, type QualifiedPolicy, qualifyingPolicies } from './policies.js';
import type { MexEndpoint, MexMetadata, MexSkippedEndpoint } from './types.js';

interface QualifiedBinding {
  readonly name: string;
  readonly policy: QualifiedPolicy;
  readonly version: WsTrustVersion;
  readonly soapAction: string;
}

const ACTIONS: ReadonlyMap<string, WsTrustVersion> = new Map([
  [WSTRUST13.issueAction, '1.3'],
  [WSTRUST2005.issueAction, '2005'],
]);

/**
 * Parses a MEX document and lists its username/password endpoints in preference order (WS-Trust
 * 1.3 before 2005), with the Windows-integrated ones for diagnostics.
 *
 * @throws {XmlError} when the document is not well-formed (with line and column).
 * @throws {MexError} when no usable username/password endpoint exists; the code says why.
 *
 * @example
 * ```ts
 * const mex = parseMex(await readFile('mex.xml'));
 * const [endpoint] = mex.usernamePassword; // { version: '1.3', address: 'https://…', soapAction: '…' }
 * ```
 */
export function parseMex(document: string | Uint8Array, limits?: XmlLimits): MexMetadata {
  if (typeof document !== 'string' && !(document instanceof Uint8Array)) {
    throw new TypeError('parseMex: document must be a string or a Uint8Array');
  }
  const { root } = parseXml(document, limits);
  const definitions = root.ns === NS_WSDL && root.local === 'definitions' ? [root] : [];
  definitions.push(...descendants(root, NS_WSDL, 'definitions'));
  if (definitions.length === 0) {
    throw new MexError('PSSO_ERR_MEX_NOT_WSDL', 'The MEX document holds no wsdl:definitions');
  }
  const census: PolicyCensus = { usernamePolicies: 0 };
  const policies = new Map<string, QualifiedPolicy>();
  for (const d of definitions) {
    for (const p of qualifyingPolicies(d, census)) if (!policies.has(p.key)) policies.set(p.key, p);
  }
  const bindings = new Map<string, QualifiedBinding[]>();
  for (const d of definitions) {
    for (const b of qualifyingBindings(d, policies)) {
      const list = bindings.get(b.name) ?? [];
      list.push(b);
      bindings.set(b.name, list);
    }
  }
  const username: MexEndpoint[] = [];
  const windows: MexEndpoint[] = [];
  const skipped: MexSkippedEndpoint[] = [];
  let ports = 0;
  for (const d of definitions) {
    for (const service of childElements(d, NS_WSDL, 'service')) {
      for (const port of childElements(service, NS_WSDL, 'port')) {
        const ref = attribute(port, '', 'binding');
        const matched =
          ref === undefined ? undefined : bindings.get(ref.slice(ref.indexOf(':') + 1));
        const address = addressOf(port);
        if (matched === undefined || address === undefined) continue;
        for (const b of matched) {
          const endpoint: MexEndpoint = { version: b.version, address, soapAction: b.soapAction };
          if (b.policy.kind === 'windows') {
            if (isHttps(address)) windows.push(endpoint);
            continue;
          }
          ports++;
          const problem = addressProblem(address);
          if (problem === undefined) username.push(endpoint);
          else skipped.push({ version: b.version, address, reason: problem });
        }
      }
    }
  }
  if (username.length === 0) throw noEndpoint(census, policies, bindings, ports);
  return {
    usernamePassword: preferenceOrder(username),
    windowsIntegrated: preferenceOrder(windows),
    skipped,
  };
}

/** Bindings referencing a qualifying policy, over SOAP 1.2 HTTP, with a WS-Trust Issue action. */
function qualifyingBindings(
  definitions: XmlElement,
  policies: ReadonlyMap<string, QualifiedPolicy>,
): QualifiedBinding[] {
  const out: QualifiedBinding[] = [];
  for (const binding of childElements(definitions, NS_WSDL, 'binding')) {
    const name = attribute(binding, '', 'name');
    if (name === undefined) continue;
    const transport = firstChild(binding, NS_WSDL_SOAP12, 'binding');
    if (transport === undefined || attribute(transport, '', 'transport') !== SOAP_HTTP_TRANSPORT)
      continue;
    const soapAction = issueAction(binding);
    if (soapAction === undefined) continue;
    const version = ACTIONS.get(soapAction) as WsTrustVersion;
    for (const ref of childElements(binding, NS_WSP, 'PolicyReference')) {
      const uri = attribute(ref, '', 'URI');
      const policy = uri === undefined ? undefined : policies.get(uri);
      if (policy === undefined) continue;
      // A username policy's security-policy namespace must belong to the binding's version.
      if (policy.kind === 'username' && policy.version !== version) continue;
      out.push({ name, policy, version, soapAction });
    }
  }
  return out;
}

function issueAction(binding: XmlElement): string | undefined {
  for (const operation of childElements(binding, NS_WSDL, 'operation')) {
    const soap = firstChild(operation, NS_WSDL_SOAP12, 'operation');
    const action = soap === undefined ? undefined : attribute(soap, '', 'soapAction');
    if (action !== undefined && ACTIONS.has(action)) return action;
  }
  return undefined;
}

function addressOf(port: XmlElement): string | undefined {
  const address = path(port, [NS_WSA, 'EndpointReference'], [NS_WSA, 'Address']);
  if (address === undefined) return undefined;
  const text = textOf(address).trim();
  return text === '' ? undefined : text;
}

function isHttps(address: string): boolean {
  return addressProblem(address) === undefined;
}

function addressProblem(address: string): MexSkippedEndpoint['reason'] | undefined {
  if (!/^https:\/\//i.test(address)) return 'insecure-address';
  try {
    new URL(address);
    return undefined;
  } catch {
    return 'invalid-address';
  }
}

/** 1.3 endpoints first, then 2005, each in document order, without repeats. */
function preferenceOrder(list: MexEndpoint[]): MexEndpoint[] {
  const seen = new Set<string>();
  const out: MexEndpoint[] = [];
  for (const version of ['1.3', '2005'] as const) {
    for (const e of list) {
      const key = `${e.version} ${e.address}`;
      if (e.version !== version || seen.has(key)) continue;
      seen.add(key);
      out.push(e);
    }
  }
  return out;
}

function noEndpoint(
  census: PolicyCensus,
  policies: ReadonlyMap<string, QualifiedPolicy>,
  bindings: ReadonlyMap<string, QualifiedBinding[]>,
  ports: number,
): MexError {
  const usernamePolicies = [...policies.values()].filter((p) => p.kind === 'username').length;
  if (census.usernamePolicies === 0 || usernamePolicies === 0) {
    return new MexError(
      'PSSO_ERR_MEX_NO_USERNAME_POLICY',
      census.usernamePolicies === 0
        ? 'The MEX document has no username token policy'
        : 'The MEX document has no username token policy over a secure transport (TransportBinding)',
    );
  }
  const usernameBindings = [...bindings.values()]
    .flat()
    .filter((b) => b.policy.kind === 'username');
  if (usernameBindings.length === 0) {
    return new MexError(
      'PSSO_ERR_MEX_NO_MATCHING_BINDING',
      'No SOAP 1.2 binding with a WS-Trust Issue action references a username token policy',
    );
  }
  if (ports === 0) {
    return new MexError(
      'PSSO_ERR_MEX_NO_MATCHING_PORT',
      'No service port with an endpoint address uses a username token binding',
    );
  }
  return new MexError(
    'PSSO_ERR_MEX_INSECURE_ADDRESS',
    'Every username/password endpoint address is insecure (not https) or invalid',
  );
}
