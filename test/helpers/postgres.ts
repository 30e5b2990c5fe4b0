/**
 * A throwaway PostgreSQL server for tests: initdb in a temporary folder, `postgres` on a free
 * loopback port with its socket in that folder, fsync off, password authentication over TCP (so
 * the URL carries a password, as in production, and the tests can check it never leaks). One
 * server per test file: `createDatabase()` gives a fresh database; `destroy()` stops the server and
 * deletes the folder; a watchdog (watchdog.ts) stops it if the test process ends first. As root
 * (postgres refuses to run as root) everything runs as the `postgres` user, the way
 * `runuser -u postgres --` would, with the folder chowned to it.
 *
 * Nothing here starts PostgreSQL for you otherwise: the binaries are looked up on PATH (`$PG_BIN`
 * first), then in `/usr/lib/postgresql/<version>/bin`. Missing, the tests skip with a clear message
 * locally and fail under `CI=true` (see executable.ts).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findExecutable, toolSkip } from './executable.ts';
import { freePort } from './redis.ts';
import { spawnWatched, stopWatched, type Watched } from './watchdog.ts';

export interface TestPostgres {
  /** `postgres://psso:<password>@127.0.0.1:<port>/postgres` (the maintenance database). */
  readonly url: string;
  readonly port: number;
  /** The superuser's password (in every URL given out). */
  readonly password: string;
  /** Creates a fresh, empty database and gives its URL. */
  createDatabase(): Promise<string>;
  /** Fast shutdown (SIGINT); the data stays. Idempotent. */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder (stopping it first if running). */
  restart(): Promise<void>;
  /** SIGSTOP to the server and every backend: it keeps its sockets and answers nothing. */
  pause(): void;
  /** SIGCONT after {@link TestPostgres.pause}. */
  resume(): void;
  /** Stops the server and deletes its folder. Idempotent. */
  destroy(): Promise<void>;
}

const BINARIES = ['initdb', 'postgres'] as const;

/**
 * The folder holding initdb and postgres, or undefined: `$PG_BIN`, then PATH, then
 * `<debianRoot>/<version>/bin` (newest first).
 */
export function postgresBinDir(debianRoot = '/usr/lib/postgresql'): string | undefined {
  const explicit = process.env.PG_BIN;
  const dirs = [...(explicit === undefined ? [] : [explicit]), ...debianBinDirs(debianRoot)];
  const initdb = findExecutable(
    dirs.map((d) => join(d, 'initdb')),
    ['initdb'],
  );
  if (initdb === undefined) return undefined;
  const dir = initdb.slice(0, initdb.lastIndexOf('/'));
  return findExecutable([join(dir, 'postgres')], []) === undefined ? undefined : dir;
}

/** `<root>/<version>/bin`, newest first. */
function debianBinDirs(root: string): string[] {
  try {
    return readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a))
      .map((v) => join(root, v, 'bin'));
  } catch {
    return [];
  }
}

/**
 * `false` when PostgreSQL can be used; otherwise the reason to give node:test's `skip`. Under CI
 * (`CI=true`) missing binaries are a failure, not a skip.
 */
export function postgresSkip(debianRoot?: string): string | false {
  return toolSkip(postgresBinDir(debianRoot), {
    name: `PostgreSQL (${BINARIES.join(', ')})`,
    install: 'apt-get install postgresql',
    skipped: 'skipping the PostgreSQL tests',
  });
}

/** The uid and gid to run as: the `postgres` user when this process is root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('running as root, and there is no postgres user to run PostgreSQL as');
  }
}

/**
 * Initialises a cluster in a temporary folder and starts it on a free loopback port.
 *
 * @example
 * ```ts
 * const server = await startPostgres();
 * after(() => server.destroy());
 * const state = await openIdpState({ dataDir, database: await server.createDatabase() });
 * ```
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error('PostgreSQL is not installed');
  const owner = runAs();
  const root = mkdtempSync(join(tmpdir(), 'psso-pg-'));
  const data = join(root, 'data');
  const socket = join(root, 'socket');
  mkdirSync(socket);
  const password = randomBytes(12).toString('base64url');
  writeFileSync(join(root, 'pwfile'), `${password}\n`, { mode: 0o600 });
  if (owner !== undefined)
    for (const p of [root, socket, join(root, 'pwfile')]) chownSync(p, owner.uid, owner.gid);
  execFileSync(
    join(bin, 'initdb'),
    [
      '-D',
      data,
      '-U',
      'psso',
      '--pwfile',
      join(root, 'pwfile'),
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--no-sync',
      '--no-instructions',
      '-E',
      'UTF8',
      '--locale=C',
    ],
    { stdio: 'pipe', ...(owner ?? {}) },
  );
  const port = await freePort();
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    socket,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=300',
    '-c',
    'shared_buffers=32MB',
  ];
  const launchServer = () => launch(join(bin, 'postgres'), args, owner, port, password);
  let server: Watched | undefined = await launchServer();
  let databases = 0;
  const stop = async (): Promise<void> => {
    const current = server;
    server = undefined;
    if (current !== undefined) await terminate(current);
  };
  const url = `postgres://psso:${password}@127.0.0.1:${port}/postgres`;
  let destroyed = false;
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    await stop();
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', () => {
    if (!destroyed) rmSync(root, { recursive: true, force: true });
  });
  return {
    url,
    port,
    password,
    async createDatabase() {
      const name = `psso_${process.pid}_${++databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://psso:${password}@127.0.0.1:${port}/${name}`;
    },
    stop,
    async restart() {
      await stop();
      server = await launchServer();
    },
    pause() {
      if (server !== undefined) for (const pid of clusterPids(server.pid)) signal(pid, 'SIGSTOP');
    },
    resume() {
      if (server !== undefined) for (const pid of clusterPids(server.pid)) signal(pid, 'SIGCONT');
    },
    destroy,
  };
}

async function launch(
  bin: string,
  args: readonly string[],
  owner: { uid: number; gid: number } | undefined,
  port: number,
  password: string,
): Promise<Watched> {
  const server = await spawnWatched('INT', bin, args, owner ?? {});
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (await Promise.race([answers(port, password), server.exited])) return server;
    if (Date.now() > deadline) {
      await terminate(server);
      throw new Error(`postgres did not answer on port ${port} within 15 s:\n${server.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function answers(port: number, password: string): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'psso',
    password,
    database: 'postgres',
    connectionTimeoutMillis: 1000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The server's pid and its children's (the backends), from /proc. */
function clusterPids(postmaster: number): number[] {
  const pids = [postmaster];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Stops the server (fast shutdown), killing it and its backends if it takes more than 10 s. */
function terminate(server: Watched): Promise<void> {
  return stopWatched(
    server,
    () => {
      for (const p of clusterPids(server.pid)) signal(p, 'SIGKILL');
    },
    10_000,
  );
}
