/**
 * Text a peer sent, made safe to log: capped (a request cannot make a log line long) and escaped
 * (no control, bidi or invisible characters reach an operator's terminal through `jq -r`).
 *
 * @module
 */

/** Default cap, in UTF-16 code units of the original text. */
export const PEER_TEXT_MAX = 128;

// Controls (C0, DEL, C1), format characters (soft hyphen, zero-width, bidi controls, BOM…),
// line and paragraph separators, and lone surrogates (the `u` flag matches them as such).
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * Caps `value` at `max` UTF-16 code units (never splitting a surrogate pair), escapes unsafe
 * characters as `\u{…}`, and marks what was cut as `…[+N]` (N: code units left out). A backslash
 * is doubled so an escape in the output is always ours. Anything that is not a string is
 * converted with `String()` first.
 *
 * @example
 * ```ts
 * peerText('evil\u001b[31m'); // 'evil\\u{1b}[31m'
 * peerText('x'.repeat(60_000)).length; // 128 + '…[+59872]'.length
 * ```
 */
export function peerText(value: unknown, max: number = PEER_TEXT_MAX): string {
  const text = typeof value === 'string' ? value : String(value);
  let end = Math.min(text.length, max);
  // Do not cut between the halves of a surrogate pair.
  if (end < text.length && end > 0 && /[\ud800-\udbff]/.test(text.charAt(end - 1))) end--;
  const kept = text
    .slice(0, end)
    .replace(/\\/g, '\\\\')
    .replace(UNSAFE, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
  return end < text.length ? `${kept}…[+${text.length - end}]` : kept;
}
