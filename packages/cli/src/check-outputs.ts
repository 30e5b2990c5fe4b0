/**
 * The file outputs of `psso-wstrust check`: `--html FILE` (the self-contained report),
 * `--trace FILE` (HAR 1.2, redacted), `--trace-secrets` (keep secrets in the trace: a loud
 * warning, mode 0600) and `--from-trace FILE` (re-judge a saved trace offline). The `check`
 * command registers them with {@link addCheckOutputOptions}, writes them with
 * {@link writeCheckOutputs} and reads a trace with {@link loadTrace}.
 *
 * @module
 */
import { open, writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { CheckError } from 'psso-wstrust';
import type { CheckReport } from 'psso-wstrust/check';
import {
  fromHar,
  type RedactOptions,
  renderHtml,
  type TraceContents,
  toHar,
} from 'psso-wstrust/check';
import { warn } from './output.js';
import { writePrivateFile } from './private-file.js';
import { UsageError } from './usage.js';

/** The flags {@link addCheckOutputOptions} adds (commander's camel-cased names). */
export interface CheckOutputFlags {
  readonly html?: string;
  readonly trace?: string;
  readonly traceSecrets?: boolean;
  readonly fromTrace?: string;
}

/** Largest trace `--from-trace` reads (checked before reading). */
export const MAX_TRACE_BYTES = 32 * 1024 * 1024;

/**
 * Registers `--html`, `--trace`, `--trace-secrets` and `--from-trace` on `command`, and a
 * pre-action check: `--trace-secrets` needs `--trace` (usage error, exit 2), and warns loudly
 * on stderr before anything runs.
 *
 * @example
 * ```ts
 * addCheckOutputOptions(program.command('check')).action(async (flags) => { … });
 * ```
 */
export function addCheckOutputOptions(command: Command): Command {
  return command
    .option('--html <file>', 'write a self-contained HTML report (secrets redacted) to FILE')
    .option('--trace <file>', 'write every HTTP exchange as a HAR 1.2 file (secrets redacted)')
    .option(
      '--trace-secrets',
      'keep passwords, assertions, tokens and nonces in the --trace file (mode 0600; never attach it to a ticket)',
    )
    .addOption(
      new Option(
        '--from-trace <file>',
        'judge the exchanges of a saved HAR trace offline instead of making requests',
      ).conflicts(['mex', 'realmUrl']),
    )
    .hook('preAction', (self) => {
      const flags = self.opts<CheckOutputFlags>();
      if (flags.traceSecrets === true && flags.trace === undefined) {
        throw new UsageError('--trace-secrets needs --trace FILE');
      }
      if (flags.traceSecrets === true) warnSecrets(flags.trace ?? '');
    });
}

function warnSecrets(file: string): void {
  warn(
    `--trace-secrets: ${file} will hold the password, the SAML assertion, tokens and nonces in clear text.`,
  );
  warn(
    'Do not attach it to a ticket or share it; delete it when done. Without --trace-secrets they are redacted.',
  );
}

/**
 * Writes the files asked for by `flags`: the HTML report (always redacted) and the HAR trace
 * (redacted unless `--trace-secrets`, then written with mode 0600). `secrets` are literal values
 * (the password) redacted wherever they appear; `extraKeys` more claim names (the configured
 * server-nonce claim name). Returns the paths written.
 *
 * @example
 * ```ts
 * await writeCheckOutputs(report, flags, { secrets: [password] });
 * ```
 */
export async function writeCheckOutputs(
  report: CheckReport,
  flags: CheckOutputFlags,
  options: RedactOptions = {},
): Promise<string[]> {
  const written: string[] = [];
  if (flags.html !== undefined) {
    await writeOut(flags.html, renderHtml(report, options), '--html');
    written.push(flags.html);
  }
  if (flags.trace !== undefined) {
    const keepSecrets = flags.traceSecrets === true;
    const text = `${JSON.stringify(toHar(report, { ...options, keepSecrets }), null, 2)}\n`;
    if (keepSecrets) {
      try {
        await writePrivateFile(flags.trace, text);
      } catch (e) {
        throw new UsageError(
          `cannot write ${flags.trace}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
        );
      }
      warn(`${flags.trace} holds secrets in clear text (mode 0600).`);
    } else {
      await writeOut(flags.trace, text, '--trace');
    }
    written.push(flags.trace);
  }
  return written;
}

async function writeOut(path: string, text: string, option: string): Promise<void> {
  try {
    await writeFile(path, text, 'utf8');
  } catch (e) {
    throw new UsageError(
      `${option}: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

/**
 * Reads a saved HAR trace for `--from-trace`: its size checked before reading, then validated by
 * {@link fromHar}.
 *
 * @throws {CheckError} `PSSO_ERR_CHECK_TRACE` when it is too large or not a usable HAR.
 * @throws {UsageError} when the file cannot be read.
 *
 * @example
 * ```ts
 * const { exchanges, report } = await loadTrace(flags.fromTrace);
 * ```
 */
export async function loadTrace(file: string, maxBytes = MAX_TRACE_BYTES): Promise<TraceContents> {
  let text: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const { size, isFile } = await handle
        .stat()
        .then((s) => ({ size: s.size, isFile: s.isFile() }));
      if (!isFile) throw new UsageError(`--from-trace: ${file} is not a file`);
      if (size > maxBytes) {
        throw new CheckError(
          'PSSO_ERR_CHECK_TRACE',
          `Not a usable HAR trace: the trace is larger than ${maxBytes} bytes`,
        );
      }
      text = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (e) {
    if (e instanceof CheckError || e instanceof UsageError) throw e;
    throw new UsageError(
      `--from-trace: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  return fromHar(text, { maxBytes });
}
