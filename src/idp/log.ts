/**
 * The IdP's log: one JSON object per line. Internal detail (why a request was refused) goes here,
 * never on the wire; passwords never go anywhere.
 *
 * @module
 */

/** Log levels. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A logger. */
export interface Logger {
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
}

/** JSON lines on a writable (stderr by default). */
export function jsonLogger(
  write: (line: string) => void = (l) => process.stderr.write(l),
  minLevel: LogLevel = 'info',
): Logger {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  return {
    log(level, event, fields) {
      if (order[level] < order[minLevel]) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
    },
  };
}

/** Discards everything. */
export const silentLogger: Logger = { log() {} };
