/**
 * Every `PSSO_ERR_*` code of the closed union in src/errors.ts is documented in the README twice:
 * in the "Errors" table (code, class, meaning; a row may abbreviate siblings as `CODE` / `_SUFFIX`
 * or group them as `PSSO_ERR_X_*`) and in the remediation table (one row per code, exactly).
 * The runtime list of the union is `REMEDIATIONS`'s keys: its type is total over `PssoErrorCode`,
 * so a code cannot be added to the union without appearing there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { REMEDIATIONS } from '../../packages/cli/src/remediation.ts';
import type { PssoErrorCode } from '../../packages/psso-wstrust/src/errors.ts';

const CODES = Object.keys(REMEDIATIONS) as PssoErrorCode[];
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/**
 * Codes known to be missing from the README's "Errors" table, each waiting for its row. Remove a
 * code from this list when its row is added (the test says so).
 */
const NOT_YET_IN_ERRORS_TABLE: readonly PssoErrorCode[] = [];

/** The text of the README section under `heading`, up to the next heading of any level. */
function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README has no "${heading}" section`);
  const rest = README.slice(start + heading.length + 2);
  const end = rest.search(/^#{1,6} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/**
 * The codes the first cell of one table row documents: `A` / `_B` means A and A with its last
 * part(s) replaced by `_B`; `PSSO_ERR_X_*` means every code starting `PSSO_ERR_X_`.
 */
function documentedBy(firstCell: string, codes: readonly string[]): Set<string> {
  const out = new Set<string>();
  let base = '';
  for (const [, name = ''] of firstCell.matchAll(/`([A-Z0-9_*]+)`/g)) {
    if (name.startsWith('PSSO_ERR_')) base = name;
    const parts = base.split('_');
    const candidates = name.startsWith('_')
      ? parts.map((_, k) => `${parts.slice(0, k).join('_')}${name}`)
      : [name];
    for (const code of codes)
      for (const c of candidates)
        if (c.endsWith('*') ? code.startsWith(c.slice(0, -1)) : code === c) out.add(code);
  }
  return out;
}

describe('every PSSO_ERR_* code is documented', () => {
  test('the closed union is what REMEDIATIONS lists', () => {
    assert.ok(CODES.length > 50, `only ${CODES.length} codes`);
    for (const code of CODES) assert.match(code, /^PSSO_ERR_[A-Z0-9_]+$/);
  });

  test('the README "Errors" table documents each code (its class and meaning)', () => {
    const rows = section('## Errors')
      .split('\n')
      .filter((line) => line.startsWith('| `PSSO_ERR_'));
    const documented = new Set<string>();
    for (const row of rows)
      for (const c of documentedBy(row.split('|')[1] ?? '', CODES)) documented.add(c);
    const missing = CODES.filter((c) => !documented.has(c));
    assert.deepEqual(
      missing.filter((c) => !NOT_YET_IN_ERRORS_TABLE.includes(c)),
      [],
      'add a row to the README "Errors" table for each of these codes',
    );
    assert.deepEqual(
      NOT_YET_IN_ERRORS_TABLE.filter((c) => !missing.includes(c)),
      [],
      'documented now: remove these from NOT_YET_IN_ERRORS_TABLE',
    );
  });

  test('the README remediation table has exactly one row per code', () => {
    const rows = [...README.matchAll(/^\| `(PSSO_ERR_[A-Z0-9_]+)` \| (?!`)/gm)].map((m) => m[1]);
    const inRemediation = rows.filter((c) => c !== undefined && CODES.includes(c as PssoErrorCode));
    assert.deepEqual(
      CODES.filter((c) => inRemediation.filter((r) => r === c).length !== 1),
      [],
      'regenerate it: node --import tsx scripts/remediation-table.ts',
    );
  });

  test('the abbreviations of the "Errors" table expand as a reader would', () => {
    const codes = [
      'PSSO_ERR_A_B_C',
      'PSSO_ERR_A_B_D',
      'PSSO_ERR_A_E',
      'PSSO_ERR_F_G',
      'PSSO_ERR_H',
    ];
    assert.deepEqual([...documentedBy(' `PSSO_ERR_A_B_C` / `_D` / `_E` ', codes)].sort(), [
      'PSSO_ERR_A_B_C',
      'PSSO_ERR_A_B_D',
      'PSSO_ERR_A_E',
    ]);
    assert.deepEqual([...documentedBy(' `PSSO_ERR_F_*`, `PSSO_ERR_H` ', codes)].sort(), [
      'PSSO_ERR_F_G',
      'PSSO_ERR_H',
    ]);
    assert.deepEqual([...documentedBy(' `PSSO_ERR_A` ', codes)], []);
  });
});
