/**
 * One ioredis connection set up for a store that fails closed: no offline queue, no command
 * retried across a reconnect, short timeouts, an `'error'` listener always attached, and a
 * reconnection loop that never gives up, so the store recovers by itself when Redis comes back.
 *
 * @module
 */
import { Redis } from 'ioredis';
import { IdpError } from 'psso-wstrust';
import type { Logger } from '../../log.js';

/** Options shared by the Redis-backed stores. */
export interface RedisStoreOptions {
  /** Where errors and recoveries are logged (default: nowhere). Never given the URL's password. */
  readonly logger?: Logger;
  /** Prepended to every key (default `'psso:'`); the store adds `replay:` or `lockout:`. */
  readonly keyPrefix?: string;
  /** TCP connect plus handshake limit, ms (default 1000). */
  readonly connectTimeoutMs?: number;
  /** Limit on one command's reply, ms (default 1000). */
  readonly commandTimeoutMs?: number;
  /** Longest pause between reconnection attempts, ms (default 2000; attempt n waits min(100 n, this)). */
  readonly maxReconnectDelayMs?: number;
}

const noLogger: Logger = { log() {} };

function unavailable(message: string, cause?: unknown): IdpError {
  return new IdpError(
    'PSSO_ERR_IDP_STORE_UNAVAILABLE',
    message,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * A fail-fast ioredis client and the rule that any failure is `PSSO_ERR_IDP_STORE_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const conn = new RedisConnection('redis://127.0.0.1:6379/0', {}, 'replay');
 * const reply = await conn.run('SET', (redis) => redis.set('k', '1', 'PX', 1000, 'NX'));
 * await conn.close();
 * ```
 */
export class RedisConnection {
  /** The ioredis client (for the stores' commands; callers go through {@link RedisConnection.run}). */
  readonly client: Redis;
  readonly #log: Logger;
  readonly #store: string;
  readonly #target: string;
  readonly #timeoutMs: number;
  #pending: Promise<void> | undefined;
  #reported = false;
  #closed = false;
  /** Aborted by {@link RedisConnection.close}: waits for readiness end at once. */
  readonly #closing = new AbortController();

  /**
   * @param url - `redis://[user:password@]host:port/db` or `rediss://…`.
   * @param store - a name for logs (`replay`, `lockout`).
   * @throws {TypeError} for a URL that is not `redis:` or `rediss:`.
   */
  constructor(url: string, options: RedisStoreOptions, store: string) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TypeError('the Redis URL is not a URL');
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new TypeError('the Redis URL must start with redis:// or rediss://');
    }
    this.#log = options.logger ?? noLogger;
    this.#store = store;
    this.#target = parsed.host;
    this.#timeoutMs = options.commandTimeoutMs ?? 1000;
    const maxDelay = options.maxReconnectDelayMs ?? 2000;
    this.client = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      connectTimeout: options.connectTimeoutMs ?? 1000,
      commandTimeout: this.#timeoutMs,
      // A server that stops answering (hung, paused, half-open link) gets its socket dropped, so the
      // following calls fail at once while reconnecting instead of each waiting commandTimeout.
      socketTimeout: this.#timeoutMs,
      retryStrategy: (attempt: number) => Math.min(attempt * 100, maxDelay),
      reconnectOnError: null,
      connectionName: `psso-idp-${store}`,
      // CLIENT SETINFO needs Redis 7.2; skip the round trip (its failure would be ignored anyway).
      disableClientInfo: true,
    });
    this.client.on('error', (err: Error) => {
      // One warning per outage: the reconnection loop emits an error at every attempt.
      const level = this.#reported ? 'debug' : 'warn';
      this.#reported = true;
      this.#log.log(level, 'replay.redis.error', {
        store,
        target: this.#target,
        error: err.message,
      });
    });
    this.client.on('ready', () => {
      if (this.#reported)
        this.#log.log('info', 'replay.redis.recovered', { store, target: this.#target });
      this.#reported = false;
    });
  }

  /** ioredis's connection status (`ready` when commands can be sent). */
  get status(): string {
    return this.client.status;
  }

  /**
   * Runs `op` if the connection is usable, mapping every failure to
   * `PSSO_ERR_IDP_STORE_UNAVAILABLE`. Waits (at most `commandTimeoutMs`) for a connection under way;
   * while reconnecting after a loss, fails at once.
   *
   * @example
   * ```ts
   * const pong = await conn.run('PING', (redis) => redis.ping());
   * ```
   */
  async run<T>(what: string, op: (client: Redis) => Promise<T>): Promise<T> {
    await this.#whenUsable();
    try {
      return await op(this.client);
    } catch (err) {
      this.#log.log('warn', 'replay.redis.command_failed', {
        store: this.#store,
        command: what,
        error: err instanceof Error ? err.message : String(err),
      });
      throw unavailable(`the ${this.#store} store (Redis) did not answer ${what}`, err);
    }
  }

  /**
   * Waits until the connection is ready, through any number of reconnection attempts.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` if it is not ready within `timeoutMs`.
   *
   * @example
   * ```ts
   * await conn.waitUntilReady(5000);
   * ```
   */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    if (this.client.status === 'ready') return;
    if (this.#closed) throw unavailable(`the ${this.#store} store is closed`);
    await this.#wait(timeoutMs, ['end']);
  }

  /**
   * Closes the connection (QUIT when connected) and stops reconnecting. Idempotent.
   *
   * @example
   * ```ts
   * await conn.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
      } catch {
        // Closing anyway.
      }
    }
    const status = this.client.status;
    if (status === 'reconnecting' || status === 'close' || status === 'end') {
      // No socket: disconnect() only cancels the pending reconnection (no 'end' follows).
      this.client.disconnect();
    } else {
      const ended = this.#wait(this.#timeoutMs, []).catch(() => undefined);
      this.client.disconnect();
      await ended;
    }
  }

  async #whenUsable(): Promise<void> {
    const status = this.client.status;
    if (status === 'ready') return;
    if (this.#closed || status === 'end') throw unavailable(`the ${this.#store} store is closed`);
    if (status === 'reconnecting' || status === 'close') {
      throw unavailable(`the ${this.#store} store (Redis) is unreachable; reconnecting`);
    }
    // 'wait', 'connecting' or 'connect': a connection is under way; one shared wait for it.
    this.#pending ??= this.#wait(this.#timeoutMs, ['close', 'end']).finally(() => {
      this.#pending = undefined;
    });
    await this.#pending;
  }

  /**
   * Resolves on `ready` (or on `end` when closing), rejects on a `failOn` event, the timeout, or
   * (unless closing) {@link RedisConnection.close}.
   */
  #wait(timeoutMs: number, failOn: readonly string[]): Promise<void> {
    const closing = failOn.length === 0;
    const signal = this.#closing.signal;
    return new Promise<void>((resolve, reject) => {
      const settle = (err?: IdpError): void => {
        clearTimeout(timer);
        this.client.off(closing ? 'end' : 'ready', onDone);
        for (const event of failOn) this.client.off(event, onFail);
        signal.removeEventListener('abort', onClosed);
        if (err === undefined) resolve();
        else reject(err);
      };
      const onDone = (): void => settle();
      const onFail = (): void =>
        settle(unavailable(`the ${this.#store} store (Redis) could not connect`));
      const onClosed = (): void => settle(unavailable(`the ${this.#store} store is closed`));
      if (!closing) signal.addEventListener('abort', onClosed);
      const timer = setTimeout(
        () =>
          settle(unavailable(`the ${this.#store} store (Redis) was not ready in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.client.on(closing ? 'end' : 'ready', onDone);
      for (const event of failOn) this.client.on(event, onFail);
    });
  }

  /** Whether Redis answers PING now. Never throws. */
  async ping(): Promise<boolean> {
    try {
      return (await this.run('PING', (redis) => redis.ping())) === 'PONG';
    } catch {
      return false;
    }
  }
}
