/**
 * JSON text as a Mac writes it: `NSJSONSerialization` with `NSJSONWritingPrettyPrinted` and
 * `NSJSONWritingWithoutEscapingSlashes`, the serializer behind every request JWT segment macOS
 * signs (docs/PLATFORM-SSO.md §3.3, §3.4; docs/PSSO-PEERS.md §5). The real-Mac fixtures in
 * `test/fixtures/real-mac/` are reproduced byte for byte:
 *
 * - a newline after `{` / `[`, two spaces of indent per level, `,\n` between members, a newline
 *   and the parent's indent before `}` / `]`, no trailing newline;
 * - `" : "` between a key and its value;
 * - `/` is NOT escaped (the fixtures carry `https://…/pesto/token` and `…s/ec=` raw); `"` `\`
 *   and control characters are (`\b \f \n \r \t`, others `\u00xx`); other characters are raw UTF-8;
 * - keys in the order given: object insertion order, or the entry order of a `Map`.
 *
 * Empty containers follow the same rule (`{\n\n}`), as Foundation writes them. Non-integer numbers
 * are written in JavaScript's shortest round-trip form (request claims are integers; Foundation's
 * own float formatting is not reproduced).
 *
 * @module
 */

/** A value {@link nsJsonStringify} accepts; `Map` keeps an explicit key order. */
export type NsJsonValue =
  | string
  | number
  | boolean
  | null
  | readonly NsJsonValue[]
  | ReadonlyMap<string, NsJsonValue | undefined>
  | { readonly [key: string]: NsJsonValue | undefined };

/** Options of {@link nsJsonStringify}. */
export interface NsJsonOptions {
  /** Escape `/` as `\/` (Foundation's default without `WithoutEscapingSlashes`); default false. */
  readonly escapeSlashes?: boolean;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function quote(text: string, escapeSlashes: boolean): string {
  if (!text.isWellFormed()) throw new TypeError('strings must be well-formed Unicode');
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (ch === '/' && escapeSlashes) out += '\\/';
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function entriesOf(value: object): [string, unknown][] {
  if (value instanceof Map) {
    for (const key of value.keys())
      if (typeof key !== 'string') throw new TypeError('object keys must be strings');
    return [...(value as Map<string, unknown>).entries()];
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null)
    throw new TypeError('only plain objects, Maps and arrays can be serialized');
  return Object.entries(value);
}

function write(value: unknown, indent: string, escapeSlashes: boolean): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value, escapeSlashes);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('numbers must be finite');
      return Object.is(value, -0) ? '0' : String(value);
    case 'object':
      break;
    default:
      throw new TypeError(`a ${typeof value} cannot be serialized`);
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items = value.map((item) => {
      if (item === undefined) throw new TypeError('arrays cannot hold undefined');
      return inner + write(item, inner, escapeSlashes);
    });
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  const members = entriesOf(value as object)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${inner}${quote(k, escapeSlashes)} : ${write(v, inner, escapeSlashes)}`);
  return `{\n${members.join(',\n')}\n${indent}}`;
}

/**
 * Serializes `value` as NSJSONSerialization does with pretty printing and unescaped slashes.
 * Object members whose value is `undefined` are left out (as `JSON.stringify` does).
 *
 * @throws {TypeError} for values JSON cannot carry (undefined in an array, non-finite numbers,
 *   bigint, functions, class instances other than Map, lone surrogates).
 * @example
 * ```ts
 * nsJsonStringify({ typ: 'JWT', alg: 'ES256', amr: ['pwd'] });
 * // '{\n  "typ" : "JWT",\n  "alg" : "ES256",\n  "amr" : [\n    "pwd"\n  ]\n}'
 * ```
 */
export function nsJsonStringify(value: NsJsonValue, options: NsJsonOptions = {}): string {
  return write(value, '', options.escapeSlashes === true);
}

/**
 * A copy of `object` with its keys in `order`: listed keys first, in that order; keys not listed
 * take the place of the `'*'` entry if the order has one (else they go last), in their own order.
 * Returns a `Map`, so that even integer-like keys keep their place.
 *
 * @example
 * ```ts
 * orderKeys({ iat: 1, extra: true, exp: 2 }, ['exp', '*', 'iat']);
 * // Map { 'exp' => 2, 'extra' => true, 'iat' => 1 }
 * ```
 */
export function orderKeys<V>(
  object: Readonly<Record<string, V>>,
  order: readonly string[],
): Map<string, V> {
  const rest = order.includes('*') ? order.indexOf('*') : order.length;
  const rank = (key: string) => {
    const i = order.indexOf(key);
    return i === -1 || key === '*' ? rest : i;
  };
  const keys = Object.keys(object)
    .map((key, i) => ({ key, i, r: rank(key) }))
    .sort((a, b) => a.r - b.r || a.i - b.i);
  return new Map(keys.map(({ key }) => [key, object[key] as V]));
}
