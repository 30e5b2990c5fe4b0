/**
 * The `check` report: what `psso-wstrust check` produces and every view renders (terminal, JSON,
 * HTML), plus the recorded HTTP exchanges it was judged on (written as a HAR 1.2 trace, and read
 * back by `check --from-trace`). A rule is data: id, the macOS behaviour it stands for, expected,
 * got, remediation, evidence. The JSON form is versioned (`schemaVersion`) and described by
 * `schema/check-report.v1.json`.
 *
 * @module
 */

import type { SamlVersion } from '../protocol/grant-types.js';

/** A rule's verdict. */
export type RuleStatus = 'pass' | 'warn' | 'fail' | 'skipped';

/**
 * The steps of the federated login a rule or an exchange belongs to, in the order rules are
 * reported.
 *
 * @example
 * ```ts
 * CHECK_STEPS.indexOf('rstr'); // 3
 * ```
 */
export const CHECK_STEPS = [
  'realm',
  'mex',
  'rst',
  'rstr',
  'saml',
  'tls',
  'clock',
  'psso-nonce',
  'psso-token',
] as const;

/** The step of the federated login a rule or an exchange belongs to. */
export type CheckStep = (typeof CHECK_STEPS)[number];

/** What an administrator can do about a failed or warned rule. */
export interface Remediation {
  /** For an AD FS administrator (cmdlets, settings). */
  readonly adfs: string;
  /** For any other WS-Trust IdP. */
  readonly generic: string;
}

/** One rule, judged. */
export interface RuleResult {
  /** Stable id, e.g. `mex.username-endpoint`, `rstr.relates-to`, `saml.signature`. */
  readonly id: string;
  readonly step: CheckStep;
  /** Short human title. */
  readonly title: string;
  readonly status: RuleStatus;
  /** The macOS behaviour the rule stands for, one sentence ("" for rules macOS leaves implicit). */
  readonly macos: string;
  /** Whether macOS itself applies this rule (false: a rule an engineer needs beyond macOS). */
  readonly macosRule: boolean;
  /** What the rule expects (secrets redacted). */
  readonly expected?: string;
  /** What was found (secrets redacted). */
  readonly got?: string;
  /** Present for `fail` and `warn`. */
  readonly remediation?: Remediation;
  /** Indices into {@link CheckReport.exchanges}: the HTTP exchanges that are the evidence. */
  readonly evidence: readonly number[];
  /** For `skipped`: why the rule could not be judged. */
  readonly skippedBecause?: string;
}

/** One HTTP exchange as recorded (bodies may be redacted; see {@link RecordedExchange.redacted}). */
export interface RecordedExchange {
  readonly index: number;
  readonly step: CheckStep;
  /** ISO-8601. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly headers: readonly { readonly name: string; readonly value: string }[];
    readonly body?: string;
  };
  /** Absent when the request failed before an answer (see `error`). */
  readonly response?: {
    readonly status: number;
    readonly headers: readonly { readonly name: string; readonly value: string }[];
    readonly body?: string;
  };
  /** The peer's TLS details, when https. */
  readonly tls?: {
    readonly protocol?: string;
    readonly peerSubject?: string;
    readonly peerIssuer?: string;
    /** ISO-8601. */
    readonly validTo?: string;
    readonly authorized: boolean;
    readonly authorizationError?: string;
  };
  /** A transport failure (`PSSO_ERR_HTTP_*` code and message). */
  readonly error?: { readonly code: string; readonly message: string };
  /** Whether secrets (password, assertion, tokens, nonces, JWT signatures) were replaced. */
  readonly redacted: boolean;
}

/**
 * One login method, graded by running it against the IdP (`check --config`): the methods table
 * of `src/psso/methods.ts`, each run as macOS would with the configuration and keys given.
 */
export interface MethodResult {
  /** The method's stable id (`password`, `federated`, `refresh`…). */
  readonly id: string;
  readonly label: string;
  /** `pass`: it worked; `fail`: it failed (see `code`); `skipped`: see `skippedBecause`. */
  readonly status: 'pass' | 'fail' | 'skipped';
  readonly durationMs: number;
  /** What the method needs (`password`, `federation`, `refreshToken`, `userKey`…). */
  readonly needs: readonly string[];
  /** A short description of the outcome (subject, SAML version, or the error). */
  readonly detail: string;
  /** The `PSSO_ERR_*` code, when it failed. */
  readonly code?: string;
  /** Why it was not run, when skipped. */
  readonly skippedBecause?: string;
  /** The SAML version of the STS's assertion, for a federated login. */
  readonly samlVersion?: SamlVersion;
  /** The steps run, each timed. */
  readonly steps: readonly { readonly step: string; readonly ms: number }[];
}

/**
 * Whether the report fails: a rule failed, or a login method did.
 *
 * @example
 * ```ts
 * process.exitCode = reportFails(report) ? 1 : 0;
 * ```
 */
export function reportFails(report: CheckReport): boolean {
  return report.summary.fail > 0 || (report.methods ?? []).some((m) => m.status === 'fail');
}

/** The whole report. */
export interface CheckReport {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'psso-wstrust'; readonly version: string };
  /** ISO-8601. */
  readonly startedAt: string;
  readonly durationMs: number;
  /** What was checked (no password). */
  readonly target: {
    readonly mexUrl?: string;
    readonly realmUrl?: string;
    readonly configFile?: string;
    readonly urn: string;
    readonly username: string;
    readonly profile: 'macos' | 'wss11';
  };
  readonly summary: {
    readonly pass: number;
    readonly warn: number;
    readonly fail: number;
    readonly skipped: number;
  };
  /** Seconds the IdP's clock is ahead of this machine's (negative: behind), when known. */
  readonly clockOffsetSeconds?: number;
  /** Every rule, in step order. */
  readonly rules: readonly RuleResult[];
  readonly exchanges: readonly RecordedExchange[];
  /** With `--config`: each login method, graded (absent otherwise). */
  readonly methods?: readonly MethodResult[];
}
