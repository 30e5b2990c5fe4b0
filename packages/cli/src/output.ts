/**
 * CLI output: readable lines for people (progress on stderr, results on stdout), one JSON document
 * on stdout for machines, and errors with their stable code.
 *
 * @module
 */
import { PssoError } from 'psso-wstrust';
import { err as pc } from './colors.js';
import { errorFields, formatErrorText } from './error-report.js';

export { errorFields } from './error-report.js';

/** Exit codes. */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2 });

/** Prints a JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A progress line on stderr (people only). */
export function progress(line: string): void {
  process.stderr.write(`${pc.dim('…')} ${line}\n`);
}

/** A finished step on stderr. */
export function done(line: string): void {
  process.stderr.write(`${pc.green('✓')} ${line}\n`);
}

/** A loud warning on stderr. */
export function warn(line: string): void {
  process.stderr.write(`${pc.yellow(pc.bold('WARNING'))} ${line}\n`);
}

/** Prints an error (JSON on stdout with `--json`, else on stderr) and returns the exit code. */
export function reportError(error: unknown, json: boolean): number {
  if (error instanceof PssoError) {
    const fields = errorFields(error);
    if (json) printJson({ error: fields });
    else {
      process.stderr.write(`${pc.red('✗')} ${pc.bold(error.code)}: ${error.message}\n`);
      for (const line of formatErrorText(fields)) process.stderr.write(`${line}\n`);
    }
    return EXIT.failed;
  }
  const usage =
    error instanceof TypeError || (error instanceof Error && error.name === 'UsageError');
  const message = error instanceof Error ? error.message : String(error);
  if (json) printJson({ error: { code: usage ? 'USAGE' : 'INTERNAL', message } });
  else process.stderr.write(`${pc.red('✗')} ${usage ? 'usage' : 'internal error'}: ${message}\n`);
  return usage ? EXIT.usage : EXIT.failed;
}
