/**
 * The `check` trace as a HAR 1.2 file (http://www.softwareishard.com/blog/har-12-spec/): every
 * field the spec marks required, so browser dev tools and HAR viewers open it, plus our own
 * `_`-prefixed fields (`_index`, `_step`, `_tls`, `_error`, `_redacted`, `_noBody`) and the
 * judged rules under `log._pssoCheck`, so that {@link fromHar} (in `har-read.ts`) gives back the
 * exchanges and the report exactly.
 *
 * @module
 */
import { STATUS_CODES } from 'node:http';
import { type RedactOptions, redact, redactRule } from './redact.js';
import type { CheckReport, RecordedExchange } from './report.js';

export { type FromHarOptions, fromHar, type TraceContents } from './har-read.js';
export { REDACTED, type RedactOptions, redact, redactRule, redactText } from './redact.js';

/** Options of {@link toHar}. */
export interface ToHarOptions extends RedactOptions {
  /**
   * Keep secrets (`--trace-secrets`): the exchanges are written as recorded. Default false: every
   * exchange goes through {@link redact} first.
   */
  readonly keepSecrets?: boolean;
  /** `log.creator`; default `psso-wstrust` and the report's tool version (or `0`). */
  readonly creator?: { readonly name: string; readonly version: string };
}

/** A HAR name/value pair. */
export interface HarNameValue {
  name: string;
  value: string;
}

/** One HAR entry as we write it. */
export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    postData?: { mimeType: string; text: string };
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    content: { size: number; mimeType: string; text?: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
    _noResponse?: true;
  };
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
  serverIPAddress?: string;
  _index: number;
  _step: RecordedExchange['step'];
  _redacted: boolean;
  _tls?: RecordedExchange['tls'];
  _error?: RecordedExchange['error'];
}

/** The whole HAR document as we write it. */
export interface HarLog {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    entries: HarEntry[];
    comment?: string;
    /** The report without its exchanges (they are the entries). */
    _pssoCheck?: Omit<CheckReport, 'exchanges'>;
  };
}

/**
 * A HAR 1.2 document of `input`'s exchanges (redacted unless `keepSecrets`); given a whole
 * report, its rules and target go under `log._pssoCheck`.
 *
 * @example
 * ```ts
 * const har = toHar(report, { secrets: [password] });
 * await writeFile('trace.har', JSON.stringify(har, null, 2));
 * ```
 */
export function toHar(
  input: CheckReport | readonly RecordedExchange[],
  options: ToHarOptions = {},
): HarLog {
  const report = isReport(input) ? input : undefined;
  const exchanges =
    report === undefined ? (input as readonly RecordedExchange[]) : report.exchanges;
  if (!Array.isArray(exchanges)) throw new TypeError('toHar: expected a report or exchanges');
  const recorded =
    options.keepSecrets === true ? exchanges : exchanges.map((e) => redact(e, options));
  const log: HarLog['log'] = {
    version: '1.2',
    creator: options.creator ?? {
      name: 'psso-wstrust',
      version: report?.tool.version ?? '0',
    },
    entries: recorded.map(toEntry),
  };
  if (report !== undefined) {
    const { exchanges: _omitted, ...rest } = report;
    log._pssoCheck = structuredClone(
      options.keepSecrets === true
        ? rest
        : { ...rest, rules: rest.rules.map((r) => redactRule(r, options)) },
    );
  }
  if (recorded.some((e) => !e.redacted)) {
    log.comment =
      'WARNING: this trace holds secrets (passwords, assertions, tokens): --trace-secrets';
  }
  return { log };
}

function isReport(input: unknown): input is CheckReport {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && 'rules' in input;
}

function toEntry(e: RecordedExchange): HarEntry {
  const reqType = headerValue(e.request.headers, 'content-type');
  const res = e.response;
  const resType = res === undefined ? '' : headerValue(res.headers, 'content-type');
  const entry: HarEntry = {
    startedDateTime: e.startedAt,
    time: e.durationMs,
    request: {
      method: e.request.method,
      url: e.request.url,
      httpVersion: 'HTTP/1.1',
      cookies: cookiesOf(e.request.headers, 'cookie'),
      headers: copyHeaders(e.request.headers),
      queryString: queryOf(e.request.url),
      ...(e.request.body === undefined
        ? {}
        : { postData: { mimeType: reqType, text: e.request.body } }),
      headersSize: -1,
      bodySize: e.request.body === undefined ? 0 : Buffer.byteLength(e.request.body, 'utf8'),
    },
    response:
      res === undefined
        ? {
            // HAR has no "no response": status 0, as browsers write a failed request.
            status: 0,
            statusText: '',
            httpVersion: '',
            cookies: [],
            headers: [],
            content: { size: 0, mimeType: 'x-unknown' },
            redirectURL: '',
            headersSize: -1,
            bodySize: -1,
            _noResponse: true,
          }
        : {
            status: res.status,
            statusText: STATUS_CODES[res.status] ?? '',
            httpVersion: 'HTTP/1.1',
            cookies: [],
            headers: copyHeaders(res.headers),
            content: {
              size: res.body === undefined ? 0 : Buffer.byteLength(res.body, 'utf8'),
              mimeType: resType === '' ? 'x-unknown' : resType,
              ...(res.body === undefined ? {} : { text: res.body }),
            },
            redirectURL: headerValue(res.headers, 'location'),
            headersSize: -1,
            bodySize: res.body === undefined ? 0 : Buffer.byteLength(res.body, 'utf8'),
          },
    cache: {},
    timings: { send: 0, wait: e.durationMs, receive: 0 },
    _index: e.index,
    _step: e.step,
    _redacted: e.redacted,
  };
  if (e.tls !== undefined) entry._tls = structuredClone(e.tls);
  if (e.error !== undefined) entry._error = { code: e.error.code, message: e.error.message };
  return entry;
}

function copyHeaders(headers: readonly { name: string; value: string }[]): HarNameValue[] {
  return headers.map(({ name, value }) => ({ name, value }));
}

function headerValue(headers: readonly { name: string; value: string }[], name: string): string {
  return headers.find((h) => h.name.toLowerCase() === name)?.value ?? '';
}

function cookiesOf(headers: readonly { name: string; value: string }[], name: string) {
  const value = headerValue(headers, name);
  if (value === '') return [];
  return value
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0
        ? { name: part, value: '' }
        : { name: part.slice(0, eq), value: part.slice(eq + 1) };
    });
}

function queryOf(url: string): HarNameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}
