/**
 * The transport options every network command takes.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { HttpOptions } from 'psso-wstrust';
import { warn } from './output.js';
import { UsageError } from './usage.js';

/** Raw option values as commander parses them. */
export interface HttpFlags {
  ca?: string;
  timeout?: string;
  maxResponseBytes?: string;
  dangerouslyAllowHttpLoopback?: boolean;
}

/** Adds `--ca`, `--timeout`, `--max-response-bytes` and the loud loopback-http switch. */
export function withHttpOptions(command: Command): Command {
  return command
    .option('--ca <file>', 'extra trusted CA certificates (PEM), e.g. the reference IdP’s')
    .option('--timeout <ms>', 'overall deadline per request in milliseconds', '30000')
    .option('--max-response-bytes <n>', 'largest response body accepted', String(1024 * 1024))
    .addOption(
      new Option(
        '--dangerously-allow-http-loopback',
        'permit plain http:// to 127.0.0.0/8, ::1 and localhost (testing only)',
      ),
    );
}

function positive(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive integer`);
  return n;
}

/** Turns the flags into {@link HttpOptions}, warning loudly about the insecure switch. */
export function httpOptions(flags: HttpFlags): HttpOptions {
  const options: { -readonly [K in keyof HttpOptions]: HttpOptions[K] } = {
    timeoutMs: positive(flags.timeout, '--timeout'),
    maxResponseBytes: positive(flags.maxResponseBytes, '--max-response-bytes'),
  };
  if (flags.ca !== undefined) {
    try {
      options.ca = readFileSync(flags.ca, 'utf8');
    } catch {
      throw new UsageError(`cannot read the CA file ${flags.ca}`);
    }
  }
  if (flags.dangerouslyAllowHttpLoopback === true) {
    warn(
      '--dangerously-allow-http-loopback: plain http is allowed to loopback addresses. Never use this in production.',
    );
    options.dangerouslyAllowHttpLoopback = true;
  }
  return options;
}
