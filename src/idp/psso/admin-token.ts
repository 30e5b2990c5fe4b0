/**
 * The IdP's administration token: random, kept in `admin-token` (mode 0600) in the data folder,
 * required as `Authorization: Bearer …` by administrative endpoints (device registration). Compared
 * in constant time.
 *
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/data-dir.js';

/** The admin token file and a checker. */
export interface AdminToken {
  readonly file: string;
  /** Whether an `Authorization` header value carries the token. */
  check(authorization: string | undefined): boolean;
}

/**
 * Loads the token, creating it when absent.
 *
 * @example
 * ```ts
 * const admin = await loadOrCreateAdminToken(dataDir);
 * if (!admin.check(request.headers.authorization)) reply.code(401);
 * ```
 */
export async function loadOrCreateAdminToken(dataDir: string): Promise<AdminToken> {
  const file = join(dataDir, 'admin-token');
  let token: string;
  try {
    token = (await readFile(file, 'utf8')).trim();
  } catch {
    token = randomBytes(32).toString('base64url');
    await writeFileAtomic(file, `${token}\n`, 0o600);
  }
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
