/**
 * Options of a whole network command, beside the per-request ones of `http-options.ts`:
 * `--deadline MS` (one deadline for every request of the command) and `--verbose` (a stderr line
 * per HTTP exchange: method, URL, status, bytes, ms, TLS version, peer certificate subject).
 *
 * @module
 */
import type { Command } from 'commander';
import type { HttpOptions } from 'psso-wstrust';
import { commandDeadline, formatExchange, withCommandSignal } from 'psso-wstrust';
import { err as pc } from './colors.js';
import { UsageError } from './usage.js';

/** Raw values as commander parses them. */
export interface CommandFlags {
  deadline?: string;
  verbose?: boolean;
}

/**
 * Adds `--deadline <ms>` and `--verbose` (kept apart from `withHttpOptions` so a command that
 * declares its own `--deadline` is not given a second one).
 *
 * @example
 * ```ts
 * withHttpOptions(withCommandOptions(program.command('login')).option('--json', '…'));
 * ```
 */
export function withCommandOptions(command: Command): Command {
  return command
    .option('--deadline <ms>', 'overall deadline of the whole command in milliseconds')
    .option('--verbose', 'print a line per HTTP exchange on stderr');
}

/** The transport options with the command's deadline and observer, and what to call at the end. */
export interface CommandHttp {
  readonly http: HttpOptions;
  dispose(): void;
}

/**
 * Adds the command's deadline signal and, with `--verbose`, an observer printing each exchange.
 *
 * @example
 * ```ts
 * const { http, dispose } = commandHttp(httpOptions(flags), flags);
 * try { await run(http); } finally { dispose(); }
 * ```
 */
export function commandHttp(base: HttpOptions, flags: CommandFlags): CommandHttp {
  let http = base;
  let dispose = () => {};
  if (flags.deadline !== undefined) {
    const ms = Number(flags.deadline);
    if (!Number.isInteger(ms) || ms <= 0 || ms > 2 ** 31 - 1)
      throw new UsageError('--deadline must be a positive integer of milliseconds');
    const deadline = commandDeadline(ms);
    http = withCommandSignal(http, deadline.signal);
    dispose = deadline.dispose;
  }
  if (flags.verbose === true) {
    http = {
      ...http,
      onExchange: (e) => process.stderr.write(`${pc.dim('http')} ${formatExchange(e)}\n`),
    };
  }
  return { http, dispose };
}
