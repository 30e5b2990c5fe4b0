/**
 * Makes comments cite the project's own protocol notes in `docs/`, never a file outside the
 * repository. In the comments of every source file under src/, test/, bench/ and scripts/, a
 * citation of one of the notes (a bare file name such as `PLATFORM-SSO.md`, or a path such as
 * `../shared/docs/PLATFORM-SSO.md`) becomes `docs/PLATFORM-SSO.md`, keeping what follows it (the
 * section sign and number). Code and string literals are never touched: before writing a file the
 * script checks with esbuild that the file compiles to the same JavaScript as before (comments
 * stripped), and stops if it does not.
 *
 * Idempotent: a citation that already reads `docs/<note>.md` is left as it is, so the script can be
 * run again after merging other branches. test/docs/citations.test.ts fails while a comment still
 * cites a note outside docs/.
 *
 * @example
 * ```sh
 * node --import tsx scripts/cite-docs.ts          # rewrite in place, list the files changed
 * node --import tsx scripts/cite-docs.ts --check  # change nothing; exit 1 if anything would change
 * ```
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The notes that live in docs/ (file names without `.md`).
 *
 * @example
 * ```ts
 * NOTES.includes('PLATFORM-SSO'); // true
 * ```
 */
export const NOTES = ['PROTOCOL', 'PLATFORM-SSO', 'PSSO-PEERS', 'ADFS-NOTES', 'ARCHITECTURE'];

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FOLDERS = [
  'packages/psso-wstrust/src',
  'packages/idp/src',
  'packages/cli/src',
  'test',
  'bench',
  'scripts',
];
// The fixtures are data; this file's own comments show citations before and after on purpose.
const SKIP = new Set([join(ROOT, 'test', 'fixtures'), fileURLToPath(import.meta.url)]);
const EXTENSIONS = /\.(?:[cm]?ts|[cm]?js|tsx)$/;

// A citation: optionally a path whose last folder is `docs/` (`docs/`, `../shared/docs/`,
// `/srv/notes/docs/`), then the note's file name. Not preceded by a path or URL character, so
// `other-repo/PROTOCOL.md` and `https://host/PROTOCOL.md` are left alone.
const CITATION = new RegExp(
  `(?<![\\w./:@-])(?:/?(?:[\\w.-]+/)*docs/)?(${NOTES.join('|')})\\.md(?![\\w-])`,
  'g',
);

/**
 * Rewrites the citations in one piece of comment text.
 *
 * @example
 * ```ts
 * citeInComment('// PROTOCOL.md §2'); // '// docs/PROTOCOL.md §2'
 * ```
 */
export function citeInComment(text: string): string {
  return text.replace(CITATION, (_m, note: string) => `docs/${note}.md`);
}

const KEYWORDS_BEFORE_REGEX = new Set([
  'return',
  'typeof',
  'case',
  'do',
  'else',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'instanceof',
  'yield',
  'await',
]);

/**
 * The `[start, end)` ranges of the comments in a TypeScript or JavaScript source. Skips string,
 * template and regular-expression literals. A lexer, not a parser: `main` double-checks every
 * rewrite with esbuild.
 *
 * @example
 * ```ts
 * commentRanges('a; // b'); // [[3, 7]]
 * ```
 */
export function commentRanges(src: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const braces: string[] = []; // '{' for a block or object, '${' for a template substitution
  const n = src.length;
  let i = 0;
  let prev = ''; // the last significant token: a word, or one punctuation character

  const skipQuoted = (start: number, quote: string): number => {
    let j = start + 1;
    while (j < n && src[j] !== quote && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
    return j + 1;
  };
  // From inside a template (just after '`' or '}'): to just after the closing '`' (sub false) or
  // just after a '${' (sub true).
  const skipTemplate = (start: number): { end: number; sub: boolean } => {
    let j = start;
    while (j < n) {
      if (src[j] === '\\') j += 2;
      else if (src[j] === '`') return { end: j + 1, sub: false };
      else if (src[j] === '$' && src[j + 1] === '{') return { end: j + 2, sub: true };
      else j++;
    }
    return { end: n, sub: false };
  };
  const skipRegex = (start: number): number => {
    let j = start + 1;
    let inClass = false;
    while (j < n && src[j] !== '\n') {
      const c = src[j];
      if (c === '\\') {
        j += 2;
        continue;
      }
      if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) {
        j++;
        while (j < n && /[a-z]/i.test(src[j] ?? '')) j++;
        return j;
      }
      j++;
    }
    return j;
  };
  const afterTemplatePart = (t: { end: number; sub: boolean }): void => {
    i = t.end;
    if (t.sub) braces.push('${');
    prev = t.sub ? '{' : 'x';
  };
  const regexCanStart = (): boolean =>
    prev === '' || /^[(,=:[!&|?{};+\-*%<>~^]$/.test(prev) || KEYWORDS_BEFORE_REGEX.has(prev);

  while (i < n) {
    const c = src[i] ?? '';
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const e = src.indexOf('\n', i);
      const end = e < 0 ? n : e;
      ranges.push([i, end]);
      i = end;
    } else if (c === '/' && next === '*') {
      const e = src.indexOf('*/', i + 2);
      const end = e < 0 ? n : e + 2;
      ranges.push([i, end]);
      i = end;
    } else if (c === '"' || c === "'") {
      i = skipQuoted(i, c);
      prev = 'x';
    } else if (c === '`') {
      afterTemplatePart(skipTemplate(i + 1));
    } else if (c === '/') {
      const regex = regexCanStart();
      i = regex ? skipRegex(i) : i + 1;
      prev = regex ? 'x' : '/';
    } else if (c === '{') {
      braces.push('{');
      prev = '{';
      i++;
    } else if (c === '}') {
      if (braces.pop() === '${') afterTemplatePart(skipTemplate(i + 1));
      else {
        prev = '}';
        i++;
      }
    } else if (/[\w$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(src[j] ?? '')) j++;
      prev = src.slice(i, j);
      i = j;
    } else {
      if (!/\s/.test(c)) prev = c;
      i++;
    }
  }
  return ranges;
}

/**
 * The source with the citations in its comments rewritten (code and strings unchanged).
 *
 * @example
 * ```ts
 * rewriteSource("/** PSSO-PEERS.md *\/ const s = 'PSSO-PEERS.md';");
 * // "/** docs/PSSO-PEERS.md *\/ const s = 'PSSO-PEERS.md';"
 * ```
 */
export function rewriteSource(src: string): string {
  let out = '';
  let at = 0;
  for (const [start, end] of commentRanges(src)) {
    out += src.slice(at, start) + citeInComment(src.slice(start, end));
    at = end;
  }
  return out + src.slice(at);
}

function* sourceFiles(dir: string): Generator<string> {
  if (SKIP.has(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (EXTENSIONS.test(entry.name) && !SKIP.has(path)) yield path;
  }
}

/**
 * The files whose comments cite a note outside docs/, relative to the repository root, and their
 * rewritten text. Refuses (throws) if a rewrite would change anything but comments.
 *
 * @example
 * ```ts
 * for (const { file } of await pendingRewrites()) console.log(file);
 * ```
 */
export async function pendingRewrites(): Promise<Array<{ file: string; text: string }>> {
  const esbuild = await import('esbuild');
  const compiled = (src: string, path: string): string =>
    esbuild.transformSync(src, {
      loader: path.endsWith('x') ? 'tsx' : 'ts',
      legalComments: 'none',
      minifyWhitespace: true, // drops every comment; names and literals stay as written
      format: 'esm',
    }).code;
  const pending: Array<{ file: string; text: string }> = [];
  for (const folder of FOLDERS) {
    for (const path of sourceFiles(join(ROOT, folder))) {
      const before = readFileSync(path, 'utf8');
      const after = rewriteSource(before);
      if (after === before) continue;
      const file = relative(ROOT, path);
      if (compiled(before, path) !== compiled(after, path))
        throw new Error(`cite-docs: ${file}: the rewrite would change code, not only comments`);
      pending.push({ file, text: after });
    }
  }
  return pending;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const pending = await pendingRewrites();
  for (const { file, text } of pending) {
    if (!check) writeFileSync(join(ROOT, file), text);
    console.log(`${check ? 'would rewrite' : 'rewrote'} ${file}`);
  }
  if (pending.length === 0) console.log('cite-docs: every comment cites the notes in docs/');
  if (check && pending.length > 0) process.exitCode = 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
