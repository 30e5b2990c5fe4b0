/**
 * The terminal view of a {@link CheckReport}: the summary first (failures, then warnings), then
 * every rule grouped by step. Colours come from the caller (none off a TTY or with NO_COLOR);
 * peer text is sanitized (no control characters reach the terminal).
 *
 * @module
 */
import type { CheckReport, RuleResult } from './report.js';

/** The colour functions used (picocolors' shape). */
export interface Palette {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const STEP_TITLES: Record<string, string> = {
  realm: 'User realm',
  mex: 'MEX (metadata exchange)',
  rst: 'RequestSecurityToken',
  rstr: 'RequestSecurityTokenResponse',
  saml: 'SAML assertion',
  tls: 'TLS',
  clock: 'Clock',
  'psso-nonce': 'Platform SSO nonce',
  'psso-token': 'Platform SSO token',
};

/**
 * The report as lines of text.
 *
 * @example
 * ```ts
 * process.stdout.write(renderText(report, pc.createColors(false)));
 * ```
 */
export function renderText(report: CheckReport, c: Palette): string {
  const lines: string[] = [];
  const mark = (r: RuleResult) =>
    r.status === 'pass'
      ? c.green('PASS')
      : r.status === 'warn'
        ? c.yellow('WARN')
        : r.status === 'fail'
          ? c.red('FAIL')
          : c.dim('SKIP');
  const s = report.summary;
  const t = report.target;
  lines.push(
    c.bold(
      `psso-wstrust check: ${t.mexUrl ?? t.realmUrl ?? t.configFile ?? ''} (${t.urn}, ${t.username})`,
    ),
  );
  lines.push(
    `${c.red(`${s.fail} failed`)}, ${c.yellow(`${s.warn} warnings`)}, ${c.green(`${s.pass} passed`)}, ${s.skipped} skipped` +
      (report.clockOffsetSeconds === undefined
        ? ''
        : `; IdP clock offset ${report.clockOffsetSeconds >= 0 ? '+' : ''}${report.clockOffsetSeconds} s`),
  );
  const bad = [
    ...report.rules.filter((r) => r.status === 'fail'),
    ...report.rules.filter((r) => r.status === 'warn'),
  ];
  if (bad.length > 0) {
    lines.push('', c.bold('Summary'));
    for (const r of bad) {
      lines.push(`  ${mark(r)} ${r.id}: ${clean(r.title)}`);
      if (r.got !== undefined) lines.push(`       got:      ${clean(r.got)}`);
      if (r.expected !== undefined) lines.push(`       expected: ${clean(r.expected)}`);
      if (r.remediation !== undefined) {
        lines.push(`       fix (AD FS): ${clean(r.remediation.adfs)}`);
        lines.push(`       fix (other): ${clean(r.remediation.generic)}`);
      }
    }
  }
  let step = '';
  for (const r of report.rules) {
    if (r.step !== step) {
      step = r.step;
      lines.push('', c.bold(STEP_TITLES[step] ?? step));
    }
    const detail =
      r.status === 'skipped' ? (r.skippedBecause ?? '') : r.got === undefined ? '' : r.got;
    lines.push(
      `  ${mark(r)} ${r.id.padEnd(26)} ${clean(r.title)}${detail === '' ? '' : c.dim(` — ${clean(detail)}`)}`,
    );
    if (r.macosRule && r.status === 'fail') lines.push(c.dim(`       macOS: ${r.macos}`));
    if (r.evidence.length > 0 && r.status !== 'pass' && r.status !== 'skipped')
      lines.push(c.dim(`       evidence: exchange ${r.evidence.map((i) => `#${i}`).join(', ')}`));
  }
  if (report.methods !== undefined) {
    lines.push('', c.bold('Login methods'));
    for (const m of report.methods) {
      const label =
        m.status === 'pass' ? c.green('PASS') : m.status === 'fail' ? c.red('FAIL') : c.dim('SKIP');
      lines.push(
        `  ${label} ${m.id.padEnd(26)} ${clean(m.label)}${c.dim(` — ${clean(m.detail)}`)}${m.status === 'skipped' ? '' : c.dim(` (${m.durationMs} ms)`)}`,
      );
    }
  }
  lines.push('', c.bold('Exchanges'));
  for (const x of report.exchanges) {
    const answer =
      x.response !== undefined ? `HTTP ${x.response.status}` : `${x.error?.code ?? 'no answer'}`;
    lines.push(
      `  #${x.index} ${x.step.padEnd(10)} ${x.request.method} ${clean(x.request.url)} → ${answer} (${Math.round(x.durationMs)} ms${x.tls?.protocol === undefined ? '' : `, ${x.tls.protocol}`})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Peer text without control characters (an escape sequence cannot reach the terminal). */
function clean(text: string): string {
  return text.replace(CONTROL, ' ');
}
