/** Helpers for tests that run `psso-wstrust idp --json` as a process of its own. */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

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
