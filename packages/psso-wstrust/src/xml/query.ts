/**
 * Namespace-aware navigation of a parsed tree. Matching is always by namespace URI and local
 * name, never by prefix.
 *
 * @module
 */
import { NS_XML, NS_XMLNS } from '../protocol/namespaces.js';
import type { XmlDocument, XmlElement } from './dom.js';

/**
 * The child elements of `el`, optionally only those named `{ns}local`.
 *
 * @example
 * ```ts
 * for (const port of childElements(service, NS_WSDL, 'port')) { ... }
 * ```
 */
export function childElements(el: XmlElement, ns?: string, local?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (c.type !== 'element') continue;
    if (local !== undefined && c.local !== local) continue;
    if (ns !== undefined && c.ns !== ns) continue;
    out.push(c);
  }
  return out;
}

/**
 * The first child element named `{ns}local`, or `undefined`.
 *
 * @example
 * ```ts
 * const header = firstChild(envelope, NS_SOAP12, 'Header');
 * ```
 */
export function firstChild(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  for (const c of el.children) {
    if (c.type === 'element' && c.local === local && c.ns === ns) return c;
  }
  return undefined;
}

/**
 * Follows a path of `[ns, local]` steps through first children.
 *
 * @example
 * ```ts
 * const created = path(envelope, [NS_SOAP12, 'Header'], [NS_WSSE, 'Security']);
 * ```
 */
export function path(
  el: XmlElement,
  ...steps: ReadonlyArray<readonly [string, string]>
): XmlElement | undefined {
  let cur: XmlElement | undefined = el;
  for (const [ns, local] of steps) {
    if (cur === undefined) return undefined;
    cur = firstChild(cur, ns, local);
  }
  return cur;
}

/**
 * Every descendant element of `el` (not `el` itself) named `{ns}local`, in document order.
 *
 * @example
 * ```ts
 * const assertions = descendants(body, NS_SAML1, 'Assertion');
 * ```
 */
export function descendants(el: XmlElement, ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  const stack: XmlElement[] = [el];
  while (stack.length > 0) {
    const cur = stack.pop() as XmlElement;
    for (let i = cur.children.length - 1; i >= 0; i--) {
      const c = cur.children[i];
      if (c?.type === 'element') stack.push(c);
    }
    if (cur !== el && cur.local === local && cur.ns === ns) out.push(cur);
  }
  return out;
}

/**
 * The concatenated text and CDATA children of `el` (direct children only).
 *
 * @example
 * ```ts
 * textOf(addressElement).trim();
 * ```
 */
export function textOf(el: XmlElement): string {
  let out = '';
  for (const c of el.children) if (c.type === 'text') out += c.value;
  return out;
}

/**
 * The value of the attribute `{ns}local` (`ns` = `''` for an unprefixed attribute).
 *
 * @example
 * ```ts
 * attribute(policy, NS_WSU, 'Id');
 * ```
 */
export function attribute(el: XmlElement, ns: string, local: string): string | undefined {
  for (const a of el.attributes) if (a.local === local && a.ns === ns) return a.value;
  return undefined;
}

/**
 * Resolves a QName-valued content (`p:name`) with the namespaces in scope on `el`.
 *
 * @example
 * ```ts
 * resolveQName(subcodeValue, 'a:FailedAuthentication'); // { ns: '...secext...', local: 'FailedAuthentication' }
 * ```
 */
export function resolveQName(
  el: XmlElement,
  qname: string,
): { ns: string; local: string } | undefined {
  const colon = qname.indexOf(':');
  const prefix = colon === -1 ? '' : qname.slice(0, colon);
  const ns = lookupNamespace(el, prefix);
  if (ns === undefined || (prefix !== '' && ns === '')) return undefined;
  return { ns, local: qname.slice(colon + 1) };
}

/**
 * The namespace URI bound to `prefix` (`''`: the default namespace) in scope on `el`; `''` for
 * an undeclared default namespace, `undefined` for an unbound prefix.
 *
 * @example
 * ```ts
 * lookupNamespace(el, 'xml'); // 'http://www.w3.org/XML/1998/namespace'
 * ```
 */
export function lookupNamespace(el: XmlElement, prefix: string): string | undefined {
  for (let cur: XmlElement | undefined = el; cur !== undefined; cur = cur.parent) {
    const ns = cur.namespaces?.get(prefix);
    if (ns !== undefined) return ns;
  }
  if (prefix === '') return '';
  if (prefix === 'xml') return NS_XML;
  if (prefix === 'xmlns') return NS_XMLNS;
  return undefined;
}

/**
 * The exact source text of `el`, as it stands in the document (never re-serialized).
 *
 * @example
 * ```ts
 * const assertionXml = rawXml(doc, assertion);
 * ```
 */
export function rawXml(doc: XmlDocument, el: XmlElement): string {
  return doc.source.slice(el.start, el.end);
}
