/**
 * Reading a HAR trace back (`check --from-trace`): size-limited, every field checked, the
 * exchanges rebuilt exactly as {@link toHar} wrote them (and, from `log._pssoCheck`, the report
 * that was judged). A HAR written by a browser is accepted too: its entries' steps are inferred.
 * Every refusal is a {@link CheckError} `PSSO_ERR_CHECK_TRACE` naming the field, never the bytes.
 *
 * @module
 */
import { CheckError } from '../errors.js';
import {
  CHECK_STEPS,
  type CheckReport,
  type CheckStep,
  type RecordedExchange,
  type RuleResult,
} from './report.js';

/** Limits of {@link fromHar}. */
export interface FromHarOptions {
  /** Default 32 MiB. */
  readonly maxBytes?: number;
  /** Default 1000. */
  readonly maxEntries?: number;
}

/** What a trace holds. */
export interface TraceContents {
  readonly exchanges: RecordedExchange[];
  /** The original report's target, when the trace was written from a report. */
  readonly target?: CheckReport['target'];
  /** The original report (its rules as judged then), when the trace was written from a report. */
  readonly report?: CheckReport;
}

const STATUSES = ['pass', 'warn', 'fail', 'skipped'] as const;

type Obj = Record<string, unknown>;

/**
 * Parses and validates a HAR 1.2 trace.
 *
 * @throws {CheckError} `PSSO_ERR_CHECK_TRACE` when it is too large, not JSON, or not a HAR log.
 *
 * @example
 * ```ts
 * const { exchanges, report } = fromHar(await readFile('trace.har', 'utf8'));
 * ```
 */
export function fromHar(text: string | Uint8Array, options: FromHarOptions = {}): TraceContents {
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const maxEntries = options.maxEntries ?? 1000;
  if (typeof text !== 'string' && !(text instanceof Uint8Array)) {
    throw new TypeError('fromHar: text must be a string or a Uint8Array');
  }
  const size = typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : text.byteLength;
  if (size > maxBytes) fail(`the trace is larger than ${maxBytes} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'));
  } catch {
    fail('the trace is not JSON');
  }
  const log = obj(obj(doc, 'the trace').log, 'log');
  const version = str(log.version, 'log.version');
  if (!/^1\.[12]$/.test(version)) fail('log.version is not 1.1 or 1.2');
  obj(log.creator, 'log.creator');
  const entries = arr(log.entries, 'log.entries');
  if (entries.length > maxEntries) fail(`log.entries has more than ${maxEntries} entries`);
  const exchanges = entries.map((e, i) => toExchange(e, i));
  if (log._pssoCheck === undefined) return { exchanges };
  const report = toReport(log._pssoCheck, exchanges);
  return { exchanges, target: report.target, report };
}

function toExchange(value: unknown, position: number): RecordedExchange {
  const at = `log.entries[${position}]`;
  const e = obj(value, at);
  const startedAt = str(e.startedDateTime, `${at}.startedDateTime`);
  if (Number.isNaN(Date.parse(startedAt))) fail(`${at}.startedDateTime is not a date`);
  const durationMs = num(e.time, `${at}.time`);
  const req = obj(e.request, `${at}.request`);
  const url = str(req.url, `${at}.request.url`);
  const reqBody =
    req.postData === undefined
      ? undefined
      : optStr(obj(req.postData, `${at}.request.postData`).text, `${at}.request.postData.text`);
  const res = obj(e.response, `${at}.response`);
  const status = num(res.status, `${at}.response.status`);
  if (!Number.isInteger(status) || status < 0 || status > 999) {
    fail(`${at}.response.status is not an HTTP status`);
  }
  const request = {
    method: str(req.method, `${at}.request.method`),
    url,
    headers: headers(req.headers, `${at}.request.headers`),
    ...(reqBody === undefined ? {} : { body: reqBody }),
  };
  let response: RecordedExchange['response'];
  if (status !== 0 && res._noResponse !== true) {
    const content = obj(res.content, `${at}.response.content`);
    let body = optStr(content.text, `${at}.response.content.text`);
    if (body !== undefined && content.encoding === 'base64') {
      body = Buffer.from(body, 'base64').toString('utf8');
    }
    response = {
      status,
      headers: headers(res.headers, `${at}.response.headers`),
      ...(body === undefined ? {} : { body }),
    };
  }
  const index = e._index === undefined ? position : num(e._index, `${at}._index`);
  if (!Number.isInteger(index) || index < 0) fail(`${at}._index is not an index`);
  const step =
    e._step === undefined
      ? inferStep(url, request.body)
      : oneOf(e._step, CHECK_STEPS, `${at}._step`);
  const redacted = e._redacted === undefined ? false : bool(e._redacted, `${at}._redacted`);
  const out: RecordedExchange = {
    index,
    step,
    startedAt,
    durationMs,
    request,
    ...(response === undefined ? {} : { response }),
    ...(e._tls === undefined ? {} : { tls: tls(e._tls, `${at}._tls`) }),
    ...(e._error === undefined ? {} : { error: error(e._error, `${at}._error`) }),
    redacted,
  };
  return out;
}

/** The step of an entry a browser recorded, from its URL and body. */
function inferStep(url: string, body: string | undefined): CheckStep {
  const lower = url.toLowerCase();
  if (lower.includes('/psso/nonce') || /grant_type=srv_challenge/.test(body ?? '')) {
    return 'psso-nonce';
  }
  if (lower.includes('userrealm')) return 'realm';
  if (lower.includes('/mex')) return 'mex';
  if ((body ?? '').includes('RequestSecurityToken')) return 'rst';
  return 'psso-token';
}

function tls(value: unknown, at: string): NonNullable<RecordedExchange['tls']> {
  const t = obj(value, at);
  const out: Obj = { authorized: bool(t.authorized, `${at}.authorized`) };
  for (const k of ['protocol', 'peerSubject', 'peerIssuer', 'validTo', 'authorizationError']) {
    const v = optStr(t[k], `${at}.${k}`);
    if (v !== undefined) out[k] = v;
  }
  return out as unknown as NonNullable<RecordedExchange['tls']>;
}

function error(value: unknown, at: string): NonNullable<RecordedExchange['error']> {
  const e = obj(value, at);
  return { code: str(e.code, `${at}.code`), message: str(e.message, `${at}.message`) };
}

function headers(value: unknown, at: string): { name: string; value: string }[] {
  return arr(value, at).map((h, i) => {
    const o = obj(h, `${at}[${i}]`);
    return { name: str(o.name, `${at}[${i}].name`), value: str(o.value, `${at}[${i}].value`) };
  });
}

function toReport(value: unknown, exchanges: RecordedExchange[]): CheckReport {
  const at = 'log._pssoCheck';
  const r = obj(value, at);
  if (r.schemaVersion !== 1) fail(`${at}.schemaVersion is not 1`);
  const tool = obj(r.tool, `${at}.tool`);
  if (tool.name !== 'psso-wstrust') fail(`${at}.tool.name is not psso-wstrust`);
  const t = obj(r.target, `${at}.target`);
  const target: Obj = {
    urn: str(t.urn, `${at}.target.urn`),
    username: str(t.username, `${at}.target.username`),
    profile: oneOf(t.profile, ['macos', 'wss11'] as const, `${at}.target.profile`),
  };
  for (const k of ['mexUrl', 'realmUrl', 'configFile']) {
    const v = optStr(t[k], `${at}.target.${k}`);
    if (v !== undefined) target[k] = v;
  }
  const s = obj(r.summary, `${at}.summary`);
  const summary = {
    pass: count(s.pass, `${at}.summary.pass`),
    warn: count(s.warn, `${at}.summary.warn`),
    fail: count(s.fail, `${at}.summary.fail`),
    skipped: count(s.skipped, `${at}.summary.skipped`),
  };
  const rules = arr(r.rules, `${at}.rules`).map((x, i) => rule(x, `${at}.rules[${i}]`));
  return {
    schemaVersion: 1,
    tool: { name: 'psso-wstrust', version: str(tool.version, `${at}.tool.version`) },
    startedAt: str(r.startedAt, `${at}.startedAt`),
    durationMs: num(r.durationMs, `${at}.durationMs`),
    target: target as unknown as CheckReport['target'],
    summary,
    ...(r.clockOffsetSeconds === undefined
      ? {}
      : { clockOffsetSeconds: num(r.clockOffsetSeconds, `${at}.clockOffsetSeconds`) }),
    rules,
    exchanges,
  };
}

function rule(value: unknown, at: string): RuleResult {
  const r = obj(value, at);
  const out: Obj = {
    id: str(r.id, `${at}.id`),
    step: oneOf(r.step, CHECK_STEPS, `${at}.step`),
    title: str(r.title, `${at}.title`),
    status: oneOf(r.status, STATUSES, `${at}.status`),
    macos: str(r.macos, `${at}.macos`),
    macosRule: bool(r.macosRule, `${at}.macosRule`),
    evidence: arr(r.evidence, `${at}.evidence`).map((n, i) => count(n, `${at}.evidence[${i}]`)),
  };
  for (const k of ['expected', 'got', 'skippedBecause']) {
    const v = optStr(r[k], `${at}.${k}`);
    if (v !== undefined) out[k] = v;
  }
  if (r.remediation !== undefined) {
    const m = obj(r.remediation, `${at}.remediation`);
    out.remediation = {
      adfs: str(m.adfs, `${at}.remediation.adfs`),
      generic: str(m.generic, `${at}.remediation.generic`),
    };
  }
  return out as unknown as RuleResult;
}

function fail(message: string): never {
  throw new CheckError('PSSO_ERR_CHECK_TRACE', `Not a usable HAR trace: ${message}`);
}

function obj(value: unknown, at: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`${at} is not an object`);
  }
  return value as Obj;
}

function arr(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) fail(`${at} is not an array`);
  return value;
}

function str(value: unknown, at: string): string {
  if (typeof value !== 'string') fail(`${at} is not a string`);
  return value;
}

function optStr(value: unknown, at: string): string | undefined {
  return value === undefined ? undefined : str(value, at);
}

function num(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${at} is not a number`);
  return value;
}

function count(value: unknown, at: string): number {
  const n = num(value, at);
  if (!Number.isInteger(n) || n < 0) fail(`${at} is not a count`);
  return n;
}

function bool(value: unknown, at: string): boolean {
  if (typeof value !== 'boolean') fail(`${at} is not a boolean`);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], at: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(`${at} is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}
