/**
 * The names the IdP's generated TLS certificate carries (`localhost`, `127.0.0.1`, `::1`, plus
 * `--tls-hostname` names and the `--public-url` host), and the NameConstraints of the local CA
 * (RFC 5280 4.2.1.10) that permit exactly the names known when the CA was made: a trusted local CA
 * whose key leaked cannot vouch for any other name.
 *
 * @module
 */

import type { X509Certificate } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

/** The names every generated TLS certificate carries. */
export const DEFAULT_TLS_NAMES: readonly string[] = Object.freeze([
  'localhost',
  '127.0.0.1',
  '::1',
]);

const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * A host name or IP address in canonical form: DNS names lower-case (IDNA A-labels, no trailing
 * dot), IPv6 compressed without brackets.
 *
 * @throws {TypeError} when it is neither a DNS name nor an IP address (no wildcards, ports, paths).
 * @example
 * ```ts
 * canonicalTlsName('IdP.Example.COM.'); // 'idp.example.com'
 * canonicalTlsName('[0:0::1]'); // '::1'
 * ```
 */
export function canonicalTlsName(name: string): string {
  if (typeof name !== 'string') throw new TypeError('a TLS host name must be a string');
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (isIP(bare) === 6) return new URL(`https://[${bare}]/`).hostname.slice(1, -1);
  if (isIP(bare) === 4) return bare;
  if (name === '' || !/^[^\s/:@?#[\]\\%*]+$/u.test(name))
    throw new TypeError(`"${name.slice(0, 80)}" is not a host name or IP address`);
  let host: string;
  try {
    host = new URL(`https://${name}/`).hostname.replace(/\.$/, '');
  } catch {
    throw new TypeError(`"${name.slice(0, 80)}" is not a host name or IP address`);
  }
  if (!DNS_NAME.test(host) || isIP(host) !== 0)
    throw new TypeError(`"${name.slice(0, 80)}" is not a host name or IP address`);
  return host;
}

/**
 * The defaults plus `extra`, canonical and without duplicates, in a stable order.
 *
 * @example
 * ```ts
 * tlsNames(['idp.example.com']); // ['localhost', '127.0.0.1', '::1', 'idp.example.com']
 * ```
 */
export function tlsNames(extra: readonly string[] = []): string[] {
  return [...new Set([...DEFAULT_TLS_NAMES, ...extra.map(canonicalTlsName)])];
}

/**
 * Whether the certificate's subjectAltName holds exactly `names` (canonical, no duplicates).
 *
 * @example
 * ```ts
 * if (!certNamesExactly(tls, tlsNames(hostnames))) reissue();
 * ```
 */
export function certNamesExactly(cert: X509Certificate, names: readonly string[]): boolean {
  const entries = cert.subjectAltName === undefined ? [] : cert.subjectAltName.split(', ');
  if (entries.length !== names.length) return false;
  const strict = { wildcards: false, partialWildcards: false, subject: 'never' } as const;
  return names.every((n) =>
    isIP(n) === 0 ? cert.checkHost(n, strict) !== undefined : cert.checkIP(n) !== undefined,
  );
}

/** The subject common name of a TLS certificate for `names`: the first added DNS name, or localhost. */
export function commonName(names: readonly string[]): string {
  return names.find((n) => isIP(n) === 0 && !DEFAULT_TLS_NAMES.includes(n)) ?? 'localhost';
}

/** The SAN entries of `names` for @peculiar/x509. */
export function sanEntries(names: readonly string[]): { type: 'dns' | 'ip'; value: string }[] {
  return names.map((value) => ({ type: isIP(value) === 0 ? 'dns' : 'ip', value }));
}

/**
 * NameConstraints (DER) whose permitted subtrees are exactly `names`: each DNS name (which RFC 5280
 * extends to its subdomains) and each IP address as a single-address range.
 *
 * @example
 * ```ts
 * new x509.Extension('2.5.29.30', true, nameConstraintsDer(tlsNames()));
 * ```
 */
export function nameConstraintsDer(names: readonly string[]): Uint8Array<ArrayBuffer> {
  const subtrees = names.map((n) => {
    if (isIP(n) === 0) return tlv(0x30, tlv(0x82, Buffer.from(n, 'ascii')));
    const addr = ipBytes(n);
    return tlv(0x30, tlv(0x87, Buffer.concat([addr, Buffer.alloc(addr.length, 0xff)])));
  });
  return new Uint8Array(tlv(0x30, tlv(0xa0, ...subtrees)));
}

/**
 * Whether NameConstraints (DER, as {@link nameConstraintsDer} writes them) permit every name.
 * `undefined` constraints (a CA without the extension) permit everything.
 *
 * @example
 * ```ts
 * if (!constraintsPermit(caConstraints, names)) recreateCa();
 * ```
 */
export function constraintsPermit(der: Uint8Array | undefined, names: readonly string[]): boolean {
  if (der === undefined) return true;
  const permitted = parsePermitted(Buffer.from(der));
  if (permitted === undefined) return false;
  const ips = new BlockList();
  let anyIp = false;
  for (const { address, prefix, family } of permitted.ips) {
    ips.addSubnet(address, prefix, family);
    anyIp = true;
  }
  return names.every((n) => {
    const family = isIP(n);
    if (family === 0)
      return (
        permitted.dns.length === 0 ||
        permitted.dns.some((d) => d === '' || n === d || n.endsWith(`.${d.replace(/^\./, '')}`))
      );
    return !anyIp || ips.check(n, family === 4 ? 'ipv4' : 'ipv6');
  });
}

/** The permitted dNSName and iPAddress subtrees, or `undefined` when the DER is not understood. */
function parsePermitted(
  der: Buffer,
):
  | { dns: string[]; ips: { address: string; prefix: number; family: 'ipv4' | 'ipv6' }[] }
  | undefined {
  const outer = readTlv(der, 0);
  if (outer?.tag !== 0x30) return undefined;
  const dns: string[] = [];
  const ips: { address: string; prefix: number; family: 'ipv4' | 'ipv6' }[] = [];
  for (const part of children(der, outer)) {
    if (part.tag !== 0xa0) continue; // excluded subtrees [1]: this CA never writes them
    for (const subtree of children(der, part)) {
      const base = subtree.tag === 0x30 ? children(der, subtree)[0] : undefined;
      if (base === undefined) return undefined;
      const value = der.subarray(base.start, base.end);
      if (base.tag === 0x82) dns.push(value.toString('ascii').toLowerCase());
      else if (base.tag === 0x87 && (value.length === 8 || value.length === 32)) {
        const half = value.length / 2;
        const address = ipString(value.subarray(0, half));
        const prefix = [...value.subarray(half)].reduce((n, b) => n + bitCount(b), 0);
        ips.push({ address, prefix, family: half === 4 ? 'ipv4' : 'ipv6' });
      }
    }
  }
  return { dns, ips };
}

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

function readTlv(der: Buffer, at: number): Tlv | undefined {
  const tag = der[at];
  let len = der[at + 1];
  if (tag === undefined || len === undefined) return undefined;
  let start = at + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count === 0 || count > 3 || start + count > der.length) return undefined;
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + (der[start + i] as number);
    start += count;
  }
  const end = start + len;
  return end <= der.length ? { tag, start, end } : undefined;
}

function children(der: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = readTlv(der, at);
    if (child === undefined || child.end > parent.end) return out;
    out.push(child);
    at = child.end;
  }
  return out;
}

function tlv(tag: number, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

/** The bytes of a canonical IP address (IPv4 dotted, or IPv6 hex groups with at most one `::`). */
function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head = '', tail] = ip.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  for (const [i, g] of all.entries()) out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return out;
}

function ipString(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}

function bitCount(b: number): number {
  let n = 0;
  for (let v = b; v !== 0; v >>= 1) n += v & 1;
  return n;
}
