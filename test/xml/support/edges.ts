/**
 * fast-check arbitraries aimed at the edges of the grammar: name characters at the boundaries of
 * their ranges, and XML declarations assembled from right and wrong pieces.
 */
import fc from 'fast-check';

/** Characters at the edges of the NameStartChar and NameChar ranges (XML 1.0 §2.3), in and out. */
const NAME_EDGES = Array.from(
  'aZ_:-.0\u00B7\u00C0\u00D6\u00D7\u00F7\u02FF\u0300\u036F\u0370\u037D\u037E\u037F\u1FFF' +
    '\u2000\u200B\u200C\u200D\u200E\u203F\u2040\u2041\u206F\u2070\u218F\u2190\u2BFF\u2C00' +
    '\u2FEF\u2FF0\u3000\u3001\uD7FF\uE000\uF8FF\uF900\uFDCF\uFDD0\uFDEF\uFDF0\uFFFD' +
    '\u{10000}\u{EFFFF}\u{F0000}\u00A0\u0085',
);

/** A name from edge characters, put where an element, attribute, prefix or PI target goes. */
export const names: fc.Arbitrary<string> = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...NAME_EDGES), minLength: 1, maxLength: 4 }),
    fc.constantFrom(
      (n: string) => `<${n}/>`,
      (n: string) => `<a ${n}="1"/>`,
      (n: string) => `<p:a xmlns:p="urn:p" p:${n}="1"/>`,
      (n: string) => `<${n}:a xmlns:${n}="urn:p"/>`,
      (n: string) => `<a><?${n} x?></a>`,
      (n: string) => `<a>&${n};</a>`,
      (n: string) => `<${n}></${n}>`,
    ),
  )
  .map(([n, place]) => place(n));

/** An XML declaration from its pieces, right and wrong, before a root element. */
export const declarations: fc.Arbitrary<string> = fc
  .array(
    fc.constantFrom(
      ...[' ', '\t', '\r\n', '\u00A0', '\u2028', 'version', 'encoding', 'standalone', '='],
      ...`"1.0"|'1.0'|"1.1"|"UTF-8"|'utf-8'|"US-ASCII"|"_x"|"yes"|'no'|"maybe"|?|x`.split('|'),
    ),
    { maxLength: 12 },
  )
  .chain((parts) =>
    fc.constantFrom(
      `<?xml ${parts.join('')}?><a/>`,
      `<?xml${parts.join('')}?><a/>`,
      `<?xml version="1.0"${parts.join('')}?><a/>`,
      `<?xml version="1.0" ${parts.join(' ')}?><a/>`,
    ),
  );
