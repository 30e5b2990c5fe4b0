/**
 * The source keeps the error conventions the type system cannot see on its own: no raw
 * `new Error(` (or `Error(`) anywhere in src/, comments included (every thrown error has a code and
 * a class; caller misuse is a TypeError); every string literal given to `new StsFault(` or
 * `new Refusal(` is a reason of its closed list; and no reason is made with an `as` cast, which
 * would let an unlisted label past the compiler.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isRefusalReason } from '../../packages/idp/src/psso/refusal-reasons.ts';
import { isStsFaultReason } from '../../packages/idp/src/sts/fault-reasons.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function* sourceFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* sourceFiles(path);
    else if (/\.[cm]?ts$/.test(e.name)) yield path;
  }
}

/** Where `src` builds a bare Error: `new Error(…)` or `Error(…)` (not `TypeError(`, `IdpError(`). */
export function rawErrors(src: string): number[] {
  return [...src.matchAll(/(?<![\w$.])(?:new\s+)?Error\s*\(/g)].map((m) => lineOf(src, m.index));
}

/** One problem with a reason given to a refusal class. */
interface ReasonProblem {
  readonly line: number;
  readonly problem: string;
}

/**
 * The first argument of each `new StsFault(` / `new Refusal(` in `src`: a string literal must be a
 * listed reason; no argument may hold an `as` cast.
 */
export function reasonProblems(src: string): ReasonProblem[] {
  const out: ReasonProblem[] = [];
  for (const m of src.matchAll(/\bnew\s+(StsFault|Refusal)\s*\(/g)) {
    const line = lineOf(src, m.index);
    const arg = firstArgument(src, m.index + m[0].length).trim();
    const known = m[1] === 'StsFault' ? isStsFaultReason : isRefusalReason;
    if (/\bas\b/.test(arg.replace(/(['"`])(?:\\.|(?!\1).)*\1/g, '""')))
      out.push({ line, problem: `a cast in the reason: ${arg}` });
    const literal = /^(['"])((?:\\.|(?!\1).)*)\1$/.exec(arg) ?? /^`([^`$]*)`$/.exec(arg);
    const text = literal?.[2] ?? literal?.[1];
    if (text !== undefined && !known(text))
      out.push({ line, problem: `'${text}' is not a ${m[1]} reason` });
  }
  for (const m of src.matchAll(/\bas\s+(StsFaultReason|RefusalReason)\b/g))
    out.push({ line: lineOf(src, m.index), problem: `cast to ${m[1]}` });
  return out;
}

/** The text of the argument starting at `start`, up to its top-level `,` or `)`. */
function firstArgument(src: string, start: number): string {
  let depth = 0;
  let quote: string | undefined;
  for (let i = start; i < src.length; i++) {
    const c = src[i];
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (depth > 0 && (c === ')' || c === ']' || c === '}')) depth--;
    else if (depth === 0 && (c === ',' || c === ')')) return src.slice(start, i);
  }
  return src.slice(start);
}

function lineOf(src: string, index: number): number {
  return src.slice(0, index).split('\n').length;
}

describe('error hygiene in src/', () => {
  const files = ['packages/psso-wstrust/src', 'packages/idp/src', 'packages/cli/src']
    .flatMap((dir) => [...sourceFiles(join(ROOT, dir))])
    .map((path) => ({
      file: relative(ROOT, path),
      src: readFileSync(path, 'utf8'),
    }));

  test('the scan reads the whole tree', () => {
    assert.ok(files.length > 150, `only ${files.length} files`);
    assert.ok(files.some((f) => f.file.endsWith('sts/handle.ts')));
  });

  test('no raw Error: every thrown error has a code and a class', () => {
    const found = files.flatMap(({ file, src }) => rawErrors(src).map((line) => `${file}:${line}`));
    assert.deepEqual(found, [], 'throw a coded PssoError subclass (src/errors.ts) instead');
  });

  test('every literal reason given to StsFault or Refusal is listed; none is cast', () => {
    const found = files.flatMap(({ file, src }) =>
      reasonProblems(src).map((p) => `${file}:${p.line}: ${p.problem}`),
    );
    assert.deepEqual(found, []);
  });

  test('the scan itself: it finds what it must, and only that', () => {
    assert.deepEqual(rawErrors("throw new Error('x');\nthrow Error('y');"), [1, 2]);
    assert.deepEqual(
      rawErrors("new TypeError('a'); new IdpError(c, 'b'); x.Error('c'); class MyError {}"),
      [],
    );
    const problems = reasonProblems(
      [
        "throw new StsFault('replayed-nonce');",
        "throw new StsFault('replayed-nonces', 'detail, with a comma');",
        "throw new Refusal('unknown-device');",
        "throw new Refusal('no-such-reason');",
        'throw new Refusal(label as RefusalReason);',
        'throw new Refusal(`jwt-alg`, String(h.alg));',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
        'throw new Refusal(`refresh-token-${r.reason}`);',
        "throw new Refusal(pick('a, b'), 'x');",
      ].join('\n'),
    );
    assert.deepEqual(problems, [
      { line: 2, problem: "'replayed-nonces' is not a StsFault reason" },
      { line: 4, problem: "'no-such-reason' is not a Refusal reason" },
      { line: 5, problem: 'a cast in the reason: label as RefusalReason' },
      { line: 5, problem: 'cast to RefusalReason' },
    ]);
  });
});
