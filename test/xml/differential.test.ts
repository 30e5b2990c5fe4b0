/**
 * Our parser against saxes 6.0.0 (`xmlns: true`): same accept/refuse, same tree. The deliberate
 * differences, each with its spec rule, are in {@link agree} (./support/trees.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseXml } from '../../packages/psso-wstrust/src/xml/parse.ts';
import { interopXmlFiles, readInterop } from '../helpers/interop.ts';
import { document, garbage, mutated } from './support/arbitraries.ts';
import { declarations, names } from './support/edges.ts';
import { agree, NO_LIMITS, plain, type Verdict } from './support/trees.ts';

const corpus = (): string[] => [...interopXmlFiles('mex'), ...interopXmlFiles('rstr')];

describe('differential: the interop corpus (real AD FS documents) against saxes', () => {
  test('the corpus is there', () => {
    assert.ok(corpus().length >= 20, 'every mex/*.xml and rstr/*.xml file');
  });

  for (const file of corpus()) {
    const refused = file.startsWith('mex/syntax.');
    test(`${file}: ${refused ? 'refused by both' : 'accepted by both, same tree'}`, () => {
      const bytes = readInterop(file);
      assert.equal(agree(bytes.toString('utf8')), refused ? 'refused' : 'accepted');
      if (refused) return;
      const fromBytes = parseXml(new Uint8Array(bytes)); // default limits
      const fromText = parseXml(bytes.toString('utf8'), NO_LIMITS);
      assert.deepEqual(
        plain(fromBytes.source, fromBytes.root),
        plain(fromText.source, fromText.root),
      );
    });
  }
});

/** Runs `agree` over `arb`, counting the verdicts. */
function tally(
  arb: fc.Arbitrary<string>,
  numRuns: number,
  extra?: (xml: string) => void,
): Map<Verdict, number> {
  const seen = new Map<Verdict, number>();
  fc.assert(
    fc.property(arb, (xml) => {
      const verdict = agree(xml);
      seen.set(verdict, (seen.get(verdict) ?? 0) + 1);
      extra?.(xml);
    }),
    { numRuns },
  );
  return seen;
}

describe('differential: random documents against saxes (fast-check)', () => {
  test('well-formed documents: both accept, with the same tree; bytes give the same tree', () => {
    const seen = tally(document, 5000, (xml) => {
      const fromText = parseXml(xml, NO_LIMITS);
      const fromBytes = parseXml(new Uint8Array(Buffer.from(xml)), NO_LIMITS);
      assert.equal(fromBytes.source, fromText.source);
      assert.deepEqual(
        plain(fromBytes.source, fromBytes.root),
        plain(fromText.source, fromText.root),
      );
    });
    assert.deepEqual([...seen], [['accepted', 5000]]);
  });

  test('documents with random deletions and insertions: same verdict, same tree', () => {
    const seen = tally(mutated, 5000);
    assert.ok(
      (seen.get('accepted') ?? 0) > 50 && (seen.get('refused') ?? 0) > 1000,
      JSON.stringify([...seen]),
    );
  });

  test('random strings over an XML-ish alphabet: same verdict, same tree', () => {
    const seen = tally(garbage, 5000);
    assert.ok(
      (seen.get('accepted') ?? 0) > 50 && (seen.get('refused') ?? 0) > 1000,
      JSON.stringify([...seen]),
    );
  });

  test('names from the edges of the name character classes: same verdict, same tree', () => {
    const seen = tally(names, 5000);
    assert.ok(
      (seen.get('accepted') ?? 0) > 100 && (seen.get('refused') ?? 0) > 100,
      JSON.stringify([...seen]),
    );
  });

  test('XML declarations from their pieces: same verdict', () => {
    const seen = tally(declarations, 5000);
    assert.ok(
      (seen.get('accepted') ?? 0) > 20 && (seen.get('refused') ?? 0) > 1000,
      JSON.stringify([...seen]),
    );
  });
});

describe('differential: the deliberate differences, one example each', () => {
  const cases: ReadonlyArray<readonly [string, Verdict, 'we refuse' | 'we accept']> = [
    ['<!DOCTYPE a><a/>', 'doctype', 'we refuse'],
    ['<?xml version="1.0" encoding="ISO-8859-1"?><a/>', 'encoding', 'we refuse'],
    ['<?xml version="1.1"?><a>\u0085</a>', 'version', 'we refuse'],
    ['<a>\uD800x</a>', 'surrogate', 'we refuse'],
    ['<a xmlns:p=" urn:p"><p:b/></a>', 'saxes-trims', 'we accept'],
    ['<a xmlns:p="&#9;"/>', 'saxes-trims', 'we accept'],
    ['<p:a xmlns:p="urn:p" p:1x="1"/>', 'saxes-lax', 'we refuse'],
    ['<a><?t?x?></a>', 'saxes-lax', 'we refuse'],
    ['<a><?t?:?></a>', 'saxes-lax', 'we refuse'],
  ];
  for (const [xml, verdict, ours] of cases) {
    test(`${JSON.stringify(xml)}: ${verdict}, ${ours}`, () => {
      assert.equal(agree(xml), verdict);
      if (ours === 'we refuse') assert.throws(() => parseXml(xml));
      else assert.equal(parseXml(xml).root.local, 'a');
    });
  }
  test('a namespace name is the value as written, never trimmed', () => {
    const { root } = parseXml('<a xmlns:p=" urn:p "><p:b/></a>');
    assert.equal(root.children[0]?.type === 'element' && root.children[0].ns, ' urn:p ');
  });
});
