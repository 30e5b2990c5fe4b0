/**
 * fast-check arbitraries for the differential tests: well-formed namespace-aware documents (built
 * from a random element tree, escaped properly), and garbage derived from them.
 */
import fc from 'fast-check';

const START = ['a', 'b', 'Z', '_', 'é', 'Ω', '中', 'ẞ', '\u{10000}', '\u{EFFFF}', 'x'];
const REST = [...START, '-', '.', '0', '9', '·', '\u0300', '‿'];

/** An NCName, sometimes with non-ASCII and astral characters. */
export const ncName: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...START), fc.array(fc.constantFrom(...REST), { maxLength: 4 }))
  .map(([s, rest]) => s + rest.join(''));

const prefixName = fc.oneof(fc.constantFrom('p', 'q', 'ns1', 'é', 'xml'), ncName);
const uri = fc.constantFrom(
  'urn:a',
  'urn:b',
  'http://example.com/x?y=1&z=<2>',
  'urn:é😀',
  'urn:"\'',
);

/** A piece of content: a raw string (escaped on output) or a reference written as is. */
const piece: fc.Arbitrary<{ raw: string } | { ref: string }> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .constantFrom('&', '<', '>', '"', "'", ']]>', ']', ']]', '\r\n', '\r', '\n', '\t', ' ')
      .map((raw) => ({ raw })),
  },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('a', 'é', '中', '😀', '$&', '$$', 'x y', '\u2028')
      .map((raw) => ({ raw })),
  },
  {
    weight: 2,
    arbitrary: fc.string({ unit: 'binary', maxLength: 6 }).map((s) => ({ raw: xmlChars(s) })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        ...'&amp;|&lt;|&gt;|&quot;|&apos;|&#10;|&#13;|&#9;|&#32;|&#x1F600;|&#xe9;|&#xFFFD;'.split(
          '|',
        ),
        ...'&#0000000000065;|&#x0000000041;|&#x10FFFF;|&#xD7FF;'.split('|'),
      )
      .map((ref) => ({ ref })),
  },
);

/** Keeps only characters XML 1.0 allows (lone surrogates and C0 controls become `?`). */
export function xmlChars(s: string): string {
  return s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '?');
}

function text(
  pieces: ReadonlyArray<{ raw: string } | { ref: string }>,
  attr: '"' | "'" | '',
): string {
  let out = '';
  for (const p of pieces) {
    if ('ref' in p) {
      out += p.ref;
      continue;
    }
    let s = p.raw.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
    if (attr === '') s = s.replaceAll(']]>', ']]&gt;');
    if (attr === '"') s = s.replaceAll('"', '&quot;');
    if (attr === "'") s = s.replaceAll("'", '&apos;');
    out += s;
  }
  // `]]` + `&gt;` pieces next to each other are fine; a raw `]]` then a raw `>` is not.
  return attr === '' ? out.replaceAll(']]>', ']]&gt;') : out;
}

const space = fc.constantFrom(' ', '\t', '\n', '\r\n', '\r', '  ');
const optSpace = fc.oneof(fc.constant(''), space);

interface GenElement {
  prefix: string | null;
  local: string;
  declare: Array<{ prefix: string; uri: string }>;
  attrs: Array<{
    prefix: string | null;
    local: string;
    value: Array<{ raw: string } | { ref: string }>;
    quote: '"' | "'";
    s: [string, string, string];
  }>;
  children: GenNode[];
  selfClose: boolean;
  endSpace: string;
}
type GenNode =
  | { kind: 'element'; el: GenElement }
  | { kind: 'text'; pieces: Array<{ raw: string } | { ref: string }> }
  | { kind: 'cdata'; raw: string }
  | { kind: 'comment'; raw: string }
  | { kind: 'pi'; target: string; body: string };

const miscNode = fc.oneof(
  fc.record({
    kind: fc.constant('comment' as const),
    raw: fc.string({ unit: 'binary', maxLength: 12 }).map(xmlChars),
  }),
  fc.record({
    kind: fc.constant('pi' as const),
    target: ncName.filter((t) => t.toLowerCase() !== 'xml'),
    body: fc.oneof(fc.constant(''), fc.string({ unit: 'binary', maxLength: 10 }).map(xmlChars)),
  }),
);

const tree = fc.letrec<{ element: GenElement; node: GenNode }>((tie) => ({
  element: fc.record({
    prefix: fc.option(prefixName, { nil: null }),
    local: ncName,
    declare: fc.array(
      fc.record({
        prefix: fc.oneof(fc.constant(''), prefixName),
        uri: fc.oneof(uri, fc.constant('')),
      }),
      { maxLength: 2 },
    ),
    attrs: fc.array(
      fc.record({
        prefix: fc.option(prefixName, { nil: null, freq: 3 }),
        local: ncName,
        value: fc.array(piece, { maxLength: 5 }),
        quote: fc.constantFrom('"' as const, "'" as const),
        s: fc.tuple(space, optSpace, optSpace),
      }),
      { maxLength: 4 },
    ),
    children: fc.array(tie('node') as fc.Arbitrary<GenNode>, { maxLength: 4 }),
    selfClose: fc.boolean(),
    endSpace: optSpace,
  }),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('text' as const),
        pieces: fc.array(piece, { minLength: 1, maxLength: 6 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('element' as const),
        el: tie('element') as fc.Arbitrary<GenElement>,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('cdata' as const),
        raw: fc
          .array(piece, { maxLength: 4 })
          .map((ps) => ps.map((p) => ('raw' in p ? p.raw : p.ref)).join('')),
      }),
    },
    { weight: 1, arbitrary: miscNode },
  ),
}));

function serializeMisc(n: GenNode & { kind: 'comment' | 'pi' }): string {
  if (n.kind === 'comment') {
    let body = n.raw.replaceAll('--', '- -');
    while (body.includes('--')) body = body.replaceAll('--', '- -');
    return `<!--${body.endsWith('-') ? `${body} ` : body}-->`;
  }
  const body = n.body.replaceAll('?>', '? >');
  return body === '' ? `<?${n.target}?>` : `<?${n.target} ${body}?>`;
}

/** Serializes an element, declaring whatever its names need, skipping clashing attributes. */
function serialize(el: GenElement, scope: ReadonlyMap<string, string>, out: string[]): void {
  const own = new Map<string, string>();
  for (const d of el.declare) {
    if (d.prefix === 'xml' || own.has(d.prefix) || (d.prefix !== '' && d.uri === '')) continue;
    own.set(d.prefix, d.uri);
  }
  const bound = (p: string): string | undefined => own.get(p) ?? scope.get(p);
  const need = (p: string): void => {
    if (p !== 'xml' && !bound(p)) own.set(p, `urn:${p}`);
  };
  if (el.prefix !== null) need(el.prefix);
  const attrs: string[] = [];
  const seen = new Set<string>();
  for (const a of el.attrs) {
    if (a.prefix !== null) need(a.prefix);
    const expanded = a.prefix === null ? a.local : `{${bound(a.prefix)}}${a.local}`;
    if (seen.has(expanded) || (a.prefix === null && a.local === 'xmlns')) continue;
    seen.add(expanded);
    const name = a.prefix === null ? a.local : `${a.prefix}:${a.local}`;
    attrs.push(`${a.s[0]}${name}${a.s[1]}=${a.s[2]}${a.quote}${text(a.value, a.quote)}${a.quote}`);
  }
  const decls = [...own].map(
    ([p, u]) => ` ${p === '' ? 'xmlns' : `xmlns:${p}`}="${text([{ raw: u }], '"')}"`,
  );
  const name = el.prefix === null ? el.local : `${el.prefix}:${el.local}`;
  out.push(`<${name}${decls.join('')}${attrs.join('')}`);
  if (el.selfClose && el.children.length === 0) {
    out.push(`${el.endSpace}/>`);
    return;
  }
  out.push(`${el.endSpace}>`);
  const inner = new Map([...scope, ...own]);
  let pending: Array<{ raw: string } | { ref: string }> = [];
  for (const c of el.children) {
    if (c.kind === 'text') {
      pending.push(...c.pieces); // adjacent text nodes are one run of character data
      continue;
    }
    out.push(text(pending, ''));
    pending = [];
    if (c.kind === 'element') serialize(c.el, inner, out);
    else if (c.kind === 'cdata')
      out.push(`<![CDATA[${c.raw.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`);
    else out.push(serializeMisc(c));
  }
  out.push(text(pending, ''));
  out.push(`</${name}${el.endSpace}>`);
}

const declaration = fc.constantFrom(
  '',
  '<?xml version="1.0"?>',
  "<?xml version='1.0' encoding='UTF-8'?>\r\n",
  '<?xml version="1.0" encoding="us-ascii" standalone="yes" ?>\n',
  '<?xml\tversion = "1.0"\nstandalone=\'no\'?>',
);

/** A well-formed, namespace-well-formed document. */
export const document: fc.Arbitrary<string> = fc
  .record({
    bom: fc.boolean(),
    decl: declaration,
    before: fc.array(fc.oneof(miscNode, space), { maxLength: 2 }),
    root: tree.element,
    after: fc.array(fc.oneof(miscNode, space), { maxLength: 2 }),
  })
  .map(({ bom, decl, before, root, after }) => {
    const out: string[] = [bom ? '\uFEFF' : '', decl];
    const misc = (m: string | GenNode): string =>
      typeof m === 'string' ? m : serializeMisc(m as GenNode & { kind: 'comment' | 'pi' });
    out.push(...before.map(misc));
    serialize(root, new Map(), out);
    out.push(...after.map(misc));
    return out.join('');
  });

/** Characters that matter to XML, plus letters and white space. */
const ALPHABET = [...'<>/="\'&;:!?[]-#xXabp \n\r\té😀\u00A0\u0300'];

/** A random string over {@link ALPHABET}, sometimes behind a root start tag. */
export const garbage: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', '<a>', '<p:a xmlns:p="urn:p">', '<a x="1">'),
    fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 40 }),
    fc.constantFrom('', '</a>', '</p:a>'),
  )
  .map(([a, b, c]) => a + b + c);

const insertion = fc.oneof(
  fc.constantFrom(...ALPHABET),
  fc.constantFrom(
    ...'<!DOCTYPE a>|<!--|-->|<![CDATA[|]]>|<?|?>|&amp;|&#0;|&#x;|&#xD800;|&#x110000;|&#X41;'.split(
      '|',
    ),
    ...'&#65 ;|&foo;|&a:b;|xmlns:q="urn:q"|xmlns=""| q:y="1"|</a>|<a>|\uFFFE|\u0001|\uD800'.split(
      '|',
    ),
  ),
);

/** A well-formed document with a few random deletions and insertions. */
export const mutated: fc.Arbitrary<string> = fc
  .tuple(
    document,
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.option(insertion, { nil: '' })), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([doc, edits]) => {
    const s = Array.from(doc); // code points: an edit never splits a surrogate pair
    for (const [at, del, ins] of edits) s.splice(at % (s.length + 1), del, ins);
    return s.join('');
  });
