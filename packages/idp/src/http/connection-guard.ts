/**
 * The connection cap. Every accepted TCP connection is tracked in one of three states: `handshake`
 * (accepted, TLS not finished: a socket that never sends a ClientHello stays here until the
 * handshake timeout), `idle` (TLS done, no request in flight: a keep-alive connection between
 * requests, or one that has not sent its first request yet) and `active` (a request in flight).
 * When a connection arrives at the cap, the guard closes the connection that has waited longest
 * in `handshake`, else the one idle the longest; only when every connection is `active` is the new
 * one refused. So a flood of silent sockets cannot keep a real client out, and sockets alone never
 * use up the descriptors the process needs. Shedding is counted in metrics and logged at most
 * once per {@link LOG_INTERVAL_MS}.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from '../log.js';
import type { ConnectionGauge, ConnectionState, Metrics } from '../metrics.js';

/** Shedding is summarised in the log at most this often. */
export const LOG_INTERVAL_MS = 10_000;

interface Tracked {
  readonly raw: Socket;
  tls?: Socket;
  state: ConnectionState | 'closed';
  /** Requests in flight. */
  requests: number;
  /** Whether a request ever arrived. */
  served: boolean;
}

/**
 * Tracks the connections of one TLS (https) server and enforces a cap.
 *
 * @example
 * ```ts
 * const guard = new ConnectionGuard(896, 10_000, metrics, log);
 * guard.attach(httpsServer);
 * // on shutdown:
 * guard.close();
 * ```
 */
export class ConnectionGuard {
  // Maps keep insertion order: the first key is the oldest (or longest idle) connection.
  readonly #handshake = new Map<Socket, Tracked>();
  readonly #idle = new Map<Socket, Tracked>();
  readonly #active = new Map<Socket, Tracked>();
  readonly #byTls = new WeakMap<Socket, Tracked>();
  readonly #pending = { handshake: 0, idle: 0, refused: 0 };
  #lastLog = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #closing = false;

  /**
   * @param max The cap.
   * @param firstRequestMs A TLS connection that has not started a request this long after its
   *   handshake is closed (Node bounds the request itself, and keep-alive idleness, but not this).
   */
  constructor(
    readonly max: number,
    private readonly firstRequestMs: number,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(max) || max < 1) throw new TypeError('max must be a positive integer');
    if (!(firstRequestMs > 0)) throw new TypeError('firstRequestMs must be positive');
    metrics.connections = () => this.gauge();
  }

  /** Open connections by state, and the cap. */
  gauge(): ConnectionGauge {
    return {
      handshake: this.#handshake.size,
      idle: this.#idle.size,
      active: this.#active.size,
      max: this.max,
    };
  }

  /** Starts tracking `server`'s connections. */
  attach(server: TlsServer): void {
    // tls.Server wraps the raw socket in its own 'connection' listener, registered before ours.
    server.on('connection', (raw: Socket) => this.#accept(raw));
    server.on('secureConnection', (tls: Socket) => this.#secure(tls));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#request(req, res));
  }

  /** Closes every connection still in `handshake` or `idle` and refuses new ones (shutdown). */
  close(): void {
    this.#closing = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushLog();
    for (const t of [...this.#handshake.values(), ...this.#idle.values()]) this.#destroy(t);
  }

  #accept(raw: Socket): void {
    if (this.#closing) {
      raw.destroy();
      return;
    }
    if (this.#open() >= this.max) {
      const victim = first(this.#handshake) ?? first(this.#idle);
      if (victim === undefined) {
        raw.destroy();
        this.metrics.connectionRefused();
        this.#note('refused');
        return;
      }
      const state = victim.state as 'handshake' | 'idle';
      this.#destroy(victim);
      this.metrics.connectionShed(state);
      this.#note(state);
    }
    const t: Tracked = { raw, state: 'handshake', requests: 0, served: false };
    this.#handshake.set(raw, t);
    raw.once('close', () => this.#forget(t));
  }

  #secure(tls: Socket): void {
    // The TLSSocket keeps the raw socket it wraps as `_parent` (not documented, stable since
    // Node 0.x); test/e2e/connections.test.ts fails if that ever changes.
    const raw = (tls as Socket & { _parent?: unknown })._parent;
    const t = raw instanceof Object ? this.#handshake.get(raw as Socket) : undefined;
    if (t === undefined) return;
    t.tls = tls;
    this.#byTls.set(tls, t);
    this.#move(t, 'idle');
    // The http server destroys a socket whose timeout fires with no other listener.
    tls.setTimeout(this.firstRequestMs);
  }

  #request(req: IncomingMessage, res: ServerResponse): void {
    const t = this.#byTls.get(req.socket);
    if (t === undefined || t.state === 'closed') return;
    // From here Node's own deadlines apply (headers, request, keep-alive between requests).
    if (!t.served) req.socket.setTimeout(0);
    t.served = true;
    t.requests++;
    this.#move(t, 'active');
    res.once('close', () => {
      t.requests--;
      if (t.requests === 0 && t.state === 'active') this.#move(t, 'idle');
    });
  }

  #open(): number {
    return this.#handshake.size + this.#idle.size + this.#active.size;
  }

  #move(t: Tracked, to: ConnectionState): void {
    this.#mapOf(t.state)?.delete(t.raw);
    t.state = to;
    this.#mapOf(to)?.set(t.raw, t);
  }

  #mapOf(state: Tracked['state']): Map<Socket, Tracked> | undefined {
    if (state === 'handshake') return this.#handshake;
    if (state === 'idle') return this.#idle;
    if (state === 'active') return this.#active;
    return undefined;
  }

  #forget(t: Tracked): void {
    this.#mapOf(t.state)?.delete(t.raw);
    t.state = 'closed';
  }

  #destroy(t: Tracked): void {
    this.#forget(t);
    t.tls?.destroy();
    t.raw.destroy();
  }

  /** Counts a shed or refused connection; logs a summary at most every LOG_INTERVAL_MS. */
  #note(kind: 'handshake' | 'idle' | 'refused'): void {
    this.#pending[kind]++;
    if (this.now() - this.#lastLog >= LOG_INTERVAL_MS) this.#flushLog();
    else if (this.#timer === undefined && !this.#closing) {
      this.#timer = setTimeout(
        () => {
          this.#timer = undefined;
          this.#flushLog();
        },
        LOG_INTERVAL_MS - (this.now() - this.#lastLog),
      );
      this.#timer.unref();
    }
  }

  #flushLog(): void {
    const p = this.#pending;
    if (p.handshake + p.idle + p.refused === 0) return;
    this.#lastLog = this.now();
    this.log.log('warn', 'http.connections.shed', {
      shedHandshake: p.handshake,
      shedIdle: p.idle,
      refused: p.refused,
      ...this.gauge(),
    });
    p.handshake = 0;
    p.idle = 0;
    p.refused = 0;
  }
}

function first(m: Map<Socket, Tracked>): Tracked | undefined {
  for (const t of m.values()) return t;
  return undefined;
}
