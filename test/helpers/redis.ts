/**
 * A throwaway redis-server for tests: loopback only, no persistence, on a free port, stopped with
 * SIGTERM (and killed if the test process exits first). Nothing here starts Redis for you otherwise.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { findExecutable, toolSkip } from './executable.ts';

export interface TestRedis {
  /** `redis://127.0.0.1:PORT/0`. */
  readonly url: string;
  readonly port: number;
  /** SIGTERM, then waits for the process to exit. Idempotent. */
  stop(): Promise<void>;
  /** Starts it again on the same port (stopping it first if running); resolves once it answers PING. */
  restart(): Promise<void>;
  /** SIGSTOP: the server keeps its sockets but answers nothing (a hung Redis). */
  pause(): void;
  /** SIGCONT after {@link TestRedis.pause}. */
  resume(): void;
}

/** Path of redis-server (`$REDIS_SERVER`, else the first on PATH), or undefined. */
export function redisServerPath(): string | undefined {
  return findExecutable([process.env.REDIS_SERVER], ['redis-server']);
}

/**
 * `false` when redis-server can be used; otherwise the reason to give node:test's `skip`.
 * Under CI (`CI=true`) a missing redis-server is a failure, not a skip.
 */
export function redisSkip(): string | false {
  return toolSkip(redisServerPath(), {
    name: 'redis-server',
    install: 'apt-get install redis-server',
    skipped: 'skipping the Redis tests',
  });
}

/** A free loopback port: listen on port 0, read the number, close. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * redis-server runs under a small sh watchdog, so it never outlives this process: when the
 * watchdog's stdin reaches end of file (stop(), or this process ending in any way, SIGKILL
 * included), it sends redis-server SIGTERM (and SIGCONT, in case it was paused); when redis-server
 * exits, so does the watchdog. fd 3 carries redis-server's pid.
 */
const WATCHDOG = `
exec 4<&0
"$@" 3>&- 4<&- </dev/null &
pid=$!
echo "$pid" >&3
exec 3>&-
( while read -r _; do :; done; kill -TERM "$pid"; kill -CONT "$pid" ) <&4 2>/dev/null &
watcher=$!
exec 4<&- 0</dev/null
wait "$pid"
status=$?
kill "$watcher" 2>/dev/null
exit "$status"
`;

interface Server {
  readonly watchdog: ChildProcess;
  readonly pid: number;
}

/**
 * Starts redis-server on a free loopback port and waits until it answers PING.
 *
 * @example
 * ```ts
 * const redis = await startRedis();
 * after(() => redis.stop());
 * const cache = new RedisReplayCache(redis.url);
 * ```
 */
export async function startRedis(): Promise<TestRedis> {
  const bin = redisServerPath();
  if (bin === undefined) throw new Error('redis-server is not installed');
  const port = await freePort();
  let child: Server | undefined = await launch(bin, port);
  const stop = async (): Promise<void> => {
    const current = child;
    child = undefined;
    if (current !== undefined) await terminate(current);
  };
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    stop,
    async restart() {
      await stop();
      child = await launch(bin, port);
    },
    pause() {
      if (child !== undefined) process.kill(child.pid, 'SIGSTOP');
    },
    resume() {
      if (child !== undefined) process.kill(child.pid, 'SIGCONT');
    },
  };
}

async function launch(bin: string, port: number): Promise<Server> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG, 'sh', bin, ...args, '--dir', tmpdir()], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  watchdog.stdout?.on('data', keep);
  watchdog.stderr?.on('data', keep);
  const exited = new Promise<never>((_, reject) => {
    watchdog.once('exit', (code, signal) => {
      reject(new Error(`redis-server exited (${code ?? signal}) before answering:\n${output}`));
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
  const server = { watchdog, pid: Number.parseInt(pidText, 10) };
  const deadline = Date.now() + 5000;
  for (;;) {
    const ready = await Promise.race([answersPing(port), exited]);
    if (ready) return server;
    if (Date.now() > deadline) {
      await terminate(server);
      throw new Error(`redis-server did not answer PING on port ${port} within 5 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** Closes the watchdog's stdin (it then stops redis-server) and waits for both to exit. */
async function terminate(server: Server): Promise<void> {
  const { watchdog, pid } = server;
  if (watchdog.exitCode !== null || watchdog.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));
  watchdog.stdin?.end();
  const timer = setTimeout(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}
