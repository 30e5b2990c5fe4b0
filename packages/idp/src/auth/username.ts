/**
 * The one canonical form of a username, used wherever two usernames are compared: user lookups,
 * lockout keys, the verified-credential cache, federated/managed domain tests and the SAML
 * subject of a token request. Without it, two spellings of one account (an NFD domain, a
 * different case) count as two accounts, and a locked user logs in under the other spelling.
 *
 * @module
 */
import { domainToASCII } from 'node:url';

/**
 * Case-folds `text` the way Unicode full case folding mostly does (`ß` → `ss`, `ﬁ` → `fi`),
 * locale-independently, and leaves it NFC.
 */
function fold(text: string): string {
  return text.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

/**
 * The canonical form of a domain: its IDNA A-label (UTS #46 mapping, which also NFC-normalizes and
 * lower-cases: `Bücher.example`, its NFD spelling and `xn--bcher-kva.example` are one domain).
 * A name IDNA refuses keeps its folded form, so it can never equal a valid configured domain.
 *
 * @example
 * ```ts
 * canonicalDomain('B\u0075\u0308cher.Example'); // 'xn--bcher-kva.example'
 * ```
 */
export function canonicalDomain(domain: string): string {
  if (typeof domain !== 'string') throw new TypeError('the domain must be a string');
  const folded = fold(domain);
  if (folded === '') return '';
  const ascii = domainToASCII(folded);
  return ascii === '' ? folded : ascii;
}

/**
 * The canonical form of a username: the local part (before the last `@`) NFC-normalized and
 * case-folded, the domain as its IDNA A-label ({@link canonicalDomain}). A name without `@` is
 * folded whole.
 *
 * @throws {TypeError} when `username` is not a string.
 * @example
 * ```ts
 * canonicalUsername('Alice@B\u0075\u0308cher.example'); // 'alice@xn--bcher-kva.example'
 * canonicalUsername('alice@bücher.example') === canonicalUsername('ALICE@xn--bcher-kva.example'); // true
 * ```
 */
export function canonicalUsername(username: string): string {
  if (typeof username !== 'string') throw new TypeError('the username must be a string');
  const at = username.lastIndexOf('@');
  if (at === -1) return fold(username);
  return `${fold(username.slice(0, at))}@${canonicalDomain(username.slice(at + 1))}`;
}

/**
 * The canonical domain of a username (after its last `@`), or `''` when there is none.
 *
 * @example
 * ```ts
 * usernameDomain('bob@Managed.Example'); // 'managed.example'
 * ```
 */
export function usernameDomain(username: string): string {
  const at = username.lastIndexOf('@');
  return at === -1 ? '' : canonicalDomain(username.slice(at + 1));
}

/**
 * Whether `name` has the shape of a UPN: `local@domain`, a non-empty local part, and a domain
 * with at least one dot that IDNA accepts.
 *
 * @example
 * ```ts
 * isUpnShaped('alice@example.com'); // true
 * isUpnShaped('alice'); // false
 * isUpnShaped('alice@localhost'); // false
 * ```
 */
export function isUpnShaped(name: string): boolean {
  if (typeof name !== 'string') return false;
  const at = name.lastIndexOf('@');
  if (at <= 0 || at === name.length - 1) return false;
  const domain = name.slice(at + 1);
  if (/\s/.test(name)) return false;
  const ascii = domainToASCII(fold(domain));
  const labels = ascii.split('.');
  return ascii !== '' && labels.length >= 2 && labels.every((label) => label !== '');
}
