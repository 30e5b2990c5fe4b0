/**
 * The rules about the surroundings of the exchange, which macOS leaves implicit: the STS TLS
 * certificate (chain, expiry), the clock offset between the IdP and this machine, and each step's
 * time against macOS's 30 s request timeout.
 *
 * @module
 */
import type { RawExchange } from '../record.js';
import type { CheckStep, RuleResult } from '../report.js';
import { result, rule, skipped } from './rule.js';

/** macOS's request timeout (docs/PLATFORM-SSO.md §1.1: "Request timeout 30 s"). */
export const MACOS_REQUEST_TIMEOUT_MS = 30_000;
/** The clock skew macOS allows on the response Timestamp. */
const SKEW_SECONDS = 120;
const DAY_MS = 86_400_000;

export const STS_CERT = rule(
  'tls.sts-certificate',
  'tls',
  'STS TLS certificate',
  'macOS requires a server certificate chaining to a system root CA (user-trusted and MDM CAs are refused), valid for the host name.',
  'a trusted chain for the host name, valid for 30 days or more',
  {
    adfs: 'Replace the AD FS TLS certificate on the primary node with Set-AdfsSslCertificate -Thumbprint <t>, and on each WAP with Set-WebApplicationProxySslCertificate -Thumbprint <t>; use a certificate from a public CA the Mac trusts.',
    generic:
      'Serve a certificate from a CA in the macOS system roots, for the STS host name, renewed before it expires.',
  },
);

export const CLOCK = rule(
  'clock.offset',
  'clock',
  'IdP clock agrees with this machine',
  '',
  `an offset within ±${SKEW_SECONDS} s (macOS's allowed skew), ideally within ±30 s`,
  {
    adfs: 'On every AD FS node: w32tm /query /status, w32tm /resync; put members on the domain hierarchy (w32tm /config /syncfromflags:domhier /update) and fix the PDC emulator’s NTP peers. Check this machine’s and the Mac’s clock too.',
    generic: 'Synchronise the IdP and the Mac with NTP.',
  },
);

function timingRule(step: CheckStep) {
  return rule(
    `timing.${step}`,
    step,
    `Time of the ${step} request`,
    'macOS gives every request 30 s and fails the login when it is not answered in time.',
    `under ${MACOS_REQUEST_TIMEOUT_MS / 1000} s (warn over half of it)`,
    {
      adfs: 'Check the AD FS and WAP performance counters, the domain controllers’ response time and the network path; a slow usernamemixed endpoint often means a slow LDAP bind.',
      generic: 'Make the endpoint answer well within 30 s.',
    },
  );
}

export const MEX_CERT = rule(
  'tls.mex-certificate',
  'tls',
  'MEX TLS certificate',
  'macOS requires a server certificate chaining to a system root CA (user-trusted and MDM CAs are refused), valid for the host name.',
  'a trusted chain for the host name, valid for 30 days or more',
  STS_CERT.remediation,
);

/**
 * Judges the TLS certificates: the STS's (from the RST exchanges) and, when the MEX is on
 * another origin or no RST was sent, the MEX's.
 *
 * @example
 * ```ts
 * judgeTls(raw.filter((x) => x.step === 'rst'), raw.find((x) => x.step === 'mex'), new Date());
 * ```
 */
export function judgeTls(
  rst: readonly RawExchange[],
  mex: RawExchange | undefined,
  now: Date,
): RuleResult[] {
  const out: RuleResult[] = [];
  const sts = [...rst].reverse().find((r) => r.tls !== undefined);
  if (sts === undefined) {
    const any = rst[0];
    out.push(
      skipped(
        STS_CERT,
        any === undefined
          ? 'no RequestSecurityToken was sent'
          : 'no TLS connection to the STS could be made',
        any === undefined ? [] : [any.index],
      ),
    );
  } else out.push(judgeCert(STS_CERT, sts, now));
  if (mex?.tls !== undefined && (sts === undefined || originOf(mex) !== originOf(sts)))
    out.push(judgeCert(MEX_CERT, mex, now));
  return out;
}

function originOf(x: RawExchange): string {
  try {
    return new URL(x.request.url).host;
  } catch {
    return x.request.url;
  }
}

function judgeCert(def: typeof STS_CERT, x: RawExchange, now: Date): RuleResult {
  const t = x.tls as NonNullable<RawExchange['tls']>;
  const validTo = t.validTo === undefined ? undefined : new Date(t.validTo);
  const left = validTo === undefined ? undefined : validTo.getTime() - now.getTime();
  const got = [
    `${originOf(x)}: ${t.protocol ?? 'TLS'}, subject ${t.peerSubject ?? '?'}, issuer ${t.peerIssuer ?? '?'}`,
    validTo === undefined ? 'expiry unknown' : `expires ${validTo.toISOString()}`,
    t.authorized ? 'trusted' : `NOT trusted (${t.authorizationError ?? 'unknown reason'})`,
  ].join('; ');
  let status: 'pass' | 'warn' | 'fail' = 'pass';
  if (!t.authorized || (left !== undefined && left < 0)) status = 'fail';
  else if (left !== undefined && left < 30 * DAY_MS) status = 'warn';
  const untrusted =
    !t.authorized &&
    /ISSUER|SELF_SIGNED|UNABLE_TO_VERIFY|self-signed|issuer/i.test(t.authorizationError ?? '');
  return result(def, {
    status,
    got:
      left !== undefined && left >= 0 && left < 30 * DAY_MS
        ? `${got}; ${Math.floor(left / DAY_MS)} days left`
        : got,
    evidence: [x.index],
    ...(untrusted
      ? {
          remediation: {
            adfs: `${def.remediation.adfs} To check against a private CA here, pass --ca FILE with the CA that issued it (the Mac must still trust it as a system root).`,
            generic: `${def.remediation.generic} To check against a private CA here, pass --ca FILE with the CA that issued it.`,
          },
        }
      : {}),
  });
}

/**
 * Judges the clock offset: the response Timestamp Created (else the HTTP Date header, 1 s
 * resolution) against this machine's clock when the answer arrived.
 *
 * @example
 * ```ts
 * const { results, offsetSeconds } = judgeClock(rstExchange, created, receivedAt);
 * ```
 */
export function judgeClock(
  exchanges: readonly RawExchange[],
  created: { at: Date; midpoint: Date; index: number } | undefined,
): { results: RuleResult[]; offsetSeconds?: number } {
  let offset: number | undefined;
  let source = '';
  let index: number | undefined;
  if (created !== undefined) {
    // Created is stamped while the request is handled: compare with the middle of the exchange.
    offset = Math.round((created.at.getTime() - created.midpoint.getTime()) / 1000) || 0;
    source = 'the response Timestamp Created';
    index = created.index;
  } else {
    for (const x of [...exchanges].reverse()) {
      const date = x.response?.headers.date;
      if (date === undefined) continue;
      const at = Date.parse(date);
      if (Number.isNaN(at)) continue;
      const mid = x.startedAt.getTime() + x.durationMs / 2;
      offset = Math.round((at - mid) / 1000) || 0;
      source = 'the HTTP Date header (1 s resolution)';
      index = x.index;
      break;
    }
  }
  if (offset === undefined || index === undefined) {
    return { results: [skipped(CLOCK, 'no Timestamp Created and no Date header was received')] };
  }
  const abs = Math.abs(offset);
  const status = abs > SKEW_SECONDS ? 'fail' : abs > 30 ? 'warn' : 'pass';
  return {
    offsetSeconds: offset,
    results: [
      result(CLOCK, {
        status,
        got: `the IdP is ${abs} s ${offset >= 0 ? 'ahead of' : 'behind'} this machine (from ${source})`,
        evidence: [index],
      }),
    ],
  };
}

/**
 * One `timing.<step>` rule per step that made requests: the slowest request of the step.
 *
 * @example
 * ```ts
 * judgeTiming(raw); // [timing.mex, timing.rst, …]
 * ```
 */
export function judgeTiming(exchanges: readonly RawExchange[]): RuleResult[] {
  const steps: CheckStep[] = [];
  for (const x of exchanges) if (!steps.includes(x.step)) steps.push(x.step);
  return steps.map((step) => {
    const list = exchanges.filter((x) => x.step === step);
    const slowest = list.reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
    const timedOut = list.some(
      (x) => x.error?.code === 'PSSO_ERR_HTTP_TIMEOUT' || x.error?.code === 'DEADLINE',
    );
    const ms = slowest.durationMs;
    const status =
      timedOut || ms >= MACOS_REQUEST_TIMEOUT_MS
        ? 'fail'
        : ms > MACOS_REQUEST_TIMEOUT_MS / 2
          ? 'warn'
          : 'pass';
    return result(timingRule(step), {
      status,
      got: `${Math.round(ms)} ms${timedOut ? ' (timed out before an answer)' : ''}`,
      evidence: list.map((x) => x.index),
    });
  });
}
