/**
 * A lock file in the data folder (`.<name>.lock`), so that processes starting at once on one
 * folder take turns (for example to generate keys). The file names its owner: process id, host
 * name, and a random token. A waiter that finds the owner gone (same host, no such process: a
 * kill -9 during first start) removes the lock at once; a lock older than 20 seconds is considered
 * abandoned too (another host on a shared folder, or a process id reused since).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { peerText } from '../peer-text.js';
import { createFileOnce, dataDirError } from './data-dir.js';

/** What a lock file holds. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
}

/** Age past which a lock is abandoned whoever holds it (key generation takes about a second). */
const STALE_LOCK_MS = 20_000;
/** How long a start waits for a lock held by a live process. */
const LOCK_WAIT_MS = 30_000;
/** Tokens of the locks this process holds now (a lock naming this pid with another token is a
 * previous process's: a container restarted after kill -9 often gets the same pid). */
const heldHere = new Set<string>();

/**
 * Runs `fn` while holding `<dir>/.<name>.lock`, so that concurrent processes on one data folder
 * take turns. A lock whose owner process is gone (on this host) is removed at once; any lock older
 * than 20 seconds is considered abandoned.
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
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(12).toString('hex'),
  };
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    if (await createFileOnce(lock, `${JSON.stringify(me)}\n`, 0o600)) {
      heldHere.add(me.token);
      break;
    }
    const held = await inspect(lock);
    if (held === undefined) continue; // released meanwhile
    if (held.stale) {
      await breakLock(lock, held.text);
      continue;
    }
    if (Date.now() > deadline) throw dataDirError(`${lock} is held by ${describe(held.owner)}`);
    await sleep(50);
  }
  try {
    return await fn();
  } finally {
    heldHere.delete(me.token);
    await release(lock, me.token);
  }
}

/** The lock's text, owner and whether it is stale; `undefined` when it no longer exists. */
async function inspect(
  lock: string,
): Promise<{ text: string; owner: LockOwner | undefined; stale: boolean } | undefined> {
  let text: string;
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(lock)).mtimeMs;
    text = await readFile(lock, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw dataDirError(`cannot read the lock ${lock}`, e);
  }
  const owner = parseOwner(text);
  const gone =
    owner !== undefined &&
    owner.host === hostname() &&
    (owner.pid === process.pid ? !heldHere.has(owner.token) : !processExists(owner.pid));
  return { text, owner, stale: gone || Date.now() - mtimeMs > STALE_LOCK_MS };
}

/**
 * Removes a stale lock without removing a live one taken meanwhile by another waiter: the lock is
 * moved aside, and deleted only if what was moved is the stale lock read before; otherwise it is
 * put back.
 */
async function breakLock(lock: string, staleText: string): Promise<void> {
  const aside = `${lock}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(lock, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw dataDirError(`cannot remove the stale lock ${lock}`, e);
  }
  try {
    const moved = await readFile(aside, 'utf8').catch(() => '');
    // A live lock taken after our read: give it back (link fails only if yet another waiter has
    // taken the name since, in which case that waiter holds the lock).
    if (moved !== staleText) await link(aside, lock).catch(() => undefined);
  } finally {
    await rm(aside, { force: true });
  }
}

/** Removes the lock if it is still ours. */
async function release(lock: string, token: string): Promise<void> {
  const text = await readFile(lock, 'utf8').catch(() => '');
  if (parseOwner(text)?.token === token) await rm(lock, { force: true });
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner> | null;
    if (
      typeof o?.pid === 'number' &&
      Number.isInteger(o.pid) &&
      o.pid > 0 &&
      typeof o.host === 'string' &&
      typeof o.token === 'string'
    )
      return { pid: o.pid, host: o.host, token: o.token };
  } catch {
    // an empty or foreign lock file: only its age tells
  }
  return undefined;
}

/** Whether a process with this id exists on this host (EPERM: it exists, owned by another user). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function describe(owner: LockOwner | undefined): string {
  return owner === undefined
    ? 'another process'
    : `process ${owner.pid} on ${peerText(owner.host, 64)}; if no IdP is starting there, delete the lock file`;
}
