/**
 * The inline style sheet of the HTML report: system fonts only, no `url()`, no `@import`; readable
 * on screen and on paper.
 *
 * @module
 */

/** CSS of the report (inlined in a `<style>` element). */
export const REPORT_CSS = `
:root { --fail: #b42318; --fail-bg: #fef3f2; --warn: #b54708; --warn-bg: #fffaeb;
  --pass: #027a48; --pass-bg: #ecfdf3; --skip: #475467; --skip-bg: #f2f4f7; --line: #d0d5dd; }
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #101828; margin: 0 auto; max-width: 1200px; padding: 0 24px 48px; }
code, pre { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace;
  font-size: 12.5px; }
h1 { font-size: 24px; margin: 0 0 12px; }
h2 { font-size: 19px; border-bottom: 2px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 15px; margin: 20px 0 8px; color: #344054; }
h4 { font-size: 13px; margin: 14px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: #475467; }
header { margin: 0 -24px; padding: 20px 24px 12px; border-bottom: 4px solid var(--line); }
header.verdict-fail { background: var(--fail-bg); border-color: var(--fail); }
header.verdict-warn { background: var(--warn-bg); border-color: var(--warn); }
header.verdict-pass { background: var(--pass-bg); border-color: var(--pass); }
dl.target { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.target dt { color: #475467; }
dl.target dd { margin: 0; word-break: break-all; }
.counts { display: flex; gap: 12px; flex-wrap: wrap; }
.count { border: 1px solid var(--line); border-radius: 8px; padding: 10px 18px; min-width: 120px; }
.count .n { font-size: 28px; font-weight: 700; display: block; }
.count .label { text-transform: uppercase; font-size: 12px; letter-spacing: .05em; }
.count.status-fail { background: var(--fail-bg); color: var(--fail); border-color: var(--fail); }
.count.status-warn { background: var(--warn-bg); color: var(--warn); border-color: var(--warn); }
.count.status-pass { background: var(--pass-bg); color: var(--pass); border-color: var(--pass); }
.count.status-skipped { background: var(--skip-bg); color: var(--skip); }
ol.attention { padding-left: 20px; }
ol.attention li { margin: 6px 0; }
ol.attention .got { color: #475467; margin-left: 4px; word-break: break-word; }
.badge { display: inline-block; font-size: 11px; font-weight: 700; padding: 1px 7px;
  border-radius: 10px; border: 1px solid currentColor; letter-spacing: .04em; }
.badge.status-fail { color: var(--fail); background: var(--fail-bg); }
.badge.status-warn { color: var(--warn); background: var(--warn-bg); }
.badge.status-pass { color: var(--pass); background: var(--pass-bg); }
.badge.status-skipped { color: var(--skip); background: var(--skip-bg); }
.badge.http-2xx { color: var(--pass); } .badge.http-3xx { color: var(--skip); }
.badge.http-4xx, .badge.http-5xx { color: var(--fail); }
details { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; background: #fff; }
details > summary { cursor: pointer; padding: 8px 12px; list-style-position: inside; }
details[open] > summary { border-bottom: 1px solid var(--line); }
details.rule.status-fail { border-left: 5px solid var(--fail); }
details.rule.status-warn { border-left: 5px solid var(--warn); }
details.rule.status-pass { border-left: 5px solid var(--pass); }
details.rule.status-skipped { border-left: 5px solid var(--skip); }
summary .title { font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
table th { text-align: left; vertical-align: top; white-space: nowrap; color: #475467;
  font-weight: 600; padding: 6px 12px; width: 1%; }
table td { padding: 6px 12px; word-break: break-word; }
table.rule-table tr + tr { border-top: 1px solid #eaecf0; }
code.value { background: #f9fafb; border: 1px solid #eaecf0; border-radius: 4px; padding: 1px 4px;
  white-space: pre-wrap; word-break: break-all; }
.fix { white-space: pre-wrap; }
ul.evidence { margin: 0; padding-left: 18px; word-break: break-all; }
details.exchange > *:not(summary) { margin-left: 12px; margin-right: 12px; }
details.exchange summary code.url { word-break: break-all; }
.idx { color: #475467; } .ms { color: #475467; float: right; }
.step-tag { font-size: 11px; background: #eef4ff; color: #3538cd; padding: 1px 6px; border-radius: 4px; }
table.headers th, table.tls th { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
table.headers td, table.tls td { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px;
  word-break: break-all; }
pre.body, .jwt pre { background: #0c111d; color: #e4e7ec; padding: 10px 12px; border-radius: 6px;
  overflow-x: auto; white-space: pre-wrap; word-break: break-all; max-height: 480px; overflow-y: auto; }
.jwt-title { font-size: 12px; color: #475467; margin-top: 8px; }
.error { color: var(--fail); font-weight: 600; }
.none, .note, .when { color: #475467; }
.all-good { color: var(--pass); font-weight: 600; }
footer { margin-top: 40px; color: #667085; font-size: 12px; }
@media print { details { break-inside: avoid; } pre.body { max-height: none; } }
`;
