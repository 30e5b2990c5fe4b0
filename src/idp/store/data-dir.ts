/**
 * The IdP's data folder: where it is by default, creating it private (0700), writing files
 * atomically with a given mode, and a lock so two processes starting at once do not both generate
 * keys.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { chmod, open, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { IdpError } from '../../errors.js';

/**
 * The default data folder: `$XDG_DATA_HOME/psso-wstrust/idp` when `XDG_DATA_HOME` is set to an
 * absolute path, else `~/.local/share/psso-wstrust/idp`.
 *
 * @example
 * ```ts
 * const store = openIdpStore(defaultDataDir());
 * ```
 */
export function defaultDataDir(): string {
  const xdg = process.env.XDG_DATA_HOME;
  const base =
    xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'share');
  return join(base, 'psso-wstrust', 'idp');
}

/**
 * An `IdpError` for the data folder, naming the path and the errno code (never file contents).
 *
 * @example
 * ```ts
 * throw dataDirError(`cannot read ${path}`, err); // 'cannot read /…/ca.pem (EACCES)'
 * ```
 */
export function dataDirError(what: string, cause?: unknown): IdpError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new IdpError(
    'PSSO_ERR_IDP_DATA_DIR',
    code === undefined ? what : `${what} (${code})`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Creates `dataDir` (and missing parents) with mode 0700 when absent; returns its absolute path.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` when it cannot be created or is not a folder.
 * @example
 * ```ts
 * const dir = ensureDataDir('./idp-data'); // '/home/me/project/idp-data'
 * ```
 */
export function ensureDataDir(dataDir: string): string {
  if (typeof dataDir !== 'string' || dataDir === '')
    throw new TypeError('dataDir must be a non-empty path');
  const dir = resolve(dataDir);
  try {
    const existing = statSync(dir, { throwIfNoEntry: false });
    if (existing === undefined) mkdirSync(dir, { recursive: true, mode: 0o700 });
    else if (!existing.isDirectory()) throw dataDirError(`${dir} is not a folder`);
  } catch (e) {
    throw e instanceof IdpError ? e : dataDirError(`cannot create the data folder ${dir}`, e);
  }
  return dir;
}

/**
 * Writes `content` to `path` atomically (a temporary file in the same folder, then a rename) with
 * exactly `mode`, whatever the umask or the mode of a file it replaces.
 *
 * @example
 * ```ts
 * await writeFileAtomic('/data/tls-key.pem', pem, 0o600);
 * ```
 */
export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temp, mode);
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw dataDirError(`cannot write ${path}`, e);
  }
}

/** How long a lock may be held before another process considers it abandoned. */
const STALE_LOCK_MS = 60_000;
const LOCK_WAIT_MS = 30_000;

/**
 * Runs `fn` while holding `<dir>/<name>.lock` (an exclusively created file), so that concurrent
 * processes on one data folder take turns. A lock older than a minute is considered abandoned.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` when the lock cannot be had within 30 seconds.
 * @example
 * ```ts
 * const pki = await withDataDirLock(dir, 'pki', () => generateEverything(dir));
 * ```
 */
export async function withDataDirLock<T>(
  dir: string,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = join(dir, `.${name}.lock`);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await (await open(lock, 'wx', 0o600)).close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw dataDirError(`cannot create the lock ${lock}`, e);
      const age = await lockAge(lock);
      if (age !== undefined && age > STALE_LOCK_MS) await rm(lock, { force: true });
      else if (Date.now() > deadline) throw dataDirError(`${lock} is held by another process`);
      else await sleep(50);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

async function lockAge(lock: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(lock)).mtimeMs;
  } catch {
    return undefined;
  }
}
