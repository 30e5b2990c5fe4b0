/**
 * Recording the HTTP exchanges `check` makes, around the bounded transport (no hook inside it:
 * diagnosis sits beside the flows). Each exchange is kept twice: raw, for judging, and as a
 * {@link RecordedExchange} for the report, with secrets (password, assertion, tokens, nonces, JWT
 * signatures) redacted unless `redact` is false. The TLS peer details come from a separate
 * `tls.connect` probe to each https origin (certificate subject, issuer, expiry, whether Node's
 * roots plus `--ca` trust it).
 *
 * @module
 */

import { connect, rootCertificates } from 'node:tls';
import { PssoError } from '../errors.js';
import type { HttpOptions } from '../http/options.js';
import {
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
  httpRequest,
  type RecordedResponse,
} from '../http/request.js';
import { redact as redactExchange } from './redact.js';
import type { CheckStep, RecordedExchange } from './report.js';

/** TLS details of a peer, as recorded. */
export type TlsDetails = NonNullable<RecordedExchange['tls']>;

/** One exchange as made: the raw request and response, for the judges. */
export interface RawExchange {
  readonly index: number;
  readonly step: CheckStep;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body?: string;
  };
  readonly response?: {
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
  };
  readonly tls?: TlsDetails;
  readonly error?: { readonly code: string; readonly message: string };
}

/** What {@link Recorder.send} gives back: the response, or the error, never thrown. */
export interface Sent {
  readonly exchange: RawExchange;
  readonly response?: HttpResponse;
  readonly error?: unknown;
}

/**
 * Records every exchange of a check run.
 *
 * @example
 * ```ts
 * const rec = new Recorder({ redact: true, secrets: [password] });
 * const { response } = await rec.send('mex', { method: 'GET', url: mexUrl }, http);
 * rec.recorded(); // RecordedExchange[] for the report
 * ```
 */
export class Recorder {
  readonly #raw: RawExchange[] = [];
  readonly #redact: boolean;
  readonly #secrets: string[];
  readonly #tls = new Map<string, Promise<TlsDetails | undefined>>();

  constructor(o: { redact: boolean; secrets?: readonly string[] }) {
    this.#redact = o.redact;
    this.#secrets = (o.secrets ?? []).filter((s) => s.length > 0);
  }

  /** Adds a secret to redact wherever it appears (a nonce, say). */
  addSecret(secret: string): void {
    if (secret.length > 0) this.#secrets.push(secret);
  }

  /**
   * A transport for `HttpOptions.transport` that records each exchange under `step`: the
   * library's own request functions (`mexRequest`, `securityTokenRequest`, …) then send through
   * the recorder. It returns the response, or throws the transport's error, as the bounded
   * transport does.
   *
   * @example
   * ```ts
   * const response = await mexRequest(mexUrl, { ...http, transport: rec.transport('mex') });
   * ```
   */
  transport(step: CheckStep): HttpTransport {
    return async (req, options) => {
      const sent = await this.send(step, req, options);
      if (sent.response === undefined) throw sent.error;
      return sent.response;
    };
  }

  /** Makes the request through the bounded transport and records it. Never throws. */
  async send(step: CheckStep, req: HttpRequest, options: HttpOptions): Promise<Sent> {
    const url = String(req.url);
    const tls = this.#probe(url, options);
    const startedAt = new Date();
    const t0 = performance.now();
    let response: HttpResponse | undefined;
    let error: unknown;
    try {
      response = await httpRequest(req, options);
    } catch (e) {
      error = e;
    }
    const durationMs = Math.round((performance.now() - t0) * 10) / 10;
    const peer = await tls;
    const exchange: RawExchange = {
      index: this.#raw.length,
      step,
      startedAt,
      durationMs,
      request: {
        method: req.method,
        url,
        headers: { ...(req.headers ?? {}) },
        ...(req.body === undefined ? {} : { body: Buffer.from(req.body).toString('utf8') }),
      },
      ...(response === undefined
        ? {}
        : {
            response: {
              status: response.status,
              headers: response.headers,
              body: Buffer.from(response.body).toString('utf8'),
            },
          }),
      ...(peer === undefined ? {} : { tls: peer }),
      ...(error === undefined ? {} : { error: errorOf(error) }),
    };
    this.#raw.push(exchange);
    return { exchange, ...(response === undefined ? {} : { response }), error };
  }

  /** The raw exchanges, for the judges. */
  raw(): readonly RawExchange[] {
    return this.#raw;
  }

  /** The exchanges as the report holds them (redacted unless told not to). */
  recorded(): RecordedExchange[] {
    return this.#raw.map((x) => toRecorded(x, this.#redact, this.#secrets));
  }

  #probe(url: string, options: HttpOptions): Promise<TlsDetails | undefined> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return Promise.resolve(undefined);
    }
    if (u.protocol !== 'https:') return Promise.resolve(undefined);
    const key = u.host;
    let p = this.#tls.get(key);
    if (p === undefined) {
      p = probeTls(u, options);
      this.#tls.set(key, p);
    }
    return p;
  }
}

/**
 * Connects to `url`'s host with TLS (verification reported, not enforced) and reads the peer's
 * certificate: what the request's own connection saw, from the same trust store.
 *
 * @example
 * ```ts
 * const tls = await probeTls(new URL('https://sts.example.com/'), { timeoutMs: 5000 });
 * tls?.authorized; // true when Node's roots (plus --ca) trust the chain
 * ```
 */
export function probeTls(url: URL, options: HttpOptions): Promise<TlsDetails | undefined> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? 443 : Number(url.port);
  const extra = options.ca === undefined ? [] : caList(options.ca);
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port,
      ...(/^[\d.:]+$/.test(host) ? {} : { servername: host }),
      rejectUnauthorized: false,
      ...(extra.length === 0 ? {} : { ca: [...rootCertificates, ...extra] }),
    });
    const timer = setTimeout(() => finish(undefined), options.timeoutMs ?? 30_000);
    const onAbort = () => finish(undefined);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted === true) onAbort();
    function finish(v: TlsDetails | undefined): void {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(v);
    }
    socket.once('error', () => finish(undefined));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const reason = socket.authorizationError as unknown;
      const validTo = cert.valid_to === undefined ? undefined : new Date(cert.valid_to);
      finish({
        ...(socket.getProtocol() === null ? {} : { protocol: socket.getProtocol() as string }),
        ...(cert.subject === undefined ? {} : { peerSubject: dn(cert.subject) }),
        ...(cert.issuer === undefined ? {} : { peerIssuer: dn(cert.issuer) }),
        ...(validTo === undefined || Number.isNaN(validTo.getTime())
          ? {}
          : { validTo: validTo.toISOString() }),
        authorized: socket.authorized,
        ...(reason === null || reason === undefined
          ? {}
          : {
              authorizationError:
                typeof reason === 'string' ? reason : String((reason as Error).message ?? reason),
            }),
      });
    });
  });
}

/**
 * The response of a recorded exchange as a `process…Response` function reads it, or `undefined`
 * when the exchange got none.
 *
 * @example
 * ```ts
 * const r = recordedResponse(exchange);
 * if (r !== undefined) processNonceResponse(r, config);
 * ```
 */
export function recordedResponse(x: RawExchange): RecordedResponse | undefined {
  const r = x.response;
  return r === undefined
    ? undefined
    : { status: r.status, headers: r.headers, body: Buffer.from(r.body, 'utf8') };
}

/**
 * The raw form of a recorded exchange (for judging a saved trace again, `check --from-trace`):
 * bodies as recorded (a redacted trace judges what is left; the assertion rules then skip).
 *
 * @example
 * ```ts
 * grade({ exchanges: report.exchanges.map(rawFromRecorded), urn });
 * ```
 */
export function rawFromRecorded(x: RecordedExchange): RawExchange {
  const headers = (list: readonly { name: string; value: string }[]) => {
    const out: Record<string, string> = {};
    for (const h of list) {
      const k = h.name.toLowerCase();
      out[k] = out[k] === undefined ? h.value : `${out[k]}, ${h.value}`;
    }
    return out;
  };
  return {
    index: x.index,
    step: x.step,
    startedAt: new Date(x.startedAt),
    durationMs: x.durationMs,
    request: {
      method: x.request.method,
      url: x.request.url,
      headers: headers(x.request.headers),
      ...(x.request.body === undefined ? {} : { body: x.request.body }),
    },
    ...(x.response === undefined
      ? {}
      : {
          response: {
            status: x.response.status,
            headers: headers(x.response.headers),
            body: x.response.body ?? '',
          },
        }),
    ...(x.tls === undefined ? {} : { tls: x.tls }),
    ...(x.error === undefined ? {} : { error: x.error }),
  };
}

function dn(name: Readonly<Record<string, string | string[] | undefined>>): string {
  return Object.entries(name)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

function caList(ca: NonNullable<HttpOptions['ca']>): string[] {
  const list = typeof ca === 'string' || ca instanceof Uint8Array ? [ca] : [...ca];
  return list.map((c) => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8')));
}

function errorOf(error: unknown): { code: string; message: string } {
  if (error instanceof PssoError) {
    const e = error;
    const cause = (e as { cause?: unknown }).cause;
    const causeCode =
      typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
    return { code: e.code, message: causeCode === '' ? e.message : `${e.message} (${causeCode})` };
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return { code: 'DEADLINE', message: 'The deadline of the whole check passed before an answer' };
  if (error instanceof Error) return { code: error.name, message: error.message };
  return { code: 'ERROR', message: 'The request failed' };
}

function headersOf(h: Readonly<Record<string, string>>) {
  return Object.entries(h).map(([name, value]) => ({ name, value }));
}

/** The exchange as recorded, redacted (by {@link redactExchange}, as the trace is) unless asked not to. */
function toRecorded(x: RawExchange, redact: boolean, secrets: readonly string[]): RecordedExchange {
  const body = (b: string | undefined) => (b === undefined ? {} : { body: b });
  const plain: RecordedExchange = {
    index: x.index,
    step: x.step,
    startedAt: x.startedAt.toISOString(),
    durationMs: x.durationMs,
    request: {
      method: x.request.method,
      url: x.request.url,
      headers: headersOf(x.request.headers),
      ...body(x.request.body),
    },
    ...(x.response === undefined
      ? {}
      : {
          response: {
            status: x.response.status,
            headers: headersOf(x.response.headers),
            ...body(x.response.body),
          },
        }),
    ...(x.tls === undefined ? {} : { tls: x.tls }),
    ...(x.error === undefined ? {} : { error: x.error }),
    redacted: false,
  };
  return redact ? redactExchange(plain, { secrets }) : plain;
}
