/**
 * The source of a request, as lockout and the password-check queue see it: the client address of
 * the TCP connection (never a header such as X-Forwarded-For, which the client writes itself).
 *
 * @module
 */
import { isIPv4, isIPv6 } from 'node:net';

/** The source of a request whose address is unknown (a closed socket, an in-process call). */
export const UNKNOWN_SOURCE = 'unknown';

/**
 * Normalizes a client address: an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) becomes the IPv4
 * address, and an IPv6 address becomes its /64 prefix (one host or home network holds a whole /64,
 * so counting addresses inside it separately would give one attacker millions of sources).
 *
 * @example
 * ```ts
 * requestSource('::ffff:127.0.0.2'); // '127.0.0.2'
 * requestSource('2001:db8:0:1:a:b:c:d'); // '2001:db8:0:1::/64'
 * requestSource(undefined); // 'unknown'
 * ```
 */
export function requestSource(address: string | undefined): string {
  if (typeof address !== 'string' || address === '') return UNKNOWN_SOURCE;
  const bare = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped?.[1] !== undefined && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(bare)) return bare;
  if (bare === '::1') return bare;
  if (isIPv6(bare)) return `${prefix64(bare)}::/64`;
  return UNKNOWN_SOURCE;
}

/** The first four 16-bit groups of an IPv6 address, lower case, without leading zeros. */
function prefix64(address: string): string {
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail takes two groups; it lies past the /64 in any valid address.
  const rightGroups = right.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(8 - left.length - rightGroups).fill('0'), ...right];
  return groups
    .slice(0, 4)
    .map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? g.replace(/^0+(?=.)/, '') : '0'))
    .join(':');
}
