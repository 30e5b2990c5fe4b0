/**
 * Reading the IdP's `--config` file with errors that say what is wrong: the file does not exist,
 * cannot be read (and why), or is not JSON (where: line and column). Messages never quote the
 * file's contents.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { IdpError } from 'psso-wstrust';

/** Largest configuration file read (it is a few hundred bytes). */
const MAX_CONFIG_BYTES = 1024 * 1024;
/** Deepest nesting the position finder follows. */
const MAX_DEPTH = 256;

/**
 * Reads and parses a JSON configuration file (a leading byte order mark is ignored).
 *
 * @throws {IdpError} `PSSO_ERR_IDP_CONFIG`: "the configuration file F does not exist", "cannot be
 *   read (EACCES)", "is not valid JSON: … (line L, column C)".
 * @example
 * ```ts
 * const raw = readConfigJson('./idp.json');
 * ```
 */
export function readConfigJson(path: string): unknown {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw configError(`the configuration file ${file} does not exist`);
    if (code === 'EISDIR') throw configError(`the configuration file ${file} is a folder`);
    throw configError(`the configuration file ${file} cannot be read (${code ?? 'error'})`, e);
  }
  if (text.length > MAX_CONFIG_BYTES)
    throw configError(`the configuration file ${file} is larger than 1 MB`);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (e) {
    const offset = jsonErrorOffset(text);
    const { line, column } = lineColumn(text, offset < 0 ? text.length : offset);
    throw configError(
      `the configuration file ${file} is not valid JSON: ${describe(e, offset >= text.length)} (line ${line}, column ${column})`,
    );
  }
}

function configError(message: string, cause?: unknown): IdpError {
  return new IdpError('PSSO_ERR_IDP_CONFIG', message, cause === undefined ? undefined : { cause });
}

/** V8's description without the quoted text nor its position (given as line and column). */
function describe(e: unknown, atEnd: boolean): string {
  if (atEnd) return 'unexpected end of the file';
  const message = e instanceof Error ? e.message : '';
  const what = (message.split(/, (?:"|\.\.\.)/)[0] ?? '')
    .replace(/ (?:in JSON )?at position \d+.*$/s, '')
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 80);
  return what === '' ? 'syntax error' : what;
}

/**
 * The offset of the first JSON syntax error in `text` (RFC 8259), or -1 when there is none.
 *
 * @example
 * ```ts
 * jsonErrorOffset('{"a": }'); // 6
 * ```
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new JsonSyntax(i);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const string = () => {
    i++; // the opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail();
      if (c === 0x5c) {
        const e = text[i + 1] ?? '';
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i += 2;
            fail();
          }
          i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e) || e === '') {
          i++;
          fail();
        }
        i += 2;
        continue;
      }
      i++;
    }
    fail();
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) fail();
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') fail();
          string();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const literal = ['true', 'false', 'null'].find((l) => l[0] === c);
    if (literal !== undefined) {
      for (const ch of literal) {
        if (text[i] !== ch) fail();
        i++;
      }
      return;
    }
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      return;
    }
    fail();
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail();
    return -1;
  } catch (e) {
    if (e instanceof JsonSyntax) return e.offset;
    throw e;
  }
}

class JsonSyntax {
  constructor(readonly offset: number) {}
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
