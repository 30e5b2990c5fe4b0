import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPORT_CSP, renderHtml } from '../../packages/psso-wstrust/src/check/html.ts';
import type {
  CheckReport,
  RecordedExchange,
  RuleResult,
} from '../../packages/psso-wstrust/src/check/report.ts';
import { chromiumSkip, dumpDom, runChromium, screenshot } from '../helpers/chromium.ts';
import { fixture } from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'psso-html-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const HOSTILE = `</pre></details><script>alert(1)</script><img src=x onerror="alert(2)"><a href="https://evil.example/">x</a><style>@import url(https://evil.example/x.css);</style>`;

/** The fixture plus an exchange and a rule whose every field an attacker chose. */
async function hostileReport(): Promise<CheckReport> {
  const { report } = await fixture();
  const index = report.exchanges.length;
  const exchange: RecordedExchange = {
    index,
    step: 'rstr',
    startedAt: '2026-12-01T05:00:09.000Z',
    durationMs: 5,
    request: {
      method: 'POST',
      url: `https://sts.example.com/x?q="><script>alert(3)</script>`,
      headers: [{ name: 'x-evil"><script>', value: HOSTILE }],
      body: HOSTILE,
    },
    response: {
      status: 500,
      headers: [{ name: 'content-type', value: 'text/html' }],
      body: HOSTILE,
    },
    tls: { authorized: false, authorizationError: HOSTILE, peerSubject: HOSTILE },
    error: { code: 'PSSO_ERR_HTTP_STATUS', message: HOSTILE },
    redacted: false,
  };
  const rule: RuleResult = {
    id: 'rstr.evil"><script>alert(4)</script>',
    step: 'rstr',
    title: HOSTILE,
    status: 'fail',
    macos: HOSTILE,
    macosRule: true,
    expected: HOSTILE,
    got: HOSTILE,
    remediation: { adfs: HOSTILE, generic: HOSTILE },
    evidence: [index],
  };
  return {
    ...report,
    target: { ...report.target, urn: HOSTILE, username: HOSTILE },
    summary: { ...report.summary, fail: report.summary.fail + 1 },
    rules: [...report.rules, rule],
    exchanges: [...report.exchanges, exchange],
  };
}

/** The start tags of `html` (text is escaped, so a raw `<` opens a real tag). */
function tags(html: string): string[] {
  return html.match(/<[A-Za-z][^>]*>/g) ?? [];
}

/** Attribute values of `name` in the start tags of `html`. */
function attributes(html: string, name: string): string[] {
  const re = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'gi');
  return tags(html).flatMap((tag) => [...tag.matchAll(re)].map((m) => m[2] ?? m[3] ?? m[4] ?? ''));
}

function shownCounts(html: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of html.matchAll(/<span class="n" data-count="(\w+)">(\d+)<\/span>/g)) {
    out[m[1] ?? ''] = Number(m[2]);
  }
  return out;
}

test('hostile bodies, headers, URLs and rule texts stay text: no element, attribute or link of theirs', async () => {
  const html = renderHtml(await hostileReport());
  assert.equal((html.match(/<script/gi) ?? []).length, 0);
  assert.equal((html.match(/<img/gi) ?? []).length, 0);
  assert.equal((html.match(/<style/gi) ?? []).length, 1, 'only our own style sheet');
  assert.equal(
    (html.match(/<\/details>/g) ?? []).length,
    (html.match(/<details[\s>]/g) ?? []).length,
  );
  assert.deepEqual(attributes(html, 'onerror'), []);
  assert.ok(
    tags(html).every((t) => !/\son\w+\s*=/i.test(t)),
    'no event handler attribute',
  );
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the body is shown, escaped');
  assert.ok(
    html.includes('data-rule-id="rstr.evil&quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;"'),
  );
  assert.ok(html.includes('id="rule-rstr.evil___script_alert_4___script_"'));
});

test('self-contained: no src, no external href, no @import, no url(), a strict CSP meta tag', async () => {
  const html = renderHtml(await hostileReport());
  assert.deepEqual(attributes(html, 'src'), []);
  for (const href of attributes(html, 'href')) assert.match(href, /^#(rule|exchange)-/);
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
  assert.ok(style.length > 1000);
  assert.ok(!/@import|url\(|https?:/i.test(style), 'the style sheet loads nothing');
  assert.ok(!/<link|<iframe|<object|<embed|<base|<form/i.test(html));
  assert.ok(
    html.includes(
      `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP.replaceAll("'", '&#39;')}">`,
    ),
  );
  assert.match(REPORT_CSP, /^default-src 'none'; style-src 'unsafe-inline'/);
  // Every http(s) URL in the page is inside text (escaped), never in an attribute.
  for (const value of [...attributes(html, 'content'), ...attributes(html, 'href')]) {
    assert.ok(!/https?:\/\//.test(value), value);
  }
});

test('summary first: counts equal the JSON, failures before warnings, every rule and its evidence', async () => {
  const { report, password, secrets } = await fixture();
  const html = renderHtml(report);
  const json = JSON.parse(JSON.stringify(report)) as CheckReport;
  const summaryAt = html.indexOf('id="summary"');
  assert.ok(summaryAt > 0 && summaryAt < html.indexOf('id="rules"'));
  assert.ok(html.indexOf('id="rules"') < html.indexOf('id="trace"'));
  for (const status of ['pass', 'warn', 'fail', 'skipped'] as const) {
    assert.ok(html.includes(`data-count-${status}="${json.summary[status]}"`), status);
  }
  assert.deepEqual(shownCounts(html), json.summary);
  const attention = /<ol class="attention">([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? '';
  const order = [...attention.matchAll(/<li class="status-(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual(order, ['fail', 'fail', 'warn', 'warn']);
  for (const rule of json.rules) {
    assert.ok(html.includes(`data-rule-id="${rule.id}" data-status="${rule.status}"`), rule.id);
    for (const i of rule.evidence) assert.ok(html.includes(`id="exchange-${i}"`));
    if (rule.remediation !== undefined) assert.ok(html.includes('Fix on AD FS'));
  }
  assert.ok(html.includes('Skipped because'));
  // The HTML is always redacted: it is meant for tickets.
  for (const [name, secret] of Object.entries({ password, ...secrets })) {
    assert.ok(!html.includes(secret), `${name} leaked into the HTML report`);
  }
});

test('chromium: the report of a failing run renders with no console error, counts as in the JSON, a screenshot', {
  skip: chromiumSkip(),
}, async () => {
  const report = await hostileReport();
  const json = JSON.parse(JSON.stringify(report)) as CheckReport;
  const file = join(dir, 'check.html');
  writeFileSync(file, renderHtml(report));
  const png = join(dir, 'check.png');
  const [dom, shot] = await Promise.all([dumpDom(file), screenshot(file, png)]);
  assert.equal(dom.code, 0, dom.stderr.slice(-2000));
  assert.deepEqual(dom.console, [], 'console messages (a CSP violation would be one)');
  assert.deepEqual(shownCounts(dom.stdout), json.summary);
  const rendered = [...dom.stdout.matchAll(/data-status="(\w+)"/g)].map((m) => m[1]);
  for (const status of ['pass', 'warn', 'fail', 'skipped'] as const) {
    assert.equal(rendered.filter((s) => s === status).length, json.summary[status], status);
  }
  assert.equal((dom.stdout.match(/<script/gi) ?? []).length, 0);
  assert.equal(shot.code, 0, shot.stderr.slice(-2000));
  assert.deepEqual(shot.console, []);
  const bytes = readFileSync(png);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(statSync(png).size > 20_000, 'a real page, not a blank image');
});

test('chromium probe: a page breaking its CSP shows up as console messages (the check above is not vacuous)', {
  skip: chromiumSkip(),
}, async () => {
  const file = join(dir, 'probe.html');
  writeFileSync(
    file,
    `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}"></head><body><script>1</script></body></html>`,
  );
  const run = await runChromium(file, ['--dump-dom']);
  assert.equal(run.console.length, 1, run.stderr.slice(-2000));
  assert.match(run.console[0] ?? '', /Content Security Policy/);
});
