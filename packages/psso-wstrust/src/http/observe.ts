/**
 * Observing the transport's exchanges, for `--verbose` and for tools that record evidence (the
 * `check` command): give {@link HttpOptions.onExchange} and {@link httpRequest} calls it once per
 * HTTP exchange (each redirect hop, each failure) with the method, URL, status, body bytes,
 * elapsed ms, the TLS version and the peer certificate's subject.
 *
 * The TLS facts come from undici's diagnostics channels: `undici:request:create` (published
 * synchronously inside `request()`, which is how an undici request is tied to our call) and
 * `undici:client:sendHeaders` (which carries the socket: `getProtocol()`,
 * `getPeerCertificate()`). The channels are subscribed to only once an observer is used.
 *
 * @example
 * ```ts
 * await httpRequest({ method: 'GET', url }, { onExchange: (e) => console.error(formatExchange(e)) });
 * // GET https://sts.example.com/adfs/services/trust/mex → 200 10240 B 85 ms TLSv1.3 CN=sts.example.com
 * ```
 *
 * @module
 */
import { subscribe } from 'node:diagnostics_channel';
import { peerText } from '../lib/peer-text.js';

/** One HTTP exchange as seen by the transport. */
export interface HttpExchange {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  /** The response status; absent when no response arrived. */
  readonly status?: number;
  /** Response body bytes read. */
  readonly bytes?: number;
  /** From the request's start to the last body byte (or the failure). */
  readonly ms: number;
  /** `TLSv1.3`, `TLSv1.2`…; absent for plain http or when no connection was made. */
  readonly tlsVersion?: string;
  /** The peer certificate's subject (`CN=sts.example.com, O=…`), sanitized. */
  readonly peerSubject?: string;
  /** The error code when the exchange failed (`PSSO_ERR_HTTP_NETWORK`…). */
  readonly error?: string;
  /** The network failure reason, when classified. */
  readonly reason?: string;
}

/** Called once per exchange; must not throw (an exception is swallowed). */
export type ExchangeObserver = (exchange: HttpExchange) => void;

/** Connection facts filled in while a request runs. */
export interface ConnectionFacts {
  tlsVersion?: string;
  peerSubject?: string;
}

let current: ConnectionFacts | undefined;
let subscribed = false;
const byRequest = new WeakMap<object, ConnectionFacts>();

interface TlsLike {
  getProtocol?: () => string | null;
  getPeerCertificate?: () => { subject?: Record<string, string | string[]> } | undefined;
}

function ensureSubscribed(): void {
  if (subscribed) return;
  subscribed = true;
  subscribe('undici:request:create', (message) => {
    const { request } = message as { request?: object };
    if (current !== undefined && request !== undefined) byRequest.set(request, current);
  });
  subscribe('undici:client:sendHeaders', (message) => {
    const { request, socket } = message as { request?: object; socket?: TlsLike };
    const facts = request === undefined ? undefined : byRequest.get(request);
    if (facts === undefined || socket === undefined) return;
    const version = socket.getProtocol?.();
    if (typeof version === 'string') facts.tlsVersion = version;
    const subject = socket.getPeerCertificate?.()?.subject;
    if (subject !== undefined && subject !== null) facts.peerSubject = formatSubject(subject);
  });
}

/**
 * Runs `start` (which must call undici's `request()` synchronously) with `facts` as the slot the
 * diagnostics subscribers fill for the undici request it creates.
 *
 * @example
 * ```ts
 * const facts: ConnectionFacts = {};
 * const pending = withConnectionFacts(facts, () => request(url, { dispatcher }));
 * await pending; facts.tlsVersion; // 'TLSv1.3'
 * ```
 */
export function withConnectionFacts<T>(facts: ConnectionFacts, start: () => T): T {
  ensureSubscribed();
  const previous = current;
  current = facts;
  try {
    return start();
  } finally {
    current = previous;
  }
}

/**
 * A distinguished name object (`{ CN: 'x', O: ['a', 'b'] }`) as `CN=x, O=a, O=b`, sanitized.
 *
 * @example
 * ```ts
 * formatSubject({ CN: 'localhost' }); // 'CN=localhost'
 * ```
 */
export function formatSubject(subject: Readonly<Record<string, string | string[]>>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(subject)) {
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${key}=${v}`);
  }
  return peerText(parts.join(', '));
}

/**
 * One line for people: `POST https://host/path → 200 1234 B 12 ms TLSv1.3 CN=host`.
 *
 * @example
 * ```ts
 * formatExchange({ method: 'GET', url: 'https://a.example/', status: 200, bytes: 5, ms: 3.2 });
 * // 'GET https://a.example/ → 200 5 B 3 ms'
 * ```
 */
export function formatExchange(e: HttpExchange): string {
  const parts = [`${e.method} ${peerText(e.url, 300)} →`];
  parts.push(e.status === undefined ? (e.error ?? 'no response') : String(e.status));
  if (e.reason !== undefined) parts.push(`(${e.reason})`);
  if (e.bytes !== undefined) parts.push(`${e.bytes} B`);
  parts.push(`${Math.round(e.ms)} ms`);
  if (e.tlsVersion !== undefined) parts.push(e.tlsVersion);
  if (e.peerSubject !== undefined) parts.push(e.peerSubject);
  return parts.join(' ');
}
