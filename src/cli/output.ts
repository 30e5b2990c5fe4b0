/**
 * CLI output: readable lines for people (progress on stderr, results on stdout), one JSON document
 * on stdout for machines, and errors with their stable code.
 *
 * @module
 */
import {
  HttpError,
  PssoError,
  SamlError,
  sanitizePeerText,
  WsTrustError,
  WsTrustFaultError,
  XmlError,
} from '../errors.js';
import { err as pc } from './colors.js';

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

/** The fields of an error worth showing, peer text sanitized. */
export function errorFields(error: PssoError): Record<string, unknown> {
  const fields: Record<string, unknown> = { code: error.code, message: error.message };
  if (error instanceof XmlError) Object.assign(fields, { line: error.line, column: error.column });
  if (error instanceof HttpError && error.status !== undefined) fields.status = error.status;
  if (error instanceof WsTrustError && error.detail !== undefined) fields.detail = error.detail;
  if (error instanceof SamlError) {
    if (error.algorithm !== undefined) fields.algorithm = error.algorithm;
    if (error.peerAlgorithm !== undefined) fields.peerAlgorithm = error.peerAlgorithm;
    if (error.remediation !== undefined) fields.remediation = error.remediation;
  }
  if (error instanceof WsTrustFaultError) {
    Object.assign(fields, {
      faultCode: error.faultCode,
      subcode: error.subcode,
      reason: error.reason,
    });
  }
  return fields;
}

/** Prints an error (JSON on stdout with `--json`, else on stderr) and returns the exit code. */
export function reportError(error: unknown, json: boolean): number {
  if (error instanceof PssoError) {
    const fields = errorFields(error);
    if (json) printJson({ error: fields });
    else {
      process.stderr.write(`${pc.red('✗')} ${pc.bold(error.code)}: ${error.message}\n`);
      for (const [k, v] of Object.entries(fields)) {
        if (k !== 'code' && k !== 'message' && v !== undefined)
          // remediation is our own text (long); everything else may hold peer bytes.
          process.stderr.write(
            `  ${k}: ${k === 'remediation' ? String(v) : sanitizePeerText(String(v))}\n`,
          );
      }
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
