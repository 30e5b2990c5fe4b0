/**
 * A rule as data (id, step, title, the macOS behaviour it stands for, what it expects, how to fix
 * it) and the helpers that turn a judgement into a {@link RuleResult}.
 *
 * @module
 */
import type { CheckStep, Remediation, RuleResult, RuleStatus } from '../report.js';

/** A rule's fixed description. */
export interface RuleDef {
  readonly id: string;
  readonly step: CheckStep;
  readonly title: string;
  /** One sentence: what macOS does here ("" when macOS leaves it implicit). */
  readonly macos: string;
  readonly macosRule: boolean;
  /** What the rule expects, unless the judgement says more precisely. */
  readonly expected: string;
  readonly remediation: Remediation;
}

/** A judgement of one rule. */
export interface Verdict {
  readonly status: RuleStatus;
  readonly got?: string;
  readonly expected?: string;
  readonly evidence?: readonly number[];
  readonly skippedBecause?: string;
  /** Replaces the rule's remediation for this case (a more precise fix). */
  readonly remediation?: Remediation;
}

/**
 * The result of `def` judged as `v`. A remediation is attached to `fail` and `warn` only.
 *
 * @example
 * ```ts
 * result(RELATES_TO, { status: 'fail', got: 'urn:uuid:OTHER', evidence: [2] });
 * ```
 */
export function result(def: RuleDef, v: Verdict): RuleResult {
  const bad = v.status === 'fail' || v.status === 'warn';
  return {
    id: def.id,
    step: def.step,
    title: def.title,
    status: v.status,
    macos: def.macos,
    macosRule: def.macosRule,
    expected: v.expected ?? def.expected,
    ...(v.got === undefined ? {} : { got: v.got }),
    ...(bad ? { remediation: v.remediation ?? def.remediation } : {}),
    evidence: [...(v.evidence ?? [])],
    ...(v.status === 'skipped' ? { skippedBecause: v.skippedBecause ?? 'not judged' } : {}),
  };
}

/**
 * The result of `def` skipped because of `why`.
 *
 * @example
 * ```ts
 * skipped(TOKEN_TYPE, 'the RSTR shape is wrong, so no TokenType could be read');
 * ```
 */
export function skipped(def: RuleDef, why: string, evidence: readonly number[] = []): RuleResult {
  return result(def, { status: 'skipped', skippedBecause: why, evidence });
}

/**
 * Shorthand for a rule definition.
 *
 * @example
 * ```ts
 * const R = rule('mex.wsdl', 'mex', 'MEX is a WSDL document', 'macOS …', true, 'wsdl:definitions', { adfs: '…', generic: '…' });
 * ```
 */
export function rule(
  id: string,
  step: CheckStep,
  title: string,
  macos: string,
  expected: string,
  remediation: Remediation,
): RuleDef {
  return { id, step, title, macos, macosRule: macos !== '', expected, remediation };
}

/** The message of an error, for `got` (library messages are constant text, never secrets). */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
