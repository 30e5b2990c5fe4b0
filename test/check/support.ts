/** Running `check` in-process against the reference IdP or a loopback stub, for the proof tests. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FaultInjection } from '../../packages/idp/src/faults/injection.ts';
import type { CheckReport, RuleResult } from '../../packages/psso-wstrust/src/check/report.ts';
import type { CheckOptions } from '../../packages/psso-wstrust/src/check/run.ts';
import { runCheck } from '../../packages/psso-wstrust/src/check/run.ts';
import { startTestIdp, type TestIdp, URN } from '../e2e/support.ts';
import { validateJson } from '../helpers/json-schema.ts';

export const SCHEMA = JSON.parse(
  readFileSync(
    new URL('../../packages/psso-wstrust/schema/check-report.v1.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;

/** The switches of the shared IdP: read by the STS at each request, so a test can flip them. */
const live: { -readonly [K in keyof FaultInjection]: FaultInjection[K] } = {};
let shared: Promise<TestIdp> | undefined;

/** Closes the shared IdP (call in `after`). */
export async function closeSharedIdp(): Promise<void> {
  if (shared !== undefined) await (await shared).close();
  shared = undefined;
}

/**
 * Runs the check against one shared IdP (started once per test file) with `faults` switched on
 * for this run only.
 */
export async function checkIdp(
  faults: FaultInjection | undefined,
  o: Partial<CheckOptions> & { signingCert?: boolean } = {},
): Promise<CheckReport> {
  shared ??= startTestIdp({ faults: live });
  const idp = await shared;
  for (const k of Object.keys(live)) delete live[k as keyof FaultInjection];
  Object.assign(live, faults ?? {});
  try {
    const { signingCert, http, ...rest } = o;
    const { report } = await runCheck({
      ...(o.realmUrl === undefined ? { mexUrl: idp.mexUrl } : {}),
      urn: URN,
      username: idp.demoUser.upn,
      password: idp.password,
      http: { ca: idp.caPem, ...(http ?? {}) },
      ...(signingCert === false ? {} : { signingCertificates: [idp.signingCertPem] }),
      ...rest,
    });
    assertValid(report);
    return report;
  } finally {
    for (const k of Object.keys(live)) delete live[k as keyof FaultInjection];
  }
}

/** The report is valid against the schema, and its summary counts its rules. */
export function assertValid(report: CheckReport): void {
  assert.deepEqual(validateJson(SCHEMA, JSON.parse(JSON.stringify(report))), []);
  const count = (s: string) => report.rules.filter((r) => r.status === s).length;
  assert.deepEqual(report.summary, {
    pass: count('pass'),
    warn: count('warn'),
    fail: count('fail'),
    skipped: count('skipped'),
  });
  for (const r of report.rules) {
    for (const i of r.evidence) assert.ok(report.exchanges[i], `${r.id}: evidence #${i} exists`);
  }
}

/** The rule with `id`. */
export function ruleOf(report: CheckReport, id: string): RuleResult {
  const r = report.rules.find((x) => x.id === id);
  assert.ok(r, `rule ${id} is in the report`);
  return r;
}

/** `id` failed, with a remediation for AD FS and others, evidence, and `got` matching. */
export function assertFailed(
  report: CheckReport,
  id: string,
  got: RegExp,
  expected?: RegExp,
): RuleResult {
  const r = ruleOf(report, id);
  assert.equal(r.status, 'fail', `${id}: ${JSON.stringify(r)}`);
  assert.match(r.got ?? '', got);
  if (expected !== undefined) assert.match(r.expected ?? '', expected);
  assert.ok((r.remediation?.adfs.length ?? 0) > 10, `${id} has an AD FS remediation`);
  assert.ok((r.remediation?.generic.length ?? 0) > 10, `${id} has a generic remediation`);
  assert.ok(r.evidence.length > 0, `${id} names its evidence`);
  return r;
}

/** The ids of failed rules. */
export function failed(report: CheckReport): string[] {
  return report.rules.filter((r) => r.status === 'fail').map((r) => r.id);
}
