/**
 * What the IdP command keeps about its listening between starts, in `server.json` in the data
 * folder: the port chosen at first start (port 0: any free port), so that a restart keeps every
 * advertised URL (MEX, realm, STS, Platform SSO endpoints) stable. `--port` overrides it and is kept.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dataDirError, ensureDataDir, writeFileAtomic } from './data-dir.js';

const FILE = 'server.json';

/**
 * The port kept in the data folder, or `undefined` (no folder yet, or no port kept).
 *
 * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` when `server.json` is unreadable or corrupt.
 * @example
 * ```ts
 * const port = flags.port ?? (await readSavedPort(dataDir)) ?? 0;
 * ```
 */
export async function readSavedPort(dataDir: string): Promise<number | undefined> {
  const file = join(dataDir, FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw dataDirError(`cannot read ${file}`, e);
  }
  let port: unknown;
  try {
    port = (JSON.parse(text) as { port?: unknown } | null)?.port;
  } catch {
    port = Number.NaN;
  }
  if (port === undefined) return undefined;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    throw dataDirError(`${file} is corrupt: delete it, or pass --port`);
  return port;
}

/**
 * Keeps `port` in the data folder (written atomically, 0644).
 *
 * @example
 * ```ts
 * await savePort(dataDir, idp.port);
 * ```
 */
export async function savePort(dataDir: string, port: number): Promise<void> {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new TypeError('port must be an integer from 1 to 65535');
  const dir = ensureDataDir(dataDir);
  await writeFileAtomic(join(dir, FILE), `${JSON.stringify({ port })}\n`, 0o644);
}
