/**
 * `psso-wstrust idp keys export` / `import`: the bundle file (0600, never over an existing file
 * without --force, stdout only when redirected), `--json` output without key material, stdin, the
 * exit codes (0 done, 1 refused with the error code, 2 usage), and an import that conflicts.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { CONFIG, startTestIdp, tempDataDir } from '../e2e/support.ts';
import { runCli } from '../helpers/cli.ts';

let source: string;
let work: string;
before(async () => {
  source = tempDataDir();
  const idp = await startTestIdp({ dataDir: source, config: CONFIG });
  await idp.close();
  work = tempDataDir();
});

describe('idp keys export', () => {
  test('--out FILE: written 0600; again without --force: usage error (2), the file kept; --force replaces it', async () => {
    const out = join(work, 'keys.json');
    const r = await runCli(['idp', 'keys', 'export', '--data', source, '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const printed = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(printed.out, out);
    assert.match(String(printed.signingFingerprint), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.doesNotMatch(r.stdout, /PRIVATE KEY|BEGIN/);
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as { format: string; version: number };
    assert.deepEqual([bundle.format, bundle.version], ['psso-wstrust-idp-keys', 1]);
    writeFileSync(out, 'keep me', { mode: 0o600 });
    const again = await runCli(['idp', 'keys', 'export', '--data', source, '--out', out]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists: pass --force/);
    assert.equal(readFileSync(out, 'utf8'), 'keep me');
    const forced = await runCli([
      'idp',
      'keys',
      'export',
      '--data',
      source,
      '--out',
      out,
      '--force',
    ]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.match(readFileSync(out, 'utf8'), /"format": "psso-wstrust-idp-keys"/);
  });

  test('to stdout when redirected; --json with stdout is a usage error; no keys: exit 1 with its code', async () => {
    const piped = await runCli(['idp', 'keys', 'export', '--data', source]);
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal((JSON.parse(piped.stdout) as { version: number }).version, 1);
    const both = await runCli(['idp', 'keys', 'export', '--data', source, '--json']);
    assert.equal(both.code, 2);
    const empty = await runCli([
      'idp',
      'keys',
      'export',
      '--data',
      join(work, 'nothing-here'),
      '--out',
      join(work, 'x.json'),
      '--json',
    ]);
    assert.equal(empty.code, 1);
    assert.equal(
      (JSON.parse(empty.stdout) as { error: { code: string } }).error.code,
      'PSSO_ERR_IDP_KEYS_MISSING',
    );
    assert.equal(existsSync(join(work, 'nothing-here')), false, 'export creates no folder');
    assert.equal(existsSync(join(work, 'x.json')), false);
  });
});

describe('idp keys import', () => {
  test('FILE and stdin; again: unchanged; into other keys: exit 1 PSSO_ERR_IDP_KEY_BUNDLE_CONFLICT, then --force', async () => {
    const out = join(work, 'for-import.json');
    assert.equal((await runCli(['idp', 'keys', 'export', '--data', source, '--out', out])).code, 0);
    const target = join(work, 'host-b');
    const r = await runCli(['idp', 'keys', 'import', out, '--data', target, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { created: string[]; summary: object };
    assert.equal(result.created.length, 8);
    assert.equal(statSync(join(target, 'signing-key.pem')).mode & 0o777, 0o600);
    assert.equal(
      readFileSync(join(target, 'nonce-key'), 'utf8'),
      readFileSync(join(source, 'nonce-key'), 'utf8'),
    );
    const stdin = await runCli(
      ['idp', 'keys', 'import', '-', '--data', target, '--json'],
      readFileSync(out, 'utf8'),
    );
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.equal((JSON.parse(stdin.stdout) as { unchanged: string[] }).unchanged.length, 8);

    const other = tempDataDir();
    const idp = await startTestIdp({ dataDir: other, config: CONFIG });
    await idp.close();
    const token = readFileSync(join(other, 'admin-token'), 'utf8');
    const refused = await runCli(['idp', 'keys', 'import', out, '--data', other]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /PSSO_ERR_IDP_KEY_BUNDLE_CONFLICT/);
    assert.equal(readFileSync(join(other, 'admin-token'), 'utf8'), token, 'nothing changed');
    const forced = await runCli(['idp', 'keys', 'import', out, '--data', other, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stderr, /replaced .*signing-key\.pem/);
  });

  test('a damaged bundle: exit 1 PSSO_ERR_IDP_KEY_BUNDLE_FORMAT, nothing written', async () => {
    const out = join(work, 'damaged.json');
    assert.equal((await runCli(['idp', 'keys', 'export', '--data', source, '--out', out])).code, 0);
    const text = readFileSync(out, 'utf8');
    writeFileSync(out, text.replace(/"adminToken": "./, '"adminToken": "#'));
    const target = join(work, 'host-c');
    const r = await runCli(['idp', 'keys', 'import', out, '--data', target, '--json']);
    assert.equal(r.code, 1);
    assert.equal(
      (JSON.parse(r.stdout) as { error: { code: string } }).error.code,
      'PSSO_ERR_IDP_KEY_BUNDLE_FORMAT',
    );
    assert.equal(existsSync(target), false);
  });
});
