/**
 * A test server (redis-server, postgres) run under a small sh watchdog so it never outlives the
 * test process: when the watchdog's stdin reaches end of file (stop, or the test process ending in
 * any way, SIGKILL included), it sends the server SIGCONT (in case it was paused) and its stop
 * signal; when the server exits, so does the watchdog. fd 3 carries the server's pid.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

const WATCHDOG = `
sig=$1
shift
exec 4<&0
"$@" 3>&- 4<&- </dev/null &
pid=$!
echo "$pid" >&3
exec 3>&-
( while read -r _; do :; done; kill -CONT "$pid"; kill -"$sig" "$pid" ) <&4 2>/dev/null &
watcher=$!
exec 4<&- 0</dev/null
wait "$pid"
status=$?
kill "$watcher" 2>/dev/null
exit "$status"
`;

/** A server under its watchdog. */
export interface Watched {
  readonly watchdog: ChildProcess;
  /** The server's own pid (for signals). */
  readonly pid: number;
  /** The last 4000 characters the server wrote (stdout and stderr). */
  output(): string;
  /** Rejects when the server exits (use with Promise.race while waiting for it to answer). */
  readonly exited: Promise<never>;
}

/**
 * Starts `bin args…` under the watchdog; `stopSignal` is what it gets when the watchdog's stdin
 * closes (TERM for redis-server, INT for postgres's fast shutdown).
 *
 * @example
 * ```ts
 * const server = await spawnWatched('TERM', '/usr/bin/redis-server', ['--port', '6390']);
 * ```
 */
export async function spawnWatched(
  stopSignal: 'TERM' | 'INT',
  bin: string,
  args: readonly string[],
  options: Pick<SpawnOptions, 'uid' | 'gid'> = {},
): Promise<Watched> {
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG, 'sh', stopSignal, bin, ...args], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    ...options,
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  watchdog.stdout?.on('data', keep);
  watchdog.stderr?.on('data', keep);
  const name = bin.slice(bin.lastIndexOf('/') + 1);
  const exited = new Promise<never>((_, reject) => {
    watchdog.once('exit', (code, signal) => {
      reject(new Error(`${name} exited (${code ?? signal}) before answering:\n${output}`));
    });
    watchdog.once('error', reject);
  });
  exited.catch(() => undefined);
  const pidPipe = watchdog.stdio[3] as NodeJS.ReadableStream;
  let pidText = '';
  pidPipe.on('data', (chunk: Buffer) => {
    pidText += chunk.toString('latin1');
  });
  await Promise.race([new Promise((resolve) => pidPipe.once('end', resolve)), exited]);
  return { watchdog, pid: Number.parseInt(pidText, 10), output: () => output, exited };
}

/**
 * Closes the watchdog's stdin (it then stops the server) and waits for both to exit; `kill` runs
 * if that takes longer than `timeoutMs`.
 *
 * @example
 * ```ts
 * await stopWatched(server, () => process.kill(server.pid, 'SIGKILL'));
 * ```
 */
export async function stopWatched(
  server: Watched,
  kill: () => void,
  timeoutMs = 5000,
): Promise<void> {
  const { watchdog } = server;
  if (watchdog.exitCode !== null || watchdog.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));
  watchdog.stdin?.end();
  const timer = setTimeout(kill, timeoutMs);
  await exited;
  clearTimeout(timer);
}
