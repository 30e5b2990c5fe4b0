/**
 * Bodies made readable for the HTML report (display only, never re-sent): XML indented from the
 * project's parser, JSON indented, forms one field a line, and the JWTs found in a body decoded
 * (header and claims; the signature is not shown).
 *
 * @module
 */
import type { XmlElement, XmlNode } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import { escapeAttribute, escapeText } from '../xml/write.js';

/** At most this many characters are indented; a larger body is shown as it came. */
const MAX_PRETTY = 2 * 1024 * 1024;

/**
 * `body` indented according to its structure, or unchanged when it has none that parses.
 *
 * @example
 * ```ts
 * prettyBody('{"a":1}'); // '{\n  "a": 1\n}'
 * ```
 */
export function prettyBody(body: string, mediaType = ''): string {
  if (body.length > MAX_PRETTY) return body;
  const trimmed = body.trimStart();
  if (trimmed.startsWith('<')) return prettyXml(body) ?? body;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      return body;
    }
  }
  if (mediaType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return [...new URLSearchParams(body.trim())].map(([k, v]) => `${k}=${v}`).join('\n');
  }
  return body;
}

/** Indented XML (namespace declarations kept as written), or undefined when it does not parse. */
export function prettyXml(text: string): string | undefined {
  let root: XmlElement;
  try {
    root = parseXml(text, { maxBytes: MAX_PRETTY * 4 }).root;
  } catch {
    return undefined;
  }
  const lines: string[] = [];
  const write = (el: XmlElement, depth: number): void => {
    const pad = '  '.repeat(depth);
    const attrs = el.attributes.map((a) => ` ${a.name}="${escapeAttribute(a.value)}"`).join('');
    const kids = el.children.filter((c) => !(c.type === 'text' && c.value.trim() === ''));
    if (kids.length === 0) {
      lines.push(`${pad}<${el.name}${attrs}/>`);
      return;
    }
    if (kids.every((c) => c.type === 'text')) {
      const value = kids.map((c) => (c as { value: string }).value).join('');
      lines.push(`${pad}<${el.name}${attrs}>${escapeText(value)}</${el.name}>`);
      return;
    }
    lines.push(`${pad}<${el.name}${attrs}>`);
    for (const child of kids) writeNode(child, depth + 1);
    lines.push(`${pad}</${el.name}>`);
  };
  const writeNode = (node: XmlNode, depth: number): void => {
    const pad = '  '.repeat(depth);
    if (node.type === 'element') write(node, depth);
    else if (node.type === 'text') lines.push(`${pad}${escapeText(node.value.trim())}`);
    else if (node.type === 'comment') lines.push(`${pad}<!--${node.value}-->`);
    else lines.push(`${pad}<?${node.target} ${node.value}?>`);
  };
  write(root, 0);
  return lines.join('\n');
}

/** A JWT found in a body, decoded for display. */
export interface DecodedJwt {
  readonly header: string;
  readonly claims: string;
}

const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.(?:[A-Za-z0-9_-]+|\[REDACTED\]|%5BREDACTED%5D)/g;

/**
 * The JWS compact tokens in `text` whose header and payload are JSON, decoded (at most 10).
 *
 * @example
 * ```ts
 * decodeJwts(body).map((j) => j.claims);
 * ```
 */
export function decodeJwts(text: string): DecodedJwt[] {
  const out: DecodedJwt[] = [];
  for (const match of text.matchAll(JWT)) {
    const [h, p] = match[0].split('.');
    try {
      const header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')) as unknown;
      const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as unknown;
      if (typeof header !== 'object' || header === null) continue;
      out.push({
        header: JSON.stringify(header, null, 2),
        claims: JSON.stringify(claims, null, 2),
      });
    } catch {
      // not a JWT after all
    }
    if (out.length === 10) break;
  }
  return out;
}
