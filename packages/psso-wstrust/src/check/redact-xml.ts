/**
 * XML redaction: the content of every element whose local name carries a secret (whatever its
 * prefix or namespace) replaced by the marker, at the offsets the project's parser reports; XML
 * the parser refuses is redacted by element-aware patterns, failing closed.
 *
 * @module
 */
import type { XmlElement } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';

/** The fixed marker that replaces every secret (re-exported by `redact.ts`). */
export const REDACTED = '[REDACTED]';

/**
 * Local names of XML elements whose content is a secret: the UsernameToken Password and Nonce,
 * signature values (a signed assertion without one is useless to a thief), encrypted data and
 * keys, proof-key secrets, binary security tokens.
 */
const SECRET_ELEMENTS = new Set([
  'password',
  'nonce',
  'signaturevalue',
  'ciphervalue',
  'binarysecret',
  'binarysecuritytoken',
]);

/**
 * XML: every element whose local name is a secret has its content replaced, at the offsets the
 * parser reports (prefixes, namespaces, whitespace, CDATA and entities are the parser's concern).
 *
 * @example
 * ```ts
 * redactXmlElements(rst.body); // …<o:Password>[REDACTED]</o:Password>…
 * ```
 */
export function redactXmlElements(body: string): string {
  let doc: ReturnType<typeof parseXml>;
  try {
    doc = parseXml(body, { maxBytes: 16 * 1024 * 1024 });
  } catch {
    return redactXmlByPattern(body);
  }
  const spans: [number, number][] = [];
  const visit = (el: XmlElement): void => {
    if (SECRET_ELEMENTS.has(el.local.toLowerCase())) {
      const span = contentSpan(doc.source, el);
      if (span !== undefined) spans.push(span);
      return;
    }
    for (const child of el.children) if (child.type === 'element') visit(child);
  };
  visit(doc.root);
  let out = doc.source;
  for (const [from, to] of spans.sort((a, b) => b[0] - a[0])) {
    if (out.slice(from, to) !== REDACTED) out = `${out.slice(0, from)}${REDACTED}${out.slice(to)}`;
  }
  return out;
}

/** Offsets of an element's content: after its start tag's `>`, before its end tag; none if empty. */
function contentSpan(source: string, el: XmlElement): [number, number] | undefined {
  let quote = '';
  let i = el.start + 1;
  for (; i < el.end; i++) {
    const c = source[i];
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') break;
  }
  if (source[i - 1] === '/') return undefined; // <x/>
  const close = source.lastIndexOf('</', el.end);
  if (close <= i) return undefined;
  return [i + 1, close];
}

/**
 * XML the parser refused (truncated, a DOCTYPE…): the content of every secret element, matched
 * by local name with any prefix, up to its end tag; a secret start tag without an end tag drops
 * the rest of the body.
 */
function redactXmlByPattern(body: string): string {
  const names = [...SECRET_ELEMENTS].join('|');
  const start = new RegExp(`<((?:[^\\s<>/:="']+:)?(?:${names}))(?=[\\s/>])[^>]*>`, 'gi');
  let out = '';
  let last = 0;
  for (;;) {
    start.lastIndex = last;
    const m = start.exec(body);
    if (m === null) break;
    const openEnd = m.index + m[0].length;
    out += body.slice(last, openEnd);
    if (m[0].endsWith('/>')) {
      last = openEnd;
      continue;
    }
    const local = (m[1] ?? '').split(':').pop() ?? '';
    const end = new RegExp(`</(?:[^\\s<>/:]+:)?${local}\\s*>`, 'gi');
    end.lastIndex = openEnd;
    const e = end.exec(body);
    if (e === null) return `${out}${REDACTED}`;
    out += REDACTED;
    last = e.index;
  }
  return out + body.slice(last);
}
