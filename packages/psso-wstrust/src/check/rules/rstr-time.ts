/**
 * Step 4 of the response, for `check`: the header Timestamp and the RSTR Lifetime read with their
 * values (the library's validator throws at the first failure and keeps no values), judged with
 * the same rule: Created no more than the skew ahead, Expires no more than the skew past.
 *
 * @module
 */
import { parseDateTime } from '../../lib/time.js';
import { NS_WSSE, NS_WSU } from '../../protocol/namespaces.js';
import type { XmlElement } from '../../xml/dom.js';
import { childElements, textOf } from '../../xml/query.js';
import type { RuleResult } from '../report.js';
import * as R from './rstr-defs.js';
import { result } from './rule.js';

export function timestampOf(header: XmlElement | undefined): {
  created?: Date;
  expires?: Date;
  error?: string;
} {
  const security = header === undefined ? [] : childElements(header, NS_WSSE, 'Security');
  if (security.length > 1) return { error: 'more than one wsse:Security header' };
  const ts = security[0] === undefined ? [] : childElements(security[0], NS_WSU, 'Timestamp');
  if (ts.length > 1) return { error: 'more than one wsu:Timestamp' };
  if (ts[0] === undefined) return {};
  return readWindow(ts[0]);
}

function readWindow(el: XmlElement): { created?: Date; expires?: Date; error?: string } {
  const out: { created?: Date; expires?: Date; error?: string } = {};
  for (const local of ['Created', 'Expires'] as const) {
    const found = childElements(el, NS_WSU, local);
    if (found.length > 1) return { error: `more than one wsu:${local}` };
    if (found[0] === undefined) continue;
    const d = parseDateTime(textOf(found[0]));
    if (d === undefined)
      return {
        error: `wsu:${local} "${textOf(found[0]).trim().slice(0, 40)}" is not a date-time with a time zone`,
      };
    out[local === 'Created' ? 'created' : 'expires'] = d;
  }
  return out;
}

function secs(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

export function judgeCreated(
  def: typeof R.TS_CREATED,
  created: Date,
  now: Date,
  skewMs: number,
  e: number[],
): RuleResult {
  const ahead = created.getTime() - now.getTime();
  return result(def, {
    status: ahead > skewMs ? 'fail' : 'pass',
    expected: `Created no later than now + ${skewMs / 1000} s (now ${now.toISOString()})`,
    got: `Created ${created.toISOString()} (${ahead >= 0 ? `${secs(ahead)} ahead of` : `${secs(-ahead)} behind`} this machine)`,
    evidence: e,
  });
}

export function judgeExpires(
  def: typeof R.TS_EXPIRES,
  expires: Date | undefined,
  now: Date,
  skewMs: number,
  e: number[],
): RuleResult {
  if (expires === undefined)
    return result(def, { status: 'pass', got: 'no Expires (not required)', evidence: e });
  const past = now.getTime() - expires.getTime();
  return result(def, {
    status: past > skewMs ? 'fail' : 'pass',
    expected: `Expires no earlier than now - ${skewMs / 1000} s (now ${now.toISOString()})`,
    got: `Expires ${expires.toISOString()}${past > 0 ? ` (${secs(past)} ago)` : ` (in ${secs(-past)})`}`,
    evidence: e,
  });
}

export function judgeLifetime(
  rstr: XmlElement,
  ns: string,
  now: Date,
  skewMs: number,
  e: number[],
): RuleResult {
  const list = childElements(rstr, ns, 'Lifetime');
  if (list.length === 0)
    return result(R.LIFETIME, { status: 'pass', got: 'no Lifetime (optional)', evidence: e });
  if (list.length > 1)
    return result(R.LIFETIME, { status: 'fail', got: 'more than one Lifetime', evidence: e });
  const w = readWindow(list[0] as XmlElement);
  if (w.error !== undefined)
    return result(R.LIFETIME, { status: 'fail', got: w.error, evidence: e });
  const t = now.getTime();
  const got = `Created ${w.created?.toISOString() ?? '(none)'}, Expires ${w.expires?.toISOString() ?? '(none)'}`;
  const expected = `a window containing now ${now.toISOString()} within ${skewMs / 1000} s`;
  let bad: string | undefined;
  if (w.created !== undefined && w.expires !== undefined && w.expires < w.created)
    bad = 'expires before it is created';
  else if (w.created !== undefined && w.created.getTime() - t > skewMs) bad = 'not yet valid';
  else if (w.expires !== undefined && t - w.expires.getTime() > skewMs) bad = 'expired';
  return result(R.LIFETIME, {
    status: bad === undefined ? 'pass' : 'fail',
    expected,
    got: bad === undefined ? got : `${got}: ${bad}`,
    evidence: e,
  });
}
