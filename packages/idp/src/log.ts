/**
 * The IdP's log: one JSON object per line. Internal detail (why a request was refused) goes here,
 * never on the wire; passwords never go anywhere. Callers pass peer-supplied text through
 * {@link peerText}; as a last defence the logger itself caps every line at {@link MAX_LOG_LINE}.
 *
 * @module
 */
import { peerText } from './peer-text.js';

/** The longest line the logger writes (characters, newline excluded). */
export const MAX_LOG_LINE = 4096;

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
      write(`${line({ time: new Date().toISOString(), level, event, ...fields })}\n`);
    },
  };
}

/**
 * One JSON line, at most {@link MAX_LOG_LINE} characters: an over-long record has every string
 * capped at 256 characters and every nested value flattened to capped text; if that is still too
 * long, only time, level, event and `truncated: true` remain.
 */
function line(record: Record<string, unknown>): string {
  const full = JSON.stringify(record);
  if (full.length <= MAX_LOG_LINE) return full;
  const capped: Record<string, unknown> = { truncated: true };
  for (const [k, v] of Object.entries(record)) {
    capped[peerText(k, 64)] =
      typeof v === 'string'
        ? peerText(v, 256)
        : typeof v === 'object' && v !== null
          ? peerText(JSON.stringify(v), 256)
          : v;
  }
  const shorter = JSON.stringify(capped);
  if (shorter.length <= MAX_LOG_LINE) return shorter;
  return JSON.stringify({
    time: record.time,
    level: record.level,
    event: peerText(record.event, 64),
    truncated: true,
  });
}

/** Discards everything. */
export const silentLogger: Logger = { log() {} };
