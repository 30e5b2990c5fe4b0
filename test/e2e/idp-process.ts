/** Helpers for tests that run `psso-wstrust idp --json` as a process of its own. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { IdpEndpoints } from '../../packages/idp/src/endpoints.ts';

const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

/**
 * The `--json` start line of an IdP process (its first stdout line), parsed. Rejects when the
 * process exits first, with its exit code and what `stderr()` gives (what it wrote, if collected).
 */
export function startLine<T>(child: ChildProcess, stderr: () => string = () => ''): Promise<T> {
  const { stdout } = child;
  if (stdout === null) return Promise.reject(new TypeError('the IdP process has no stdout pipe'));
  return new Promise<string>((resolve, reject) => {
    createInterface({ input: stdout }).once('line', resolve);
    child.once('exit', (code) => {
      const text = stderr();
      reject(new Error(`idp exited ${code}${text === '' ? '' : `: ${text}`}`));
    });
  }).then((line) => JSON.parse(line) as T);
}

/** The `--json` start line's fields the tests read. */
export interface StartLine {
  origin: string;
  port: number;
  mexUrl: string;
  caFile: string;
  adminTokenFile: string;
  tlsCertFile: string;
  tlsGenerated: boolean;
  endpoints: IdpEndpoints;
  dataDir: string;
  database?: string;
  demoUser: { upn: string; password?: string };
  workers?: number;
}

/** A running `psso-wstrust idp` process. */
export interface IdpProcess {
  readonly info: StartLine;
  readonly child: ChildProcess;
  /** What it wrote on stderr so far. */
  stderr(): string;
  /** SIGTERM, then waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

/**
 * `psso-wstrust idp --json --log-level error …args` in its own process, once it listens.
 *
 * @example
 * ```ts
 * const idp = await spawnIdp(['--data', dir, '--port', '0']);
 * after(() => idp.stop());
 * ```
 */
export async function spawnIdp(args: readonly string[]): Promise<IdpProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'idp', '--json', '--log-level', 'error', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-20_000);
  });
  const info = await startLine<StartLine>(child, () => stderr);
  return {
    info,
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
