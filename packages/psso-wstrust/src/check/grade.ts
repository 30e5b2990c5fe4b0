/**
 * Grading: every rule judged over the recorded exchanges alone (raw bodies), so a saved trace can
 * be judged again offline (`check --from-trace`), then the report assembled.
 *
 * @module
 */
import type { ResolvedLoginConfiguration } from '../psso/config/types.js';
import type { RawExchange } from './record.js';
import {
  CHECK_STEPS,
  type CheckReport,
  type MethodResult,
  type RecordedExchange,
  type RuleResult,
} from './report.js';
import { judgeClock, judgeTiming, judgeTls } from './rules/environment.js';
import { judgeMex, judgeRealm } from './rules/mex.js';
import { judgePsso } from './rules/psso.js';
import { judgeRstr } from './rules/rstr.js';
import { judgeSaml } from './rules/saml.js';

/** What grading needs besides the exchanges. */
export interface GradeInput {
  /** The raw exchanges, each tagged with its step, in the order made. */
  readonly exchanges: readonly RawExchange[];
  /** The federationRequestURN (the expected audience). */
  readonly urn: string;
  /** Token-signing certificates (PEM) for `saml.signature`. */
  readonly signingCertificates?: readonly string[];
  /** The Platform SSO configuration, when `--config` was given. */
  readonly config?: ResolvedLoginConfiguration;
  /** Why no token request was made, when none was. */
  readonly pssoTokenSkippedBecause?: string;
  /** Allowed clock skew, seconds. Default 120 (macOS). */
  readonly clockSkewSeconds?: number;
}

/** Every rule's result, in step order, with the clock offset when known. */
export interface Graded {
  readonly rules: RuleResult[];
  readonly clockOffsetSeconds?: number;
}

/**
 * Judges every rule over `input.exchanges`.
 *
 * @example
 * ```ts
 * const { rules } = grade({ exchanges: recorder.raw(), urn: 'urn:federation:MicrosoftOnline' });
 * rules.filter((r) => r.status === 'fail').map((r) => r.id);
 * ```
 */
export function grade(input: GradeInput): Graded {
  const x = input.exchanges;
  const rules: RuleResult[] = [];
  rules.push(...judgeRealm(x.find((e) => e.step === 'realm')));
  const rst = x.filter((e) => e.step === 'rst');
  const mex = judgeMex(
    x.find((e) => e.step === 'mex'),
    rst.map((e) => e.request.url),
  );
  rules.push(...mex.results);
  const rstr = judgeRstr(rst, input.clockSkewSeconds);
  rules.push(...rstr.results);
  const last = rstr.facts.exchange;
  const now = rstr.facts.receivedAt ?? endOf(x) ?? new Date();
  rules.push(
    ...judgeSaml(rstr.facts.assertion, {
      urn: input.urn,
      signingCertificates: input.signingCertificates ?? [],
      evidence: last === undefined ? [] : [last.index],
      now,
    }),
  );
  rules.push(
    ...judgeTls(
      rst,
      x.find((e) => e.step === 'mex'),
      now,
    ),
  );
  const clock = judgeClock(
    x,
    rstr.facts.created !== undefined && last !== undefined && rstr.facts.receivedAt !== undefined
      ? {
          at: rstr.facts.created,
          midpoint: new Date(last.startedAt.getTime() + last.durationMs / 2),
          index: last.index,
        }
      : undefined,
  );
  rules.push(...clock.results);
  rules.push(...judgePsso(x, input.config, input.pssoTokenSkippedBecause));
  // Each timing rule sits with its step.
  rules.push(...judgeTiming(x));
  const ordered = rules
    .map((r, i) => ({ r, i }))
    .sort((a, b) => CHECK_STEPS.indexOf(a.r.step) - CHECK_STEPS.indexOf(b.r.step) || a.i - b.i)
    .map(({ r }) => r);
  return {
    rules: ordered,
    ...(clock.offsetSeconds === undefined ? {} : { clockOffsetSeconds: clock.offsetSeconds }),
  };
}

function endOf(x: readonly RawExchange[]): Date | undefined {
  const l = x[x.length - 1];
  return l === undefined ? undefined : new Date(l.startedAt.getTime() + l.durationMs);
}

/**
 * Assembles the report from the graded rules and the recorded (redacted) exchanges.
 *
 * @example
 * ```ts
 * const report = buildReport({ graded, exchanges: recorder.recorded(), target, startedAt, durationMs, version: '0.1.0' });
 * ```
 */
export function buildReport(o: {
  graded: Graded;
  exchanges: readonly RecordedExchange[];
  target: CheckReport['target'];
  startedAt: Date;
  durationMs: number;
  version: string;
  /** With `--config`: each login method, graded. */
  methods?: readonly MethodResult[];
}): CheckReport {
  const count = (s: RuleResult['status']) => o.graded.rules.filter((r) => r.status === s).length;
  return {
    schemaVersion: 1,
    tool: { name: 'psso-wstrust', version: o.version },
    startedAt: o.startedAt.toISOString(),
    durationMs: Math.round(o.durationMs),
    target: o.target,
    summary: {
      pass: count('pass'),
      warn: count('warn'),
      fail: count('fail'),
      skipped: count('skipped'),
    },
    ...(o.graded.clockOffsetSeconds === undefined
      ? {}
      : { clockOffsetSeconds: o.graded.clockOffsetSeconds }),
    rules: o.graded.rules,
    exchanges: [...o.exchanges],
    ...(o.methods === undefined ? {} : { methods: [...o.methods] }),
  };
}
