/**
 * Redaction of a recorded HTTP exchange before it is written to a trace: passwords, nonces,
 * tokens, assertions' signatures and cipher values, JWT signatures, credentials in headers and
 * query strings are replaced by {@link REDACTED}.
 *
 * Bodies are redacted by structure, not by pattern: XML with the project's parser (every element
 * whose local name carries a secret, whatever its prefix or namespace, its content replaced at the
 * source offsets), JSON by walking the value, forms field by field, JWTs by decoding the payload
 * (its secret claims redacted too) and dropping the signature. A body that claims a structure and
 * does not parse falls back to element-aware patterns; whatever cannot be redacted with certainty
 * is dropped whole. A SAML assertion stays readable (issuer, audience, claims, signing
 * certificate) but its `SignatureValue` is gone: it can no longer be presented anywhere.
 *
 * @module
 */

import { REDACTED, redactXmlElements } from './redact-xml.js';
import type { RecordedExchange, RuleResult } from './report.js';

export { REDACTED };

/** Options of {@link redact}. */
export interface RedactOptions {
  /**
   * Literal secrets known to the caller (the password): replaced wherever they occur, raw, XML-,
   * JSON-, URL- or form-encoded, as a last line of defence. Values shorter than 4 characters are
   * ignored (they would shred the trace).
   */
  readonly secrets?: readonly string[];
  /** More JSON/form/claim names to redact (the configured server-nonce claim name, …). */
  readonly extraKeys?: readonly string[];
}

/** JSON, form and claim names whose value is a secret (matched case-insensitively). */
const SECRET_KEY = /(password|passwd|secret|nonce|assertion|token$|^code$|^otp$|^pin$)/i;

/** Headers that carry credentials. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

const B64URL = '[A-Za-z0-9_-]+';
const JWS = new RegExp(`^(${B64URL})\\.(${B64URL})\\.(${B64URL})$`);
const JWE = new RegExp(`^(${B64URL})\\.(${B64URL}|)\\.(${B64URL})\\.(${B64URL})\\.(${B64URL})$`);
const MARK = '\\[REDACTED\\]';
/** A JWS or JWE already redacted (so that redaction is idempotent). */
const NEUTRALISED = new RegExp(`^(${B64URL})(?:\\.(${B64URL}))?\\.${MARK}$`);
const JWT_IN_TEXT = new RegExp(`eyJ${B64URL.slice(0, -1)}*\\.${B64URL}\\.${B64URL}`, 'g');

/**
 * A copy of `exchange` with its secrets replaced by {@link REDACTED} and `redacted: true`.
 * Idempotent: redacting a redacted exchange changes nothing.
 *
 * @example
 * ```ts
 * const safe = redact(exchange, { secrets: [password] });
 * safe.request.body; // …<o:Password>[REDACTED]</o:Password>…
 * ```
 */
export function redact(exchange: RecordedExchange, options: RedactOptions = {}): RecordedExchange {
  const ctx = new Context(options);
  const { request, response } = exchange;
  const out: RecordedExchange = {
    ...exchange,
    request: {
      method: request.method,
      url: ctx.literal(redactUrl(request.url, ctx)),
      headers: redactHeaders(request.headers, ctx),
      ...(request.body === undefined
        ? {}
        : { body: ctx.literal(redactBody(request.body, contentType(request.headers), ctx)) }),
    },
    ...(response === undefined
      ? {}
      : {
          response: {
            status: response.status,
            headers: redactHeaders(response.headers, ctx),
            ...(response.body === undefined
              ? {}
              : {
                  body: ctx.literal(redactBody(response.body, contentType(response.headers), ctx)),
                }),
          },
        }),
    ...(exchange.error === undefined
      ? {}
      : {
          error: {
            code: exchange.error.code,
            message: ctx.literal(exchange.error.message),
          },
        }),
    redacted: true,
  };
  return out;
}

/**
 * Redacts one body given its media type: XML, JSON, form or text.
 *
 * @example
 * ```ts
 * redactBody('{"id_token":"a.b.c"}', 'application/json'); // '{"id_token":"a.b.[REDACTED]"}'
 * ```
 */
export function redactBody(body: string, mediaType = '', options: RedactOptions = {}): string {
  const ctx = options instanceof Context ? options : new Context(options);
  return ctx.literal(redactStructured(body, mediaType, ctx));
}

/**
 * Free text (a rule's `got`, an error message): JWTs lose their signature, known secrets go.
 *
 * @example
 * ```ts
 * redactText(`got ${jwt}`, { secrets: [password] });
 * ```
 */
export function redactText(text: string, options: RedactOptions = {}): string {
  const ctx = new Context(options);
  return ctx.literal(redactJwtsInText(text, ctx));
}

/**
 * A rule whose `expected`, `got` and `skippedBecause` went through {@link redactText} (the
 * engine already leaves secrets out; this is the last line of defence before a file is written).
 *
 * @example
 * ```ts
 * const safe = report.rules.map((r) => redactRule(r, { secrets: [password] }));
 * ```
 */
export function redactRule(rule: RuleResult, options: RedactOptions = {}): RuleResult {
  const out: { -readonly [K in keyof RuleResult]: RuleResult[K] } = { ...rule };
  if (rule.expected !== undefined) out.expected = redactText(rule.expected, options);
  if (rule.got !== undefined) out.got = redactText(rule.got, options);
  if (rule.skippedBecause !== undefined) {
    out.skippedBecause = redactText(rule.skippedBecause, options);
  }
  return out;
}

function redactStructured(body: string, mediaType: string, ctx: Context): string {
  const trimmed = body.replace(/^\uFEFF/, '').trimStart();
  const type = mediaType.toLowerCase();
  if (trimmed.startsWith('<') || /[/+]xml\b/.test(type)) return redactXmlIn(body, ctx);
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || /[/+]json\b/.test(type)) {
    return redactJsonText(body, ctx);
  }
  if (type.startsWith('application/x-www-form-urlencoded') || looksLikeForm(trimmed)) {
    return redactForm(body, ctx);
  }
  return redactJwtsInText(body, ctx);
}

class Context {
  readonly keys: RegExp;
  readonly extra: Set<string>;
  readonly secrets: string[];

  constructor(options: RedactOptions) {
    this.keys = SECRET_KEY;
    this.extra = new Set((options.extraKeys ?? []).map((k) => k.toLowerCase()));
    const forms = new Set<string>();
    for (const s of options.secrets ?? []) {
      if (typeof s !== 'string' || s.length < 4) continue;
      forms.add(s);
      forms.add(escapeXmlText(s));
      forms.add(JSON.stringify(s).slice(1, -1));
      forms.add(encodeURIComponent(s));
      forms.add(new URLSearchParams({ s }).toString().slice(2));
    }
    // Longest first, so that an encoded form is not half-replaced by a shorter one.
    this.secrets = [...forms].sort((a, b) => b.length - a.length);
  }

  isSecretKey(key: string): boolean {
    return this.keys.test(key) || this.extra.has(key.toLowerCase());
  }

  /** Replaces every known literal secret. */
  literal(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join(REDACTED);
    return out;
  }
}

function contentType(headers: RecordedExchange['request']['headers']): string {
  return headers.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? '';
}

function redactHeaders(
  headers: RecordedExchange['request']['headers'],
  ctx: Context,
): { name: string; value: string }[] {
  return headers.map(({ name, value }) => {
    if (!SECRET_HEADERS.has(name.toLowerCase())) {
      return { name, value: ctx.literal(redactJwtsInText(value, ctx)) };
    }
    if (value === REDACTED) return { name, value };
    // Keep the scheme of `Authorization: Bearer …` (diagnostic), drop the credentials.
    const scheme = /^([A-Za-z][A-Za-z0-9-]*) +\S/.exec(value);
    const lower = name.toLowerCase();
    const keepScheme = scheme !== null && lower.includes('authorization');
    return { name, value: keepScheme ? `${scheme[1]} ${REDACTED}` : REDACTED };
  });
}

function redactUrl(url: string, ctx: Context): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactJwtsInText(url, ctx);
  }
  let changed = false;
  if (parsed.password !== '') {
    parsed.password = REDACTED;
    changed = true;
  }
  if (parsed.search !== '') {
    const params = new URLSearchParams(parsed.search);
    const out = redactParams(params, ctx);
    if (out !== undefined) {
      parsed.search = out.toString();
      changed = true;
    }
  }
  return changed ? parsed.toString() : url;
}

/** The redacted parameters, or undefined when nothing changed. */
function redactParams(params: URLSearchParams, ctx: Context): URLSearchParams | undefined {
  const out = new URLSearchParams();
  let changed = false;
  for (const [key, value] of params) {
    const next = redactValue(key, value, ctx);
    if (next !== value) changed = true;
    out.append(key, next);
  }
  return changed ? out : undefined;
}

function looksLikeForm(text: string): boolean {
  return /^[A-Za-z0-9_.~%-]+=[^\s]*$/.test(text) && !text.includes('<');
}

function redactForm(body: string, ctx: Context): string {
  const out = redactParams(new URLSearchParams(body.trim()), ctx);
  return out === undefined ? body : out.toString();
}

/** A string value under `key` (JSON member, form field, claim), redacted. */
function redactValue(key: string, value: string, ctx: Context): string {
  if (value === REDACTED) return value;
  const jwt = redactJwt(value, ctx);
  if (jwt !== undefined) return jwt;
  if (ctx.isSecretKey(key)) return REDACTED;
  if (value.trimStart().startsWith('<')) return redactXmlIn(value, ctx);
  return redactJwtsInText(value, ctx);
}

/**
 * A compact JWS keeps its header and its payload (secret claims redacted) and loses its
 * signature; a JWE keeps its protected header only. Undefined when `value` is neither.
 */
function redactJwt(value: string, ctx: Context): string | undefined {
  const jws = JWS.exec(value);
  if (jws !== null && isJoseHeader(jws[1] ?? '')) {
    const payload = jws[2] ?? '';
    const claims = decodeJson(payload);
    const redactedPayload =
      claims === undefined
        ? payload
        : Buffer.from(JSON.stringify(redactJson(claims, ctx)), 'utf8').toString('base64url');
    return `${jws[1]}.${redactedPayload}.${REDACTED}`;
  }
  const done = NEUTRALISED.exec(value);
  if (done !== null && isJoseHeader(done[1] ?? '')) {
    const payload = done[2];
    if (payload === undefined) return value;
    const claims = decodeJson(payload);
    if (claims === undefined) return value;
    const again = Buffer.from(JSON.stringify(redactJson(claims, ctx)), 'utf8').toString(
      'base64url',
    );
    return `${done[1]}.${again}.${REDACTED}`;
  }
  const jwe = JWE.exec(value);
  if (jwe !== null && isJoseHeader(jwe[1] ?? '')) return `${jwe[1]}.${REDACTED}`;
  return undefined;
}

function isJoseHeader(segment: string): boolean {
  const header = decodeJson(segment);
  return typeof header === 'object' && header !== null && 'alg' in header;
}

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** JWT-looking runs inside free text (an HTML error page, a header) lose their signature. */
function redactJwtsInText(text: string, ctx: Context): string {
  return text.replace(JWT_IN_TEXT, (match) => redactJwt(match, ctx) ?? match);
}

function redactJsonText(body: string, ctx: Context): string {
  let value: unknown;
  try {
    value = JSON.parse(body) as unknown;
  } catch {
    // Not JSON after all: keep nothing that might be a secret.
    return redactUnparsedJson(body, ctx);
  }
  return JSON.stringify(redactJson(value, ctx), null, body.includes('\n') ? 2 : undefined);
}

/** Walks a JSON value: secret members replaced, JWTs neutralised, nested XML redacted. */
function redactJson(value: unknown, ctx: Context, key = ''): unknown {
  if (typeof value === 'string') return redactValue(key, value, ctx);
  if (Array.isArray(value)) return value.map((v) => redactJson(v, ctx, key));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        ctx.isSecretKey(k) && typeof v !== 'string' && v !== null
          ? REDACTED
          : redactJson(v, ctx, k);
    }
    return out;
  }
  return value;
}

/** Malformed JSON: every string after a secret-looking member name goes, JWTs lose signatures. */
function redactUnparsedJson(body: string, ctx: Context): string {
  const members = body.replace(
    /"([^"\\]{1,100})"(\s*:\s*)"(?:[^"\\]|\\.)*("|$)/g,
    (match, key: string, colon: string, close: string) =>
      ctx.isSecretKey(key) ? `"${key}"${colon}"${REDACTED}${close}` : match,
  );
  return redactJwtsInText(members, ctx);
}

/** XML, then JWTs left in its text or attributes. */
function redactXmlIn(body: string, ctx: Context): string {
  return redactJwtsInText(redactXmlElements(body), ctx);
}

function escapeXmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
