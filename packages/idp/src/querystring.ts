/**
 * Query strings decoded with RFC 3986 semantics: `+` stays `+` (macOS's NSURLComponents leaves
 * `+` unescaped, and a UPN may contain one). Malformed escapes keep their raw text.
 *
 * @module
 */

/** Parses `a=1&b=x+y%40z` into `{ a: '1', b: 'x+y@z' }` (the first value of a repeated name wins). */
export function parseQuery(query: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq === -1 ? part : part.slice(0, eq));
    if (name in out) continue;
    out[name] = eq === -1 ? '' : decode(part.slice(eq + 1));
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
