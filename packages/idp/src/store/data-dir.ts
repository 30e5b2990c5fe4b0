/**
 * The IdP's data folder: where it is by default, creating it private (0700), writing files
 * atomically with a given mode or only once (race-free), and a lock so two processes starting at
 * once do not both generate keys (`lock.ts`).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { chmod, link, open, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { IdpError } from 'psso-wstrust';

/**
 * The default data folder: `$XDG_DATA_HOME/psso-wstrust/idp` when `XDG_DATA_HOME` is set to an
 * absolute path, else `~/.local/share/psso-wstrust/idp`.
 *
 * @example
 * ```ts
 * const state = await openIdpState({ dataDir: defaultDataDir() });
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
  await writeFilesAtomic([{ path, content, mode }]);
}

/**
 * Writes several files as {@link writeFileAtomic} does, every content on disk before the first
 * rename: a crash leaves them all old or all new, but for the instant between the renames (a key
 * and its certificate are never left half-made by a kill during key generation).
 *
 * @example
 * ```ts
 * await writeFilesAtomic([{ path: keyFile, content: keyPem, mode: 0o600 }, { path: certFile, content: certPem, mode: 0o644 }]);
 * ```
 */
export async function writeFilesAtomic(
  files: readonly { path: string; content: string; mode: number }[],
): Promise<void> {
  const staged: { temp: string; path: string }[] = [];
  let current = '';
  try {
    for (const { path, content, mode } of files) {
      current = path;
      const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      const handle = await open(temp, 'wx', mode);
      staged.push({ temp, path });
      try {
        await handle.writeFile(content, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await chmod(temp, mode);
    }
    for (const { temp, path } of staged) {
      current = path;
      await rename(temp, path);
    }
  } catch (e) {
    for (const { temp } of staged) await rm(temp, { force: true });
    throw dataDirError(`cannot write ${current}`, e);
  }
}

/**
 * Creates `path` with `content` and exactly `mode` only if it does not exist, atomically: the
 * content is complete before the name appears (a temporary file, then a hard link, which fails when
 * the name is taken). Returns whether this call created it; `false` means another process (or an
 * earlier start) did, and its file is left untouched.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` when the folder cannot be written.
 * @example
 * ```ts
 * if (!(await createFileOnce(file, `${randomToken()}\n`, 0o600))) token = await readFile(file, 'utf8');
 * ```
 */
export async function createFileOnce(
  path: string,
  content: string,
  mode: number,
): Promise<boolean> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeNew(temp, content, mode);
    try {
      await link(temp, path);
    } catch (e) {
      // A file system without hard links: an exclusive create (readers may see it empty briefly).
      if (!NO_LINKS.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
      await writeNew(path, content, mode);
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw dataDirError(`cannot create ${path}`, e);
  } finally {
    await rm(temp, { force: true });
  }
}

/** Creates `path` (failing with EEXIST when taken) holding `content`, with exactly `mode`, synced. */
async function writeNew(path: string, content: string, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Errors of `link` on file systems without hard links. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);
