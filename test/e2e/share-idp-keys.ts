/**
 * STAND-IN until `psso-wstrust idp keys export|import` lands (another branch of issue 10): makes
 * a second IdP host's data folder hold the same keys as the first's by copying the key files, so
 * both sign, seal nonces, decrypt logins and seal key contexts alike. Each host keeps its own TLS
 * certificate, issued by the shared CA. Swap this for the export/import commands when they exist.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The key files two hosts of one IdP must share (the optional ones when present). */
export const SHARED_KEY_FILES = [
  'ca.pem',
  'ca-key.pem',
  'signing-cert.pem',
  'signing-key.pem',
  'nonce-key',
  'login-encryption-key.pem',
  'key-context-key',
  'hpke.json',
  'hpke-sender-keys.json',
] as const;

/**
 * Copies {@link SHARED_KEY_FILES} from `fromDir` to `toDir` (created 0700), keeping each mode.
 *
 * @example
 * ```ts
 * shareIdpKeys(hostA.info.dataDir, dirB); // then start host B on dirB
 * ```
 */
export function shareIdpKeys(fromDir: string, toDir: string): void {
  mkdirSync(toDir, { recursive: true, mode: 0o700 });
  for (const name of SHARED_KEY_FILES) {
    const from = join(fromDir, name);
    if (!existsSync(from)) continue;
    const to = join(toDir, name);
    copyFileSync(from, to);
    chmodSync(to, statSync(from).mode & 0o777);
  }
}
