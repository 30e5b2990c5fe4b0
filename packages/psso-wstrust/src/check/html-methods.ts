/**
 * The HTML report's "Login methods" section (`check --config`): each login method of the shared
 * table (`src/psso/methods.ts`, docs/PLATFORM-SSO.md §1, §3.6–§3.12) with its verdict, time, what it
 * needs, its steps and why it failed or was skipped. Text goes through redaction and escaping.
 *
 * @module
 */
import { esc } from './html.js';
import { type RedactOptions, redactText } from './redact.js';
import type { MethodResult } from './report.js';

const LABEL = { pass: 'PASS', fail: 'FAIL', skipped: 'SKIPPED' } as const;

/**
 * The section, or `''` when the report has no methods (no `--config`).
 *
 * @example
 * ```ts
 * methodsSection(report.methods, { secrets: [password] });
 * ```
 */
export function methodsSection(
  methods: readonly MethodResult[] | undefined,
  options: RedactOptions = {},
): string {
  if (methods === undefined) return '';
  const rows = methods.map((m) => {
    const steps = m.steps.map((s) => `${s.step} ${s.ms} ms`).join(' · ');
    return [
      `<tr class="status-${m.status}" data-method-id="${esc(m.id)}" data-status="${m.status}">`,
      `<td><span class="badge status-${m.status}">${LABEL[m.status]}</span></td>`,
      `<td><code>${esc(m.id)}</code> ${esc(m.label)}</td>`,
      `<td>${m.status === 'skipped' ? '' : `${m.durationMs} ms`}</td>`,
      `<td>${esc(m.needs.join(', '))}</td>`,
      `<td>${esc(redactText(m.detail, options))}${steps === '' ? '' : `<div class="got">${esc(steps)}</div>`}</td>`,
      '</tr>',
    ].join('');
  });
  return [
    `<section id="methods" data-count-total="${methods.length}" data-count-fail="${methods.filter((m) => m.status === 'fail').length}">`,
    `<h2>Login methods (${methods.length})</h2>`,
    '<table class="rule-table"><tr><th>Result</th><th>Method</th><th>Time</th><th>Needs</th><th>Detail</th></tr>',
    ...rows,
    '</table>',
    '</section>',
  ].join('\n');
}
