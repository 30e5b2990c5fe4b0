/**
 * Colors only for a terminal: never in pipes or files (whatever CI says), never with NO_COLOR,
 * always with FORCE_COLOR.
 *
 * @module
 */
import pc from 'picocolors';

function enabled(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && process.env.TERM !== 'dumb';
}

/** Colors for stdout. */
export const out = pc.createColors(enabled(process.stdout));
/** Colors for stderr. */
export const err = pc.createColors(enabled(process.stderr));
