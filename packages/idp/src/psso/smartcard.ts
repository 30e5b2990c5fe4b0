/**
 * The SmartCard checks of an embedded assertion (docs/PLATFORM-SSO.md §3.9): the header's `x5c` chain
 * (standard base64 DER, leaf first) must lead to a CA the IdP was told to trust, every certificate
 * valid now; the leaf must be an end-entity certificate, allowed to sign (keyUsage
 * digitalSignature, when the extension is present), with an RSA key of at least 2048 bits or an EC
 * P-256/P-384 key; and it is mapped to a user by its UPN (SAN otherName 1.3.6.1.4.1.311.20.2.3),
 * else its email (SAN rfc822Name), in the configured order.
 *
 * Signatures are checked by node:crypto (`X509Certificate.checkIssued` + `verify`); the SAN and
 * keyUsage are parsed by @peculiar/x509.
 *
 * @module
 */
import { type KeyObject, X509Certificate } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { MIN_RSA_BITS } from 'psso-wstrust/jose';

/** The longest chain accepted in `x5c` (leaf and intermediates). */
export const MAX_CHAIN = 4;
const MAX_CERT_CHARS = 16 * 1024;

/** How a certificate is mapped to a user, tried in order. */
export type SmartCardMapping = 'upn' | 'email';

/** The default mapping: the UPN, else the email. */
export const DEFAULT_SMARTCARD_MAPPING: readonly SmartCardMapping[] = Object.freeze([
  'upn',
  'email',
]);

/** Why a SmartCard chain was refused (the token endpoint's outcome label). */
export type SmartCardRefusal =
  | 'smartcard-x5c'
  | 'smartcard-untrusted'
  | 'smartcard-expired'
  | 'smartcard-key-usage'
  | 'smartcard-weak-key';

/** A chain that verified: the leaf and its key. */
export interface TrustedSmartCard {
  readonly leaf: X509Certificate;
  readonly publicKey: KeyObject;
}

/**
 * Checks an `x5c` header value against the trusted CAs at `now`.
 *
 * @example
 * ```ts
 * const r = await verifySmartCardChain(header.x5c, cas.certificates(), clock());
 * if (typeof r === 'string') refuse(r); // e.g. 'smartcard-untrusted'
 * ```
 */
export async function verifySmartCardChain(
  x5c: unknown,
  trusted: readonly X509Certificate[],
  now: Date,
): Promise<TrustedSmartCard | SmartCardRefusal> {
  const chain = parseX5c(x5c);
  if (chain === undefined) return 'smartcard-x5c';
  const leaf = chain[0] as X509Certificate;
  if (leaf.ca) return 'smartcard-untrusted';
  const validNow = (c: X509Certificate) =>
    Date.parse(c.validFrom) <= now.getTime() && now.getTime() <= Date.parse(c.validTo);
  let current = leaf;
  for (let i = 0; ; i++) {
    if (!validNow(current)) return 'smartcard-expired';
    const anchor = trusted.find((ca) => current.checkIssued(ca) && current.verify(ca.publicKey));
    if (anchor !== undefined) {
      if (!validNow(anchor)) return 'smartcard-expired';
      break;
    }
    const next = chain[i + 1];
    if (next === undefined || !next.ca || !current.checkIssued(next)) return 'smartcard-untrusted';
    if (!current.verify(next.publicKey)) return 'smartcard-untrusted';
    current = next;
  }
  const publicKey = leaf.publicKey;
  const type = publicKey.asymmetricKeyType;
  const details = publicKey.asymmetricKeyDetails;
  if (type === 'rsa') {
    if ((details?.modulusLength ?? 0) < MIN_RSA_BITS) return 'smartcard-weak-key';
  } else if (
    type !== 'ec' ||
    (details?.namedCurve !== 'prime256v1' && details?.namedCurve !== 'secp384r1')
  )
    return 'smartcard-weak-key';
  if (!(await allowsSigning(leaf))) return 'smartcard-key-usage';
  return { leaf, publicKey };
}

/** The chain, or `undefined` when `x5c` is not 1 to {@link MAX_CHAIN} std-base64 DER certificates. */
function parseX5c(x5c: unknown): X509Certificate[] | undefined {
  // A plain string is what older Macs sent for the device x5c (§3.3): accepted as a one-element list.
  const list = typeof x5c === 'string' ? [x5c] : x5c;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_CHAIN) return undefined;
  const out: X509Certificate[] = [];
  for (const item of list) {
    if (typeof item !== 'string' || item.length > MAX_CERT_CHARS) return undefined;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(item)) return undefined;
    try {
      out.push(new X509Certificate(Buffer.from(item, 'base64')));
    } catch {
      return undefined;
    }
  }
  return out;
}

let lib: Promise<typeof X509> | undefined;
/** @peculiar/x509 (and reflect-metadata) loaded when a SmartCard is first seen. */
function x509lib(): Promise<typeof X509> {
  lib ??= import('reflect-metadata').then(() => import('@peculiar/x509'));
  return lib;
}

async function allowsSigning(leaf: X509Certificate): Promise<boolean> {
  const x509 = await x509lib();
  try {
    const cert = new x509.X509Certificate(leaf.raw);
    const ku = cert.getExtension(x509.KeyUsagesExtension);
    return ku === null || (ku.usages & x509.KeyUsageFlags.digitalSignature) !== 0;
  } catch {
    return false;
  }
}

/**
 * The user name a SmartCard certificate names, by the first mapping that finds one: `upn` (SAN
 * otherName UPN) or `email` (SAN rfc822Name). `undefined` when none does (or the SAN is
 * unreadable).
 *
 * @example
 * ```ts
 * await smartCardUser(leaf, ['upn', 'email']); // 'alice@example.com'
 * ```
 */
export async function smartCardUser(
  leaf: X509Certificate,
  mapping: readonly SmartCardMapping[] = DEFAULT_SMARTCARD_MAPPING,
): Promise<string | undefined> {
  const x509 = await x509lib();
  let names: readonly { type: string; value: string }[];
  try {
    const san = new x509.X509Certificate(leaf.raw).getExtension(
      x509.SubjectAlternativeNameExtension,
    );
    names = san?.names.items ?? [];
  } catch {
    return undefined;
  }
  for (const m of mapping) {
    const found = names.find((n) => n.type === m && typeof n.value === 'string' && n.value !== '');
    if (found !== undefined) return found.value;
  }
  return undefined;
}
