/**
 * Step 4: the message Timestamp (required Created, optional Expires) and the token Lifetime are
 * current within the clock skew.
 *
 * @module
 */
import { WsTrustError, type WsTrustErrorCode } from '../errors.js';
import { parseDateTime } from '../lib/time.js';
import { NS_WSSE, NS_WSU } from '../protocol/namespaces.js';
import type { XmlElement } from '../xml/dom.js';
import { childElements, textOf } from '../xml/query.js';

/** A validity window read from the response. */
export interface Window {
  readonly created: Date | undefined;
  readonly expires: Date | undefined;
}

/** The header `wsse:Security/wsu:Timestamp`, checked against `now` ± `skewMs`. */
export function checkMessageTimestamp(
  header: XmlElement | undefined,
  now: Date,
  skewMs: number,
): Window {
  const security = header === undefined ? [] : childElements(header, NS_WSSE, 'Security');
  if (security.length > 1) shape('The response has more than one wsse:Security header');
  const timestamps =
    security[0] === undefined ? [] : childElements(security[0], NS_WSU, 'Timestamp');
  if (timestamps.length > 1) shape('The response has more than one wsu:Timestamp');
  const ts = timestamps[0];
  const window = ts === undefined ? { created: undefined, expires: undefined } : readWindow(ts);
  if (window.created === undefined) {
    throw new WsTrustError(
      'PSSO_ERR_WSTRUST_TIMESTAMP_MISSING',
      'The response has no security Timestamp Created',
    );
  }
  check(
    window,
    now,
    skewMs,
    'PSSO_ERR_WSTRUST_CREATED_IN_FUTURE',
    'PSSO_ERR_WSTRUST_EXPIRED',
    'Timestamp',
  );
  return window;
}

/** The RSTR `wst:Lifetime`, when present, checked the same way. */
export function checkLifetime(
  lifetime: XmlElement | undefined,
  now: Date,
  skewMs: number,
): Window | undefined {
  if (lifetime === undefined) return undefined;
  const window = readWindow(lifetime);
  check(
    window,
    now,
    skewMs,
    'PSSO_ERR_WSTRUST_LIFETIME_NOT_YET_VALID',
    'PSSO_ERR_WSTRUST_LIFETIME_EXPIRED',
    'Lifetime',
  );
  return window;
}

function readWindow(el: XmlElement): Window {
  return { created: readTime(el, 'Created'), expires: readTime(el, 'Expires') };
}

function readTime(el: XmlElement, local: 'Created' | 'Expires'): Date | undefined {
  const found = childElements(el, NS_WSU, local);
  if (found.length > 1) shape(`More than one wsu:${local}`);
  if (found[0] === undefined) return undefined;
  const date = parseDateTime(textOf(found[0]));
  if (date === undefined) {
    throw new WsTrustError(
      'PSSO_ERR_WSTRUST_TIME_INVALID',
      `wsu:${local} is not a date-time with a time zone`,
    );
  }
  return date;
}

function check(
  window: Window,
  now: Date,
  skewMs: number,
  future: WsTrustErrorCode,
  past: WsTrustErrorCode,
  what: string,
): void {
  const t = now.getTime();
  if (
    window.created !== undefined &&
    window.expires !== undefined &&
    window.expires < window.created
  ) {
    throw new WsTrustError(
      'PSSO_ERR_WSTRUST_TIME_INVALID',
      `The ${what} expires before it is created`,
    );
  }
  if (window.created !== undefined && window.created.getTime() - t > skewMs) {
    throw new WsTrustError(
      future,
      `The ${what} Created is in the future beyond the allowed clock skew`,
      undefined,
      timeDetails(window, window.created, now, skewMs),
    );
  }
  if (window.expires !== undefined && t - window.expires.getTime() > skewMs) {
    throw new WsTrustError(
      past,
      `The ${what} expired beyond the allowed clock skew`,
      undefined,
      timeDetails(window, window.expires, now, skewMs),
    );
  }
}

/**
 * The values a time rule was judged on: the offending `value`, the window (`notBefore` =
 * Created, `notAfter` = Expires), `now`, the allowed `skewSeconds`, and `offBySeconds`: how far
 * `value` is from `now` (positive: ahead of this clock).
 */
function timeDetails(
  window: Window,
  value: Date,
  now: Date,
  skewMs: number,
): Record<string, string | number> {
  return {
    value: value.toISOString(),
    ...(window.created === undefined ? {} : { notBefore: window.created.toISOString() }),
    ...(window.expires === undefined ? {} : { notAfter: window.expires.toISOString() }),
    now: now.toISOString(),
    skewSeconds: skewMs / 1000,
    offBySeconds: Math.round((value.getTime() - now.getTime()) / 1000),
  };
}

function shape(message: string): never {
  throw new WsTrustError('PSSO_ERR_WSTRUST_RESPONSE_SHAPE', message);
}
