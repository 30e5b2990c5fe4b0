/** Runs the `psso-wstrust` CLI from source in its own process (asynchronously). */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

/** What a CLI run gave. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** How long a CLI run may take before it is killed (a hung child must fail its test, not CI). */
export const CLI_TIMEOUT_MS = 120_000;

/** `psso-wstrust ...args` with `stdin`, colours off; killed (SIGKILL) after `timeoutMs`. */
export async function runCli(
  args: readonly string[],
  stdin = '',
  timeoutMs = CLI_TIMEOUT_MS,
): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
  });
  child.stdin.end(stdin);
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}
