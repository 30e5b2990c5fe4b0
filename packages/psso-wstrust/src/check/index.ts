/**
 * `psso-wstrust/check`: the check part of the client library that the reference IdP
 * (psso-wstrust-idp) and the CLI (psso-wstrust-cli) build on. A deliberate, documented public
 * entry: every name is listed (no `export *`) and pinned by test/exports.test.ts.
 *
 * @example
 * ```ts
 * import * as check from 'psso-wstrust/check';
 * ```
 */
export { buildReport, grade } from './grade.js';
export { fromHar, type RedactOptions, type TraceContents, toHar } from './har.js';
export { renderHtml } from './html.js';
export { rawFromRecorded } from './record.js';
export { redact, redactRule } from './redact.js';
export { type CheckReport, reportFails } from './report.js';
export { runCheck } from './run.js';
export { renderText } from './text.js';
