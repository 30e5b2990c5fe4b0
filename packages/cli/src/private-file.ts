/**
 * Writing a file only its owner may read (mode 0600) every time, whatever mode an existing file
 * had: a temporary file created 0600 in the same folder, its mode set again on the open file
 * (against a umask), then renamed over the old one.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/**
 * Writes `content` to `path` atomically with mode 0600.
 *
 * @example
 * ```ts
 * await writePrivateFile(join(dir, 'session.json'), JSON.stringify({ refreshToken }));
 * ```
 */
export async function writePrivateFile(path: string, content: string): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}
