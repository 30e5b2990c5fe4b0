/**
 * Namespaces in XML 1.0: binding the declarations of a start tag and resolving its element and
 * attribute names. The reserved prefixes and namespaces are enforced.
 *
 * @module
 */
import { NS_XML, NS_XMLNS } from '../protocol/namespaces.js';
import type { XmlAttribute } from './dom.js';
import { failAt } from './position.js';
import type { RawAttribute, StartTag } from './scanner.js';

/**
 * Bindings in scope: the declarations of one element (prefix, `''` for the default namespace, →
 * URI, `''` meaning none), then those of the enclosing scope. Nothing is copied.
 */
export interface Scope {
  readonly own: ReadonlyMap<string, string>;
  readonly parent: Scope | undefined;
}

/** The scope outside the root element. */
export const ROOT_SCOPE: Scope = {
  own: new Map([
    ['', ''],
    ['xml', NS_XML],
    ['xmlns', NS_XMLNS],
  ]),
  parent: undefined,
};

const NO_ATTRIBUTES: readonly XmlAttribute[] = Object.freeze([]);

/** A start tag, namespace-resolved. */
export interface ResolvedTag {
  readonly prefix: string;
  readonly local: string;
  readonly ns: string;
  readonly attributes: readonly XmlAttribute[];
  /** The declarations made on this tag, or undefined. */
  readonly declared: ReadonlyMap<string, string> | undefined;
  /** The scope inside the element (the parent's when it declares nothing). */
  readonly scope: Scope;
}

/** Binds the tag's declarations in `parent` scope and resolves its names. */
export function resolveTag(src: string, tag: StartTag, start: number, parent: Scope): ResolvedTag {
  let declared: Map<string, string> | undefined;
  let scope = parent;
  for (const a of tag.attributes) {
    const isDefault = a.name === 'xmlns';
    if (!isDefault && !(a.colon === 5 && a.name.startsWith('xmlns:'))) continue;
    const prefix = isDefault ? '' : a.name.slice(6);
    checkBinding(src, prefix, a.value, a.offset);
    if (declared === undefined) {
      declared = new Map();
      scope = { own: declared, parent };
    }
    declared.set(prefix, a.value);
  }
  const prefix = tag.colon === -1 ? '' : tag.name.slice(0, tag.colon);
  if (prefix === 'xmlns')
    failAt(src, 'PSSO_ERR_XML_NAMESPACE', "The prefix 'xmlns' is reserved", start);
  return {
    prefix,
    local: tag.colon === -1 ? tag.name : tag.name.slice(tag.colon + 1),
    ns: prefix === '' ? (find(scope, '') as string) : lookup(src, scope, prefix, start),
    attributes:
      tag.attributes.length === 0 ? NO_ATTRIBUTES : resolveAttributes(src, tag.attributes, scope),
    declared,
    scope,
  };
}

function resolveAttributes(
  src: string,
  raw: readonly RawAttribute[],
  scope: Scope,
): XmlAttribute[] {
  const attributes: XmlAttribute[] = [];
  for (const a of raw) {
    const prefix = a.colon === -1 ? '' : a.name.slice(0, a.colon);
    const local = a.colon === -1 ? a.name : a.name.slice(a.colon + 1);
    let ns = '';
    if (a.name === 'xmlns') ns = NS_XMLNS;
    else if (prefix !== '') ns = lookup(src, scope, prefix, a.offset);
    if (ns !== '') {
      for (const other of attributes) {
        if (other.ns === ns && other.local === local) {
          failAt(
            src,
            'PSSO_ERR_XML_NAMESPACE',
            'Duplicate attribute (same namespace and name)',
            a.offset,
          );
        }
      }
    }
    attributes.push({ name: a.name, prefix, local, ns, value: a.value });
  }
  return attributes;
}

function checkBinding(src: string, prefix: string, uri: string, offset: number): void {
  if (prefix === 'xmlns')
    failAt(src, 'PSSO_ERR_XML_NAMESPACE', "The prefix 'xmlns' cannot be declared", offset);
  if (prefix === 'xml' ? uri !== NS_XML : uri === NS_XML) {
    failAt(
      src,
      'PSSO_ERR_XML_NAMESPACE',
      "The 'xml' namespace is bound to its prefix only",
      offset,
    );
  }
  if (uri === NS_XMLNS)
    failAt(src, 'PSSO_ERR_XML_NAMESPACE', 'The xmlns namespace cannot be bound', offset);
  if (prefix !== '' && uri === '')
    failAt(src, 'PSSO_ERR_XML_NAMESPACE', 'A prefix cannot be undeclared', offset);
}

function find(scope: Scope, prefix: string): string | undefined {
  for (let s: Scope | undefined = scope; s !== undefined; s = s.parent) {
    const ns = s.own.get(prefix);
    if (ns !== undefined) return ns;
  }
  return undefined;
}

function lookup(src: string, scope: Scope, prefix: string, offset: number): string {
  const ns = find(scope, prefix);
  if (ns === undefined || ns === '')
    return failAt(src, 'PSSO_ERR_XML_NAMESPACE', 'Unbound namespace prefix', offset);
  return ns;
}
