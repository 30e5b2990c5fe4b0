/**
 * Showing text a peer chose (an `error_description`, a RelatesTo id, a certificate subject, an
 * OpenSSL message) on a terminal or in JSON without letting it steer the terminal or flood it.
 *
 * @module
 */

/** Longest peer text shown, characters (before the ellipsis). */
export const PEER_TEXT_MAX = 200;

// biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * `value` as safe display text: control characters (ESC, CR, LF, bidi-breaking separators…)
 * escaped as `\xNN`/`\uNNNN`, at most {@link PEER_TEXT_MAX} characters then `…`. Non-strings are
 * converted with `String`.
 *
 * @example
 * ```ts
 * peerText('bad\u001b[31m id'); // 'bad\\x1b[31m id'
 * peerText('x'.repeat(500)).length; // 201
 * ```
 */
export function peerText(value: unknown, max = PEER_TEXT_MAX): string {
  const text = typeof value === 'string' ? value : String(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(CONTROL, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff
      ? `\\x${n.toString(16).padStart(2, '0')}`
      : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}
