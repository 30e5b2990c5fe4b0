/**
 * The reference IdP's `key_context` for Platform SSO 2.0 key requests (docs/PLATFORM-SSO.md §3.11;
 * docs/PSSO-PEERS.md §4.2): STATELESS, a sealed blob the device keeps and echoes in its key exchange,
 * like Fleet's. Issuing one writes nothing.
 *
 * Format: `v1.` + base64url(iv 12 B ‖ AES-256-GCM ciphertext ‖ tag 16 B), with a domain label as
 * AAD, under a 32-byte key kept in `<data>/key-context-key` (mode 0600, created like
 * `<data>/nonce-key`, before workers fork). The plaintext is JSON: the unlock private key (PKCS#8
 * DER, base64url), the device's signing kid, the user (UPN), the key purpose and the issue time.
 * Only the IdP can read or forge it; {@link openKeyContext} tells a tampered or foreign blob apart
 * from one of another device, user or purpose.
 *
 * @module
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { loadOrCreateNonceKey } from './server-nonce.js';

/** The key file's name inside the data folder. */
export const KEY_CONTEXT_KEY_FILE = 'key-context-key';

const PREFIX = 'v1.';
const AAD = Buffer.from('psso-wstrust/key-context/v1\0', 'utf8');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_CHARS = 4096;

/** What a key_context holds. */
export interface KeyContext {
  /** The unlock key pair's private key (EC P-256). */
  readonly privateKey: KeyObject;
  /** The signing kid of the device it was issued to. */
  readonly deviceKid: string;
  readonly upn: string;
  readonly purpose: string;
  /** Issue time, seconds since the epoch. */
  readonly issuedAt: number;
}

/** Why a key_context was refused (the token endpoint's outcome labels). */
export type KeyContextRefusal =
  | 'key-context-invalid'
  | 'key-context-other-device'
  | 'key-context-other-user'
  | 'key-context-purpose'
  | 'key-context-expired';

/**
 * The 32-byte key_context key in `<dataDir>/key-context-key`, created when absent.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR`, `PSSO_ERR_IDP_KEY_FILE_MODE`.
 * @example
 * ```ts
 * const keyContextKey = await loadOrCreateKeyContextKey(dataDir);
 * ```
 */
export function loadOrCreateKeyContextKey(dataDir: string): Promise<Buffer> {
  return loadOrCreateNonceKey(dataDir, KEY_CONTEXT_KEY_FILE, 'the key_context key file');
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 32)
    throw new TypeError('the key_context key must be 32 bytes');
}

/**
 * Seals a key_context.
 *
 * @example
 * ```ts
 * const keyContext = sealKeyContext(key, { privateKey, deviceKid, upn, purpose: 'user_unlock', issuedAt });
 * ```
 */
export function sealKeyContext(key: Uint8Array, c: KeyContext): string {
  checkKey(key);
  const plain = JSON.stringify({
    d: c.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url'),
    k: c.deviceKid,
    u: c.upn,
    p: c.purpose,
    t: c.issuedAt,
  });
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(AAD);
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return PREFIX + Buffer.concat([iv, sealed]).toString('base64url');
}

/** What {@link openKeyContext} checks the blob against. */
export interface KeyContextExpectation {
  readonly deviceKid: string;
  readonly upn: string;
  readonly purpose: string;
  /** Seconds since the epoch. */
  readonly now: number;
  /** The longest age accepted (seconds). */
  readonly maxAgeSeconds: number;
  /** Compares UPNs (case-insensitively by default). */
  readonly sameUser?: (a: string, b: string) => boolean;
}

/**
 * Opens and checks a key_context: tampered, foreign or malformed → `key-context-invalid`; sealed
 * for another device, user or purpose, or too old → its own label.
 *
 * @example
 * ```ts
 * const r = openKeyContext(key, claims.key_context, { deviceKid, upn, purpose, now, maxAgeSeconds });
 * if (!r.ok) refuse(r.reason);
 * ```
 */
export function openKeyContext(
  key: Uint8Array,
  text: unknown,
  want: KeyContextExpectation,
): { ok: true; context: KeyContext } | { ok: false; reason: KeyContextRefusal } {
  checkKey(key);
  const invalid = { ok: false, reason: 'key-context-invalid' } as const;
  if (typeof text !== 'string' || text.length > MAX_CHARS || !text.startsWith(PREFIX))
    return invalid;
  const body = text.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return invalid;
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES + 1) return invalid;
  let parsed: Record<string, unknown>;
  let privateKey: KeyObject;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES)).setAAD(AAD);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    parsed = JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
    privateKey = createPrivateKey({
      key: Buffer.from(String(parsed.d), 'base64url'),
      format: 'der',
      type: 'pkcs8',
    });
  } catch {
    return invalid;
  }
  const { k, u, p, t } = parsed;
  if (typeof k !== 'string' || typeof u !== 'string' || typeof p !== 'string') return invalid;
  if (typeof t !== 'number' || !Number.isSafeInteger(t)) return invalid;
  if (k !== want.deviceKid) return { ok: false, reason: 'key-context-other-device' };
  const same = want.sameUser ?? ((a: string, b: string) => a.toLowerCase() === b.toLowerCase());
  if (!same(u, want.upn)) return { ok: false, reason: 'key-context-other-user' };
  if (p !== want.purpose) return { ok: false, reason: 'key-context-purpose' };
  if (want.now - t > want.maxAgeSeconds) return { ok: false, reason: 'key-context-expired' };
  return { ok: true, context: { privateKey, deviceKid: k, upn: u, purpose: p, issuedAt: t } };
}
