import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { XmlError, type XmlErrorCode } from '../../packages/psso-wstrust/src/errors.ts';
import type { XmlElement } from '../../packages/psso-wstrust/src/xml/dom.ts';
import { parseXml } from '../../packages/psso-wstrust/src/xml/parse.ts';
import { assertCode } from '../helpers/assert-code.ts';
import { readInterop } from '../helpers/interop.ts';

function refuses(
  input: string | Uint8Array,
  code: XmlErrorCode,
  limits?: Parameters<typeof parseXml>[1],
): XmlError {
  return assertCode(() => parseXml(input, limits), code, XmlError);
}

function timed(run: () => void): number {
  const t0 = performance.now();
  run();
  return performance.now() - t0;
}

describe('parseXml refuses every attack', () => {
  test('billion laughs: a DOCTYPE with nested internal entities', () => {
    const lol = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      ' <!ENTITY lol "lol">',
      ...Array.from(
        { length: 9 },
        (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
      ),
      ']>',
      '<lolz>&lol9;</lolz>',
    ].join('\n');
    const e = refuses(lol, 'PSSO_ERR_XML_DOCTYPE');
    assert.deepEqual([e.line, e.column], [2, 1]);
    assert.ok(timed(() => refuses(lol, 'PSSO_ERR_XML_DOCTYPE')) < 100);
  });

  test('XXE: an external entity naming file:///etc/passwd', () => {
    for (const xml of [
      '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x a="&e;"/>',
      '<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><x/>',
    ]) {
      const e = refuses(xml, 'PSSO_ERR_XML_DOCTYPE');
      for (const leak of ['root:', '/etc/passwd', 'ENTITY']) {
        assert.ok(!e.message.includes(leak), `the error says nothing of ${leak}`);
        assert.ok(!JSON.stringify(e).includes(leak));
      }
    }
  });

  test('external DTD: SYSTEM and PUBLIC identifiers', () => {
    refuses('<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd"><x/>', 'PSSO_ERR_XML_DOCTYPE');
    refuses(
      '<!DOCTYPE x PUBLIC "-//X//DTD X//EN" "http://example.invalid/x.dtd"><x/>',
      'PSSO_ERR_XML_DOCTYPE',
    );
    refuses('<?xml version="1.0"?>\n<!-- c -->\n<!DOCTYPE x>\n<x/>', 'PSSO_ERR_XML_DOCTYPE');
  });

  test('a DOCTYPE after the root or inside content', () => {
    assert.deepEqual(
      [
        refuses('<a/><!DOCTYPE a>', 'PSSO_ERR_XML_DOCTYPE').column,
        refuses('<a>\n<!DOCTYPE a></a>', 'PSSO_ERR_XML_DOCTYPE').line,
      ],
      [5, 2],
    );
    refuses('<a><b/><!DOCTYPE a [<!ENTITY e "x">]>&e;</a>', 'PSSO_ERR_XML_DOCTYPE');
    refuses('<!doctype a><a/>', 'PSSO_ERR_XML_MALFORMED');
  });

  test('an undefined entity &foo;', () => {
    refuses('<a>&foo;</a>', 'PSSO_ERR_XML_UNDEFINED_ENTITY');
    refuses('<a x="&foo;"/>', 'PSSO_ERR_XML_UNDEFINED_ENTITY');
    refuses('<a>&nbsp;</a>', 'PSSO_ERR_XML_UNDEFINED_ENTITY');
  });

  test('a 50 MB document is refused before any parsing, string or bytes', () => {
    const big = `<a>${'x'.repeat(50 * 1024 * 1024)}</a>`;
    const bytes = new Uint8Array(Buffer.alloc(50 * 1024 * 1024, 0x78));
    assert.ok(timed(() => refuses(big, 'PSSO_ERR_XML_TOO_LARGE')) < 100);
    assert.ok(timed(() => refuses(bytes, 'PSSO_ERR_XML_TOO_LARGE')) < 100);
    // Fewer characters than the limit, more UTF-8 bytes: the limit is in bytes.
    refuses(`<a>${'中'.repeat(400_000)}</a>`, 'PSSO_ERR_XML_TOO_LARGE');
    refuses('<a>0123456789</a>', 'PSSO_ERR_XML_TOO_LARGE', { maxBytes: 16 });
    assert.equal(parseXml('<a>012345678</a>', { maxBytes: 16 }).root.name, 'a');
  });

  test('nesting 100,000 deep: TOO_DEEP, and no stack overflow even when allowed', () => {
    const deep = `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`;
    const e = refuses(deep, 'PSSO_ERR_XML_TOO_DEEP');
    assert.deepEqual([e.line, e.column], [1, 64 * 3 + 1]);
    refuses(`${'<a>'.repeat(64)}<b/>${'</a>'.repeat(64)}`, 'PSSO_ERR_XML_TOO_DEEP');
    assert.equal(parseXml(`${'<a>'.repeat(63)}<b/>${'</a>'.repeat(63)}`).root.name, 'a');
    let el: XmlElement | undefined = parseXml(deep, { maxDepth: 100_000 }).root;
    let depth = 0;
    for (; el !== undefined; depth++)
      el = el.children[0]?.type === 'element' ? el.children[0] : undefined;
    assert.equal(depth, 100_000);
  });

  test('many attributes: TOO_MANY_ATTRIBUTES, namespace declarations included, and fast', () => {
    const tag = (n: number, name = (i: number) => `a${i}`): string =>
      `<x ${Array.from({ length: n }, (_, i) => `${name(i)}="${i}"`).join(' ')}/>`;
    assert.equal(parseXml(tag(64)).root.attributes.length, 64);
    assert.equal(refuses(tag(65), 'PSSO_ERR_XML_TOO_MANY_ATTRIBUTES').column, tag(64).length);
    refuses(
      tag(65, (i) => `xmlns:p${i}`),
      'PSSO_ERR_XML_TOO_MANY_ATTRIBUTES',
    );
    const huge = tag(200_000);
    const limits = { maxBytes: 1 << 26 };
    assert.ok(timed(() => refuses(huge, 'PSSO_ERR_XML_TOO_MANY_ATTRIBUTES', limits)) < 500);
  });

  test('truncated XML at every 997th cut of a real document: always an XmlError', () => {
    const bytes = new Uint8Array(readInterop('mex/microsoft.mex.xml'));
    const text = Buffer.from(bytes).toString('utf8');
    let cuts = 0;
    for (let at = 0; at < bytes.length; at += 997, cuts++) {
      for (const input of [bytes.subarray(0, at), text.slice(0, at)]) {
        assert.throws(
          () => parseXml(input),
          (e) => e instanceof XmlError,
          `cut at ${at}`,
        );
      }
    }
    assert.ok(cuts > 50);
    assert.equal(parseXml(bytes).root.local, 'definitions');
  });

  test('two root elements', () => {
    assert.equal(refuses('<a/><b/>', 'PSSO_ERR_XML_MALFORMED').column, 5);
    refuses('<a></a>\n<a></a>', 'PSSO_ERR_XML_MALFORMED');
  });

  test('text after (or before) the root element', () => {
    assert.equal(refuses('<a/>x', 'PSSO_ERR_XML_MALFORMED').column, 5);
    refuses('<a/>&amp;', 'PSSO_ERR_XML_MALFORMED');
    refuses('<a/><![CDATA[x]]>', 'PSSO_ERR_XML_MALFORMED');
    refuses('x<a/>', 'PSSO_ERR_XML_MALFORMED');
    refuses('<a/>\u00A0', 'PSSO_ERR_XML_MALFORMED');
  });

  test('invalid UTF-8 bytes', () => {
    for (const bad of [
      [0x80],
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf0, 0x9f, 0x98],
      [0xff],
      [0xf4, 0x90, 0x80, 0x80],
    ]) {
      const e = refuses(
        new Uint8Array([...Buffer.from('<a>\n'), ...bad, ...Buffer.from('</a>')]),
        'PSSO_ERR_XML_ENCODING',
      );
      assert.deepEqual([e.line, e.column], [2, 1]);
    }
    refuses(
      new Uint8Array([0xff, 0xfe, 0x3c, 0x00, 0x61, 0x00, 0x2f, 0x00, 0x3e, 0x00]),
      'PSSO_ERR_XML_ENCODING',
    );
  });

  test('control characters', () => {
    for (const c of [
      '\u0000',
      '\u0001',
      '\u0008',
      '\u000B',
      '\u000C',
      '\u001F',
      '\uFFFE',
      '\uFFFF',
    ]) {
      for (const xml of [
        `<a>${c}</a>`,
        `<a x="${c}"/>`,
        `<a${c}/>`,
        `<a><!--${c}--></a>`,
        `<a><![CDATA[${c}]]></a>`,
      ]) {
        refuses(xml, 'PSSO_ERR_XML_MALFORMED');
        refuses(new Uint8Array(Buffer.from(xml)), 'PSSO_ERR_XML_MALFORMED');
      }
    }
    refuses('<a>&#1;</a>', 'PSSO_ERR_XML_MALFORMED');
  });

  test('lone surrogates in a string input', () => {
    for (const s of ['\uD800', '\uDFFF', '\uDC00\uD800', '\uD83D', 'x\uDE00']) {
      refuses(`<a>${s}</a>`, 'PSSO_ERR_XML_MALFORMED');
      refuses(`<a x="${s}"/>`, 'PSSO_ERR_XML_MALFORMED');
    }
    assert.equal(parseXml('<a>\uD83D\uDE00</a>').root.children[0]?.type, 'text');
  });

  test('an unbound prefix', () => {
    refuses('<p:a/>', 'PSSO_ERR_XML_NAMESPACE');
    refuses('<a p:x="1"/>', 'PSSO_ERR_XML_NAMESPACE');
    refuses('<a><b xmlns:p="urn:p"/><p:c/></a>', 'PSSO_ERR_XML_NAMESPACE');
  });

  test('xmlns:xml rebinding, and the other reserved bindings', () => {
    refuses('<a xmlns:xml="urn:not-xml"/>', 'PSSO_ERR_XML_NAMESPACE');
    refuses('<a xmlns:p="http://www.w3.org/XML/1998/namespace"/>', 'PSSO_ERR_XML_NAMESPACE');
    refuses('<a xmlns="http://www.w3.org/XML/1998/namespace"/>', 'PSSO_ERR_XML_NAMESPACE');
    refuses('<a xmlns:xmlns="http://www.w3.org/2000/xmlns/"/>', 'PSSO_ERR_XML_NAMESPACE');
    refuses('<a xmlns:p="http://www.w3.org/2000/xmlns/"/>', 'PSSO_ERR_XML_NAMESPACE');
    refuses('<xmlns:a/>', 'PSSO_ERR_XML_NAMESPACE');
    refuses('<a xmlns:p=""/>', 'PSSO_ERR_XML_NAMESPACE');
    assert.equal(parseXml('<a xmlns:xml="http://www.w3.org/XML/1998/namespace"/>').root.name, 'a');
  });

  test('duplicate attributes: the same name, and the same expanded name through two prefixes', () => {
    assert.equal(refuses('<a x="1" x="2"/>', 'PSSO_ERR_XML_MALFORMED').column, 10);
    refuses('<a xmlns:p="urn:p" p:x="1" p:x="2"/>', 'PSSO_ERR_XML_MALFORMED');
    refuses('<a xmlns="urn:d" xmlns="urn:d"/>', 'PSSO_ERR_XML_MALFORMED');
    const e = refuses(
      '<a xmlns:p="urn:u" xmlns:q="urn:u" p:x="1" q:x="2"/>',
      'PSSO_ERR_XML_NAMESPACE',
    );
    assert.equal(e.column, 44);
    assert.equal(parseXml('<a xmlns:p="urn:u" x="1" p:x="2"/>').root.attributes.length, 3);
  });

  test(']]> in character data', () => {
    assert.equal(refuses('<a>x]]>y</a>', 'PSSO_ERR_XML_MALFORMED').column, 5);
    refuses('<a>]]]></a>', 'PSSO_ERR_XML_MALFORMED');
    assert.equal(parseXml('<a x="]]>">]]&gt;</a>').root.children[0]?.type, 'text');
  });

  test('-- in a comment', () => {
    refuses('<a><!-- a -- b --></a>', 'PSSO_ERR_XML_MALFORMED');
    refuses('<a><!-- a ---></a>', 'PSSO_ERR_XML_MALFORMED');
    refuses('<!-- -- --><a/>', 'PSSO_ERR_XML_MALFORMED');
  });

  test('a PI named xml anywhere but the start', () => {
    refuses('<a><?xml version="1.0"?></a>', 'PSSO_ERR_XML_MALFORMED');
    refuses(' <?xml version="1.0"?><a/>', 'PSSO_ERR_XML_MALFORMED');
    refuses('<!----><?xml version="1.0"?><a/>', 'PSSO_ERR_XML_MALFORMED');
    refuses('<?xml version="1.0"?><?xml version="1.0"?><a/>', 'PSSO_ERR_XML_MALFORMED');
    refuses('<a><?XmL x?></a>', 'PSSO_ERR_XML_MALFORMED');
    assert.equal(parseXml('<a><?xml-stylesheet href="x"?></a>').root.children[0]?.type, 'pi');
  });

  test('encoding="ISO-8859-1" (or any label but UTF-8 / US-ASCII) declared', () => {
    const xml = '<?xml version="1.0" encoding="ISO-8859-1"?><a>caf\u00e9</a>';
    refuses(xml, 'PSSO_ERR_XML_ENCODING');
    refuses(new Uint8Array(Buffer.from(xml, 'latin1')), 'PSSO_ERR_XML_ENCODING');
    refuses(new Uint8Array(Buffer.from(xml)), 'PSSO_ERR_XML_ENCODING');
    refuses("<?xml version='1.0' encoding='UTF-16'?><a/>", 'PSSO_ERR_XML_ENCODING');
    for (const ok of ['UTF-8', 'utf-8', 'US-ASCII', 'us-ascii']) {
      assert.equal(parseXml(`<?xml version="1.0" encoding="${ok}"?><a/>`).root.name, 'a');
    }
  });
});
