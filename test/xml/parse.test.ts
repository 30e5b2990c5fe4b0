import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { XmlError } from '../../packages/psso-wstrust/src/errors.ts';
import type {
  XmlAttribute,
  XmlDocument,
  XmlElement,
  XmlNode,
} from '../../packages/psso-wstrust/src/xml/dom.ts';
import { parseXml } from '../../packages/psso-wstrust/src/xml/parse.ts';
import { lookupNamespace } from '../../packages/psso-wstrust/src/xml/query.ts';

const NS_XML = 'http://www.w3.org/XML/1998/namespace';
const NS_XMLNS = 'http://www.w3.org/2000/xmlns/';

function kids(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => c.type === 'element');
}

function only(el: XmlElement): XmlElement {
  const [first, ...rest] = kids(el);
  assert.ok(first !== undefined && rest.length === 0, `${el.name} has exactly one child element`);
  return first;
}

function attr(el: XmlElement, name: string): Omit<XmlAttribute, 'name'> {
  const a = el.attributes.find((x) => x.name === name);
  assert.ok(a !== undefined, `attribute ${name}`);
  return { prefix: a.prefix, local: a.local, ns: a.ns, value: a.value };
}

function rootText(xml: string): string {
  const [first] = parseXml(xml).root.children;
  assert.equal(first?.type, 'text');
  return first.value;
}

function attrValue(xml: string): string {
  return attr(parseXml(xml).root, 'x').value;
}

function fails(input: string | Uint8Array, code: string, line: number, column: number): void {
  assert.throws(
    () => parseXml(input),
    (e) =>
      e instanceof XmlError &&
      e.code === code &&
      e.line === line &&
      e.column === column &&
      e.message.endsWith(`(line ${line}, column ${column})`),
  );
}

describe('parseXml: namespaces', () => {
  test('a default namespace applies to elements, never to unprefixed attributes', () => {
    const { root } = parseXml('<a xmlns="urn:d" x="1"><b y="2"/></a>');
    assert.deepEqual([root.ns, root.prefix, root.local], ['urn:d', '', 'a']);
    assert.equal(only(root).ns, 'urn:d');
    assert.deepEqual(attr(root, 'x'), { prefix: '', local: 'x', ns: '', value: '1' });
    assert.deepEqual(attr(only(root), 'y'), { prefix: '', local: 'y', ns: '', value: '2' });
  });

  test('prefixed elements and attributes resolve through the declarations in scope', () => {
    const { root } = parseXml(
      '<s:Envelope xmlns:s="urn:s" xmlns:a="urn:a"><s:Body a:Id="x" Id="y"/></s:Envelope>',
    );
    assert.deepEqual(
      [root.ns, root.prefix, root.local, root.name],
      ['urn:s', 's', 'Envelope', 's:Envelope'],
    );
    const body = only(root);
    assert.equal(body.ns, 'urn:s');
    assert.deepEqual(attr(body, 'a:Id'), { prefix: 'a', local: 'Id', ns: 'urn:a', value: 'x' });
    assert.deepEqual(attr(body, 'Id'), { prefix: '', local: 'Id', ns: '', value: 'y' });
  });

  test('xmlns="" undeclares the default namespace for the element and its descendants', () => {
    const { root } = parseXml('<a xmlns="urn:d"><b xmlns=""><c/></b><d/></a>');
    const [b, d] = kids(root);
    assert.equal(b?.ns, '');
    assert.equal(b && only(b).ns, '');
    assert.equal(d?.ns, 'urn:d');
    assert.deepEqual(b && [...(b.namespaces ?? [])], [['', '']]);
  });

  test('a child redeclares a prefix for its own scope only', () => {
    const { root } = parseXml('<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"><p:c/></p:b><p:d/></p:a>');
    const [b, d] = kids(root);
    assert.equal(root.ns, 'urn:1');
    assert.equal(b?.ns, 'urn:2');
    assert.equal(b && only(b).ns, 'urn:2');
    assert.equal(d?.ns, 'urn:1');
    assert.deepEqual([...(root.namespaces ?? [])], [['p', 'urn:1']]);
    assert.equal(d?.namespaces, undefined);
    assert.equal(d && lookupNamespace(d, 'p'), 'urn:1');
  });

  test('namespace declarations are attributes in the xmlns namespace', () => {
    const { root } = parseXml('<a xmlns="urn:d" xmlns:p="urn:p"/>');
    assert.deepEqual(attr(root, 'xmlns'), {
      prefix: '',
      local: 'xmlns',
      ns: NS_XMLNS,
      value: 'urn:d',
    });
    assert.deepEqual(attr(root, 'xmlns:p'), {
      prefix: 'xmlns',
      local: 'p',
      ns: NS_XMLNS,
      value: 'urn:p',
    });
  });

  test('xml:lang resolves to the XML namespace without a declaration', () => {
    const { root } = parseXml('<a xml:lang="en"><xml:b/></a>');
    assert.deepEqual(attr(root, 'xml:lang'), {
      prefix: 'xml',
      local: 'lang',
      ns: NS_XML,
      value: 'en',
    });
    assert.equal(only(root).ns, NS_XML);
    assert.equal(lookupNamespace(root, 'xml'), NS_XML);
  });
});

describe('parseXml: exact source offsets', () => {
  const XML = '<r xmlns="urn:r">\n  <a x="1">t<b/></a >\r\n  <c></c>\n</r>';

  test('source.slice(start, end) is the exact text of every element', () => {
    const doc = parseXml(XML);
    const [a, c] = kids(doc.root);
    const slice = (el: XmlElement | undefined): string =>
      el ? doc.source.slice(el.start, el.end) : '';
    assert.equal(slice(doc.root), XML);
    assert.equal(slice(a), '<a x="1">t<b/></a >');
    assert.equal(slice(a && only(a)), '<b/>');
    assert.equal(slice(c), '<c></c>');
  });

  test('offsets count UTF-16 code units of the decoded text, multi-byte characters included', () => {
    const xml = '<r>é中😀<é a="😀">x</é><b>𐀀</b></r>';
    const doc = parseXml(xml);
    const [e, b] = kids(doc.root);
    assert.equal(doc.source, xml);
    assert.equal(e && doc.source.slice(e.start, e.end), '<é a="😀">x</é>');
    assert.equal(b && doc.source.slice(b.start, b.end), '<b>𐀀</b>');
  });

  test('from bytes with a BOM: the slices re-encode to the original bytes', () => {
    const text = '<?xml version="1.0" encoding="UTF-8"?>\r\n<r>é<a x="中">😀</a><b/></r>\n';
    const bytes = new Uint8Array(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
    );
    const doc: XmlDocument = parseXml(bytes);
    assert.equal(doc.source, text, 'the BOM is removed, nothing else is touched');
    for (const el of [doc.root, ...kids(doc.root)]) {
      const slice = doc.source.slice(el.start, el.end);
      const from = 3 + Buffer.byteLength(doc.source.slice(0, el.start));
      const original = bytes.subarray(from, from + Buffer.byteLength(slice));
      assert.deepEqual(new Uint8Array(Buffer.from(slice)), original);
    }
    assert.equal(doc.source.slice(doc.root.start, doc.root.end), '<r>é<a x="中">😀</a><b/></r>');
  });

  test('a BOM in a string is removed too, and offsets point into the text without it', () => {
    const doc = parseXml('\uFEFF<r><a/></r>');
    assert.equal(doc.source, '<r><a/></r>');
    assert.deepEqual([only(doc.root).start, only(doc.root).end], [3, 7]);
  });
});

describe('parseXml: references', () => {
  test('the five predefined entities, in text and in attributes', () => {
    assert.equal(rootText('<a>&lt;&gt;&amp;&quot;&apos;</a>'), `<>&"'`);
    assert.equal(attrValue(`<a x="&lt;&gt;&amp;&quot;&apos;"/>`), `<>&"'`);
  });

  test('character references, decimal and hex, astral, with any number of leading zeros', () => {
    assert.equal(rootText('<a>&#65;&#x42;&#x63;&#xE9;&#x1F600;&#128512;</a>'), 'ABcé😀😀');
    assert.equal(rootText('<a>&#x0000000041;&#0000000000066;</a>'), 'AB');
    assert.equal(attrValue('<a x="&#x10FFFF;&#xD7FF;&#xE000;"/>'), '\u{10FFFF}\uD7FF\uE000');
  });

  test('decoding happens once: a decoded & never starts another reference', () => {
    assert.equal(rootText('<a>&amp;lt;&#38;amp;</a>'), '&lt;&amp;');
    assert.equal(attrValue('<a x="&amp;#65;"/>'), '&#65;');
  });

  test('$& and $$ come through literally', () => {
    assert.equal(rootText('<a>$&amp;$$&amp;$</a>'), '$&$$&$');
  });

  test('references to characters XML does not allow are refused', () => {
    for (const ref of [
      '&#0;',
      '&#x1;',
      '&#xD800;',
      '&#xDFFF;',
      '&#xFFFE;',
      '&#xFFFF;',
      '&#x110000;',
      '&#99999999999;',
    ]) {
      fails(`<a>${ref}</a>`, 'PSSO_ERR_XML_MALFORMED', 1, 4);
    }
  });

  test('malformed references are refused; a well-formed unknown name is an undefined entity', () => {
    for (const ref of [
      '&#x;',
      '&#;',
      '&#X41;',
      '&#x4G;',
      '&#65 ;',
      '&;',
      '&1x;',
      '&-x;',
      '& amp;',
    ]) {
      fails(`<a>${ref}</a>`, 'PSSO_ERR_XML_MALFORMED', 1, 4);
    }
    fails('<a>&amp</a>', 'PSSO_ERR_XML_MALFORMED', 1, 4);
    for (const ref of ['&foo;', '&é;', '&a:b;', '&nbsp;', '&AMP;']) {
      fails(`<a>${ref}</a>`, 'PSSO_ERR_XML_UNDEFINED_ENTITY', 1, 4);
    }
  });
});

describe('parseXml: normalization', () => {
  test('attribute values: TAB, LF and CR become spaces, CRLF one space, nothing is trimmed', () => {
    assert.equal(attrValue('<a x="a\tb\nc\rd\r\ne"/>'), 'a b c d e');
    assert.equal(attrValue('<a x="  a  \r\n\r\n  "/>'), '  a      ');
  });

  test('attribute values: character references to white space are kept as they are', () => {
    assert.equal(attrValue('<a x="&#9;&#10;&#13;&#13;&#10;&#x20;"/>'), '\t\n\r\r\n ');
  });

  test('text: CRLF and CR become LF; character references to CR stay', () => {
    assert.equal(rootText('<a>1\r\n2\r3\n4\r\r\n5</a>'), '1\n2\n3\n4\n\n5');
    assert.equal(rootText('<a>&#13;&#10;\r\n</a>'), '\r\n\n');
  });

  test('text: white space only is kept as a text node', () => {
    const { root } = parseXml('<a> \t<b/>\n</a>');
    assert.deepEqual(
      root.children.map((c) => (c.type === 'text' ? c.value : c.type)),
      [' \t', 'element', '\n'],
    );
  });
});

describe('parseXml: CDATA, comments and PIs in the tree', () => {
  const plainChildren = (xml: string): unknown[] =>
    parseXml(xml).root.children.map((c: XmlNode) => (c.type === 'element' ? c.name : { ...c }));

  test('CDATA is text flagged cdata: markup inside is not read, CRLF still becomes LF', () => {
    assert.deepEqual(plainChildren('<a>x<![CDATA[<b>&amp;]]]]><![CDATA[>\r\n]]>y</a>'), [
      { type: 'text', value: 'x', cdata: false },
      { type: 'text', value: '<b>&amp;]]', cdata: true },
      { type: 'text', value: '>\n', cdata: true },
      { type: 'text', value: 'y', cdata: false },
    ]);
    assert.deepEqual(plainChildren('<a><![CDATA[]]><![CDATA[a]]]></a>'), [
      { type: 'text', value: '', cdata: true },
      { type: 'text', value: 'a]', cdata: true },
    ]);
  });

  test('comments and PIs are nodes in document order; outside the root they are dropped', () => {
    const xml =
      '<?pre x?><!--before--><a><!-- c\r\n1 --><b/><?t  body ?x\r\n?><?empty?><!----></a><!--after-->';
    assert.deepEqual(plainChildren(xml), [
      { type: 'comment', value: ' c\n1 ' },
      'b',
      { type: 'pi', target: 't', value: 'body ?x\n' },
      { type: 'pi', target: 'empty', value: '' },
      { type: 'comment', value: '' },
    ]);
  });
});

describe('parseXml: errors carry the line and column of the offending character', () => {
  test('a mismatched end tag: at its <', () => {
    fails('<a><b></a>', 'PSSO_ERR_XML_MALFORMED', 1, 7);
  });

  test('a duplicate attribute: at its name, on the second line', () => {
    fails('<a>\n  <b x="1" x="2"/>\n</a>', 'PSSO_ERR_XML_MALFORMED', 2, 12);
  });

  test('CRLF ends one line, a lone CR ends one too', () => {
    fails('<a>\r\n\r\n&foo;</a>', 'PSSO_ERR_XML_UNDEFINED_ENTITY', 3, 1);
    fails('<a>\r<b>\r</a>', 'PSSO_ERR_XML_MALFORMED', 3, 1);
  });

  test('a BOM is not counted', () => {
    fails('\uFEFF<a>&bad</a>', 'PSSO_ERR_XML_MALFORMED', 1, 4);
  });

  test('a character XML does not allow, and the end of the document', () => {
    fails('<a>\n\u0001</a>', 'PSSO_ERR_XML_MALFORMED', 2, 1);
    fails('<a>', 'PSSO_ERR_XML_MALFORMED', 1, 4);
    fails('<a x="1"', 'PSSO_ERR_XML_MALFORMED', 1, 9);
  });

  test('invalid UTF-8: at the bad byte, even after a real U+FFFD', () => {
    const bytes = Buffer.concat([
      Buffer.from('<a>\uFFFD\n\uFFFD'),
      Buffer.from([0xff]),
      Buffer.from('</a>'),
    ]);
    fails(new Uint8Array(bytes), 'PSSO_ERR_XML_ENCODING', 2, 2);
  });
});
