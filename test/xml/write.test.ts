import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseXml } from '../../packages/psso-wstrust/src/xml/parse.ts';
import { escapeAttribute, escapeText } from '../../packages/psso-wstrust/src/xml/write.ts';
import { xmlChars } from './support/arbitraries.ts';

/** Text through escapeText, read back by parseXml (concatenating the text children). */
function viaText(value: string): string {
  const { root } = parseXml(`<a>${escapeText(value)}</a>`);
  return root.children.map((c) => (c.type === 'text' ? c.value : '')).join('');
}

/** A value through escapeAttribute, read back from both quote styles. */
function viaAttribute(value: string): [string, string] {
  const escaped = escapeAttribute(value);
  const read = (xml: string): string => parseXml(xml).root.attributes[0]?.value ?? '<missing>';
  return [read(`<a x="${escaped}"/>`), read(`<a x='${escaped}'/>`)];
}

const TRICKY = [
  '',
  `& < > " '`,
  '&amp; &lt; &#65; &#x41; &foo;',
  "$& $$ $1 $` $'",
  ']]> ]] ]]]>',
  'a\tb\nc\rd\r\ne\n\r',
  '  leading and trailing  ',
  'café 中文 ßΩ',
  '😀 \u{10FFFF} \u{1F600}\u{1F3FD}',
  '\u0085\u2028\u00A0\uFEFF',
  '<!-- x --><![CDATA[y]]><?p q?>',
];

/** Strings of XML Chars only, weighted towards the characters escaping is about. */
const xmlString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }).map(xmlChars),
  fc.string({
    unit: fc.constantFrom('&', '<', '>', '"', "'", ']', '$', '\t', '\r', '\n', ' ', 'a', 'é', '😀'),
    maxLength: 40,
  }),
);

describe('escapeText', () => {
  test('round-trips the tricky strings exactly', () => {
    for (const s of TRICKY) assert.equal(viaText(s), s);
  });

  test('escapes exactly & < > and CR, nothing else', () => {
    assert.equal(escapeText(`a&b<c>d"e'f\tg\nh\ri`), `a&amp;b&lt;c&gt;d"e'f\tg\nh&#13;i`);
    assert.equal(escapeText(']]>'), ']]&gt;');
    const plainText = 'nothing to escape: é 😀 $1 $$ ]] \t\n';
    assert.equal(escapeText(plainText), plainText);
  });

  test('round-trips any string of XML characters (fast-check)', () => {
    fc.assert(
      fc.property(xmlString, (s) => {
        assert.equal(viaText(s), s);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('escapeAttribute', () => {
  test('round-trips the tricky strings exactly, in either quote style', () => {
    for (const s of TRICKY) assert.deepEqual(viaAttribute(s), [s, s]);
  });

  test('escapes & < > " \' and TAB, LF, CR, so that normalization leaves them alone', () => {
    assert.equal(
      escapeAttribute(`a&b<c>d"e'f\tg\nh\ri`),
      'a&amp;b&lt;c&gt;d&quot;e&apos;f&#9;g&#10;h&#13;i',
    );
    assert.equal(escapeAttribute('\r\n'), '&#13;&#10;');
  });

  test('round-trips any string of XML characters (fast-check)', () => {
    fc.assert(
      fc.property(xmlString, (s) => {
        assert.deepEqual(viaAttribute(s), [s, s]);
      }),
      { numRuns: 3000 },
    );
  });
});
