/**
 * String helpers of the predicate interpreter: `[c]`/`[d]` folding, `LIKE` wildcards and the
 * bounded `MATCHES` regular expressions.
 *
 * @module
 */
import type { Modifiers } from './parser.js';

/** Longest accepted `MATCHES` pattern, in UTF-16 code units. */
export const MAX_REGEX_PATTERN_LENGTH = 256;
/** Longest string a `MATCHES` is run against, in UTF-16 code units. */
export const MAX_REGEX_SUBJECT_LENGTH = 4096;

const COMBINING_MARKS = /\p{M}/gu;

/**
 * Normalizes a string for comparison: always NFC (Foundation's non-literal comparison treats
 * canonically equivalent strings as equal), then `[c]` case folding, then `[d]` mark removal.
 *
 * @example
 * ```ts
 * fold('Éte', { caseInsensitive: true, diacriticInsensitive: true }); // 'ete'
 * ```
 */
export function fold(s: string, modifiers: Modifiers): string {
  let out = s;
  if (modifiers.caseInsensitive) out = out.toUpperCase().toLowerCase();
  if (modifiers.diacriticInsensitive) out = out.normalize('NFD').replace(COMBINING_MARKS, '');
  return out.normalize('NFC');
}

type LikeToken = { readonly kind: 'star' } | { readonly kind: 'any' } | { readonly c: string };

/**
 * `LIKE`: whole-string match where `*` is any run of characters, `?` is one character and `\`
 * makes the next character literal. Linear-memory, O(n·m) worst case: no backtracking blow-up.
 *
 * @example
 * ```ts
 * likeMatch('hello', 'h*l?'); // true
 * ```
 */
export function likeMatch(subject: string, pattern: string): boolean {
  const s = Array.from(subject);
  const p: LikeToken[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i += 1) {
    const c = chars[i] as string;
    if (c === '\\' && i + 1 < chars.length) p.push({ c: chars[++i] as string });
    else if (c === '*') p.push({ kind: 'star' });
    else if (c === '?') p.push({ kind: 'any' });
    else p.push({ c });
  }
  let si = 0;
  let pi = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    const tok = p[pi];
    if (tok !== undefined && 'kind' in tok && tok.kind === 'star') {
      starP = pi;
      starS = si;
      pi += 1;
    } else if (tok !== undefined && ('kind' in tok || tok.c === s[si])) {
      si += 1;
      pi += 1;
    } else if (starP >= 0) {
      pi = starP + 1;
      starS += 1;
      si = starS;
    } else {
      return false;
    }
  }
  while (pi < p.length) {
    const tok = p[pi];
    if (tok === undefined || !('kind' in tok) || tok.kind !== 'star') return false;
    pi += 1;
  }
  return true;
}

interface Frame {
  repeats: boolean;
  alternates: boolean;
}

/**
 * Refuses regular expressions whose backtracking can blow up: back-references, and a repeated
 * (`*`, `+`, `{n,}`, `{n,m}` with m > 1) group that itself contains a repetition or an
 * alternation, such as `(a+)+` or `(a|a)*`. Returns an error message or undefined.
 */
function riskyPattern(pattern: string): string | undefined {
  const stack: Frame[] = [{ repeats: false, alternates: false }];
  let lastGroup: Frame | undefined;
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    const top = stack.at(-1) as Frame;
    let atomGroup: Frame | undefined;
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9k]/.test(next)) return 'Back-references are not supported in MATCHES';
      i += 2;
    } else if (ch === '[') {
      i += 1;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i += 1;
    } else if (ch === '(') {
      stack.push({ repeats: false, alternates: false });
      i += 1;
      lastGroup = undefined;
      continue;
    } else if (ch === ')') {
      const done = stack.length > 1 ? (stack.pop() as Frame) : top;
      const parent = stack.at(-1) as Frame;
      parent.repeats ||= done.repeats;
      parent.alternates ||= done.alternates;
      atomGroup = done;
      i += 1;
    } else if (ch === '|') {
      top.alternates = true;
      i += 1;
    } else if (ch === '*' || ch === '+' || ch === '{' || ch === '?') {
      const brace = /^\{(\d*)(,(\d*))?\}/.exec(pattern.slice(i));
      const repeating =
        ch === '*' ||
        ch === '+' ||
        (brace !== null && (brace[2] === undefined ? Number(brace[1]) > 1 : brace[3] !== '1'));
      if (repeating && lastGroup !== undefined && (lastGroup.repeats || lastGroup.alternates)) {
        return 'Nested repetition in MATCHES could backtrack catastrophically';
      }
      if (repeating) top.repeats = true;
      i += brace !== null ? brace[0].length : 1;
      if (pattern[i] === '?' || pattern[i] === '+') i += 1;
      lastGroup = undefined;
      continue;
    } else {
      i += 1;
    }
    lastGroup = atomGroup;
  }
  return undefined;
}

const compiled = new Map<string, RegExp | string>();

/**
 * Compiles a `MATCHES` pattern: the whole subject must match, with the `u` flag (`i` for `[c]`;
 * `[d]` folds the pattern as the subject is folded). Returns the RegExp, or an error message when
 * the pattern is too long, risky or not valid JavaScript regular-expression syntax.
 *
 * @example
 * ```ts
 * compileMatches('[a-z]+', { caseInsensitive: true, diacriticInsensitive: false }); // /^(?:[a-z]+)$/iu
 * ```
 */
export function compileMatches(pattern: string, modifiers: Modifiers): RegExp | string {
  const key = `${modifiers.caseInsensitive ? 'c' : ''}${modifiers.diacriticInsensitive ? 'd' : ''}:${pattern}`;
  const cached = compiled.get(key);
  if (cached !== undefined) return cached;
  let result: RegExp | string;
  if (pattern.length > MAX_REGEX_PATTERN_LENGTH) {
    result = `MATCHES pattern longer than ${MAX_REGEX_PATTERN_LENGTH} characters`;
  } else {
    const source = modifiers.diacriticInsensitive
      ? fold(pattern, { caseInsensitive: false, diacriticInsensitive: true })
      : pattern;
    result = riskyPattern(source) ?? 'ok';
    if (result === 'ok') {
      try {
        new RegExp(source, 'u');
        result = new RegExp(`^(?:${source})$`, modifiers.caseInsensitive ? 'iu' : 'u');
      } catch {
        result = 'Invalid MATCHES regular expression';
      }
    }
  }
  if (compiled.size >= 256) compiled.clear();
  compiled.set(key, result);
  return result;
}
