/**
 * Headless Chromium for tests of the HTML report: found at `$CHROMIUM`, `/usr/bin/chromium` or on
 * PATH; skipped with a clear message locally when absent, a failure under `CI=true` (`.ci/run`
 * installs Debian's `chromium`). Every run gets a fresh profile folder, no network features, and
 * is killed (its whole process group) past its time limit.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findExecutable, toolSkip } from './executable.ts';

/** Path of chromium, or undefined. */
export function chromiumPath(): string | undefined {
  return findExecutable(
    [process.env.CHROMIUM, '/usr/bin/chromium'],
    ['chromium', 'chromium-browser'],
  );
}

/**
 * `false` when chromium can be used; otherwise the reason to give node:test's `skip`.
 * Under CI (`CI=true`) a missing chromium is a failure, not a skip.
 */
export function chromiumSkip(): string | false {
  return toolSkip(chromiumPath(), {
    name: 'chromium',
    install: 'apt-get install chromium, or set CHROMIUM',
    skipped: 'the browser test did NOT run',
  });
}

/** What a chromium run gave. */
export interface ChromiumRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The page's console messages (CSP violations and uncaught errors included). */
  readonly console: string[];
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--enable-logging=stderr',
  '--v=0',
];

/** Runs headless chromium on a local file with extra `args`; rejects past `timeoutMs`. */
export async function runChromium(
  file: string,
  args: readonly string[],
  timeoutMs = 20_000,
): Promise<ChromiumRun> {
  const bin = chromiumPath();
  if (bin === undefined) throw new Error('chromium is not installed');
  const profile = mkdtempSync(join(tmpdir(), 'psso-chromium-'));
  try {
    const child = spawn(
      bin,
      [...FLAGS, `--user-data-dir=${profile}`, ...args, pathToFileURL(file).href],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, timeoutMs);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c) => resolve(c));
    });
    clearTimeout(timer);
    if (timedOut) throw new Error(`chromium did not finish within ${timeoutMs} ms`);
    const console = stderr.split('\n').filter((line) => /:CONSOLE[:(]/.test(line));
    return { code, stdout, stderr, console };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The DOM chromium rendered from `file` (`--dump-dom`), and the console messages. */
export function dumpDom(file: string): Promise<ChromiumRun> {
  return runChromium(file, ['--dump-dom']);
}

/** A PNG screenshot of `file` at `width`×`height` written to `png`. */
export function screenshot(file: string, png: string, width = 1280, height = 2000) {
  return runChromium(file, [`--screenshot=${png}`, `--window-size=${width},${height}`]);
}
