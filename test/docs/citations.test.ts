/**
 * The repository is self-contained: comments cite the project's protocol notes in docs/ (and the
 * sections they cite exist there), and nothing needed to build or test points outside the
 * repository. scripts/cite-docs.ts rewrites citations that do not; this test fails until it is run.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  citeInComment,
  commentRanges,
  NOTES,
  pendingRewrites,
  rewriteSource,
} from '../../scripts/cite-docs.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
// biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
const TEMPLATE = 'const b = `x ${"PROTOCOL.md"} /* PROTOCOL.md */ ${{ k: 1 }.k}`;';

function* files(dir: string): Generator<string> {
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (path !== 'test/fixtures') yield* files(path);
    } else if (/\.(?:[cm]?ts|[cm]?js|json|sh)$/.test(e.name) || dir === '.ci') yield path;
  }
}

describe('citations of the protocol notes', () => {
  test('a bare note name or a path outside the repository becomes docs/<note>, once', () => {
    const note = (n: string) => `${n}.md`; // spelt apart so the rewrite leaves this file alone
    const p = note('PLATFORM-SSO');
    assert.equal(citeInComment(` * (${p} §3.6)`), ` * (docs/${p} §3.6)`);
    assert.equal(citeInComment(`// ../shared/docs/${p} §1`), `// docs/${p} §1`);
    assert.equal(
      citeInComment(`// /srv/notes/docs/${note('PROTOCOL')}`),
      `// docs/${note('PROTOCOL')}`,
    );
    const once = citeInComment(`/* ${note('ADFS-NOTES')}, ${note('PSSO-PEERS')} */`);
    assert.equal(once, `/* docs/${note('ADFS-NOTES')}, docs/${note('PSSO-PEERS')} */`);
    assert.equal(citeInComment(once), once, 'idempotent');
  });
  test('other files, other repositories and URLs are left alone', () => {
    for (const text of [
      '// twocanoes/psso-sdk-go/PROTOCOL.md',
      '// https://example.com/docs/PROTOCOL.md',
      '// STACK.md',
      '// MY-PROTOCOL.md, PROTOCOL.mdx',
      '// test/fixtures/interop/SOURCES.md',
    ])
      assert.equal(citeInComment(text), text);
  });
  test('only comments change: strings, templates and regular expressions keep their text', () => {
    const src = [
      "const a = 'PROTOCOL.md'; // PROTOCOL.md",
      TEMPLATE,
      'const c = /\\/\\/ PROTOCOL.md/g.test(a) ? 1 / 2 : 3; /** PROTOCOL.md */',
    ].join('\n');
    const out = rewriteSource(src);
    assert.equal(
      out,
      [
        "const a = 'PROTOCOL.md'; // docs/PROTOCOL.md",
        TEMPLATE,
        'const c = /\\/\\/ PROTOCOL.md/g.test(a) ? 1 / 2 : 3; /** docs/PROTOCOL.md */',
      ].join('\n'),
    );
    assert.deepEqual(
      commentRanges(src).map(([s, e]) => src.slice(s, e)),
      ['// PROTOCOL.md', '/** PROTOCOL.md */'],
    );
  });
  test('every comment in src/, test/, bench/ and scripts/ cites docs/ (run scripts/cite-docs.ts)', async () => {
    const pending = await pendingRewrites();
    assert.deepEqual(
      pending.map((p) => p.file),
      [],
      'run: node --import tsx scripts/cite-docs.ts',
    );
  });
  test('every note is in docs/, and every cited section exists in it', () => {
    for (const n of NOTES) assert.ok(existsSync(join(ROOT, 'docs', `${n}.md`)), n);
    const cite = new RegExp(
      `docs/(${NOTES.join('|')})\\.md((?:\\s*(?:,|and|–|-)?\\s*§\\d+(?:\\.\\d+)*)+)`,
      'g',
    );
    const problems: string[] = [];
    for (const dir of [
      'packages/psso-wstrust/src',
      'packages/idp/src',
      'packages/cli/src',
      'test',
      'bench',
      'scripts',
    ]) {
      for (const file of files(dir)) {
        for (const [, note = '', sections = ''] of read(file).matchAll(cite)) {
          const doc = read(`docs/${note}.md`);
          for (const [, s = ''] of sections.matchAll(/§(\d+(?:\.\d+)*)/g)) {
            const heading = new RegExp(`^#{1,6} ${s.replaceAll('.', '\\.')}(?:\\.|\\s)`, 'm');
            if (!heading.test(doc)) problems.push(`${file}: docs/${note}.md §${s}`);
          }
        }
      }
    }
    assert.deepEqual(problems, []);
  });
  test('nothing needed to build or test points outside the repository', () => {
    const outside = /\.\.\/shared\/|\/[\w.-]+\/shared\/|shared\/(?:docs|fixtures)\//;
    const hits: string[] = [];
    for (const dir of [
      'packages/psso-wstrust/src',
      'packages/idp/src',
      'packages/cli/src',
      'test',
      'bench',
      'scripts',
      '.ci',
    ])
      for (const file of files(dir)) if (outside.test(read(file))) hits.push(file);
    for (const file of ['package.json', 'tsconfig.json', 'tsconfig.test.json', 'biome.json'])
      if (outside.test(read(file))) hits.push(file);
    assert.deepEqual(
      // This test and the script that rewrites such paths name them on purpose.
      hits.filter((f) => f !== 'test/docs/citations.test.ts' && f !== 'scripts/cite-docs.ts'),
      [],
    );
  });
});
