/**
 * The IdP's administration token: random, kept in `admin-token` (mode 0600) in the data folder,
 * required as `Authorization: Bearer …` by administrative endpoints (device registration). Compared
 * in constant time.
 *
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFileOnce, dataDirError } from '../store/data-dir.js';
import { readSecretFile } from '../store/secret-file.js';

/** The admin token file's name inside the data folder. */
export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * Whether `text` (the file's content, trimmed) is a usable admin token: 20 to 200 base64url
 * characters.
 *
 * @example
 * ```ts
 * isAdminToken(randomBytes(32).toString('base64url')); // true
 * ```
 */
export function isAdminToken(text: string): boolean {
  return /^[A-Za-z0-9_-]{20,200}$/.test(text);
}

/** The admin token file and a checker. */
export interface AdminToken {
  readonly file: string;
  /** Whether an `Authorization` header value carries the token. */
  check(authorization: string | undefined): boolean;
}

/**
 * Loads the token, creating it when absent. Creation is race-free: of several processes starting
 * at once on a fresh folder (`--workers`), one creates the file and every other one reads it, so
 * all hold the same token. The file must be 0600 or stricter.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_KEY_FILE_MODE` when other users may read or write the file;
 *   `PSSO_ERR_IDP_DATA_DIR` when it cannot be read or written, or holds no token.
 * @example
 * ```ts
 * const admin = await loadOrCreateAdminToken(dataDir);
 * if (!admin.check(request.headers.authorization)) reply.code(401);
 * ```
 */
export async function loadOrCreateAdminToken(dataDir: string): Promise<AdminToken> {
  const file = join(resolve(dataDir), ADMIN_TOKEN_FILE);
  let text = await readSecretFile(file, 'the admin token file');
  if (text === undefined) {
    const made = randomBytes(32).toString('base64url');
    const created = await createFileOnce(file, `${made}\n`, 0o600);
    text = created ? made : await readSecretFile(file, 'the admin token file');
    // Another process created it without hard links: its content may land a moment later.
    for (let i = 0; i < 40 && text?.trim() === ''; i++) {
      await sleep(25);
      text = await readSecretFile(file, 'the admin token file');
    }
  }
  const token = text?.trim() ?? '';
  if (!isAdminToken(token))
    throw dataDirError(`the admin token file ${file} holds no usable token: delete it to make one`);
  const expected = createHash('sha256').update(token).digest();
  return {
    file,
    check(authorization) {
      const m = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(authorization ?? '');
      if (m === null) return false;
      return timingSafeEqual(
        createHash('sha256')
          .update(m[1] as string)
          .digest(),
        expected,
      );
    },
  };
}
