/**
 * A throwaway redis-server for tests: loopback only, no persistence, on a free port, stopped with
 * SIGTERM (by its watchdog, watchdog.ts, if the test process exits first). Nothing here starts
 * Redis for you otherwise.
 */
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { findExecutable, toolSkip } from './executable.ts';
import { spawnWatched, stopWatched, type Watched } from './watchdog.ts';

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
  let child: Watched | undefined = await launch(bin, port);
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

async function launch(bin: string, port: number): Promise<Watched> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const server = await spawnWatched('TERM', bin, [...args, '--dir', tmpdir()]);
  const deadline = Date.now() + 5000;
  for (;;) {
    const ready = await Promise.race([answersPing(port), server.exited]);
    if (ready) return server;
    if (Date.now() > deadline) {
      await terminate(server);
      throw new Error(
        `redis-server did not answer PING on port ${port} within 5 s:\n${server.output()}`,
      );
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

/** Stops redis-server (SIGTERM), killing it if it takes more than 5 s. */
function terminate(server: Watched): Promise<void> {
  return stopWatched(server, () => {
    try {
      process.kill(server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
}
