import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Command, CommanderError } from 'commander';
import {
  addCheckOutputOptions,
  type CheckOutputFlags,
  loadTrace,
  writeCheckOutputs,
} from '../../packages/cli/src/check-outputs.ts';
import { UsageError } from '../../packages/cli/src/usage.ts';
import { CheckError } from '../../packages/psso-wstrust/src/errors.ts';
import { fixture } from '../check/fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'psso-check-outputs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a `check` command wired as the lead will wire it; returns its stderr. */
async function runCheck(args: string[]): Promise<{ stderr: string; written: string[] }> {
  const { report, password } = await fixture();
  let written: string[] = [];
  const command = addCheckOutputOptions(
    new Command('check').option('--mex <url>').option('--realm-url <url>').exitOverride(),
  )
    .configureOutput({ writeErr: () => undefined })
    .action(async (flags: CheckOutputFlags) => {
      written = await writeCheckOutputs(report, flags, { secrets: [password] });
    });
  const chunks: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await command.parseAsync(args, { from: 'user' });
  } finally {
    process.stderr.write = write;
  }
  return { stderr: chunks.join(''), written };
}

test('--html and --trace: a report and a redacted HAR, no warning, the trace reads back', async () => {
  const { report, password, secrets } = await fixture();
  const html = join(dir, 'report.html');
  const trace = join(dir, 'trace.har');
  const { stderr, written } = await runCheck(['--html', html, '--trace', trace]);
  assert.deepEqual(written, [html, trace]);
  assert.equal(stderr, '');
  assert.match(readFileSync(html, 'utf8'), /^<!DOCTYPE html>/);
  const text = readFileSync(trace, 'utf8');
  for (const secret of [password, ...Object.values(secrets)]) assert.ok(!text.includes(secret));
  const loaded = await loadTrace(trace);
  assert.deepStrictEqual(loaded.report?.rules, report.rules);
  assert.deepStrictEqual(loaded.target, report.target);
  assert.equal(loaded.exchanges.length, report.exchanges.length);
  assert.ok(loaded.exchanges.every((e) => e.redacted));
});

test('--trace-secrets: a loud warning on stderr, the trace keeps the password, mode 0600', async () => {
  const { report, password } = await fixture();
  const trace = join(dir, 'secrets.har');
  const html = join(dir, 'with-secrets.html');
  const { stderr } = await runCheck(['--trace', trace, '--trace-secrets', '--html', html]);
  assert.match(stderr, /WARNING.*--trace-secrets.*clear text/);
  assert.match(stderr, /Do not attach it to a ticket/);
  assert.equal(statSync(trace).mode & 0o777, 0o600);
  assert.ok(readFileSync(trace, 'utf8').includes(password));
  assert.ok(!readFileSync(html, 'utf8').includes(password), 'the HTML report stays redacted');
  assert.deepStrictEqual((await loadTrace(trace)).report, report);
});

test('--trace-secrets without --trace is a usage error, before anything runs', async () => {
  await assert.rejects(runCheck(['--trace-secrets']), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /--trace-secrets needs --trace/);
    return true;
  });
});

test('--from-trace with --mex is refused by the parser (usage)', async () => {
  await assert.rejects(
    runCheck(['--from-trace', join(dir, 'x.har'), '--mex', 'https://sts.example.com/mex']),
    (e: unknown) => e instanceof CommanderError && e.code === 'commander.conflictingOption',
  );
});

test('--from-trace: garbage, oversized (refused before reading) or missing files', async () => {
  const garbage = join(dir, 'garbage.har');
  writeFileSync(garbage, '<html>not a HAR</html>');
  await assert.rejects(loadTrace(garbage), (e: unknown) => {
    assert.ok(e instanceof CheckError);
    assert.equal(e.code, 'PSSO_ERR_CHECK_TRACE');
    return true;
  });
  const huge = join(dir, 'huge.har');
  writeFileSync(huge, '');
  truncateSync(huge, 64 * 1024 * 1024); // sparse: costs no disk, would cost memory to read
  await assert.rejects(loadTrace(huge), (e: unknown) => {
    assert.ok(e instanceof CheckError);
    assert.match(e.message, /larger than/);
    return true;
  });
  await assert.rejects(loadTrace(join(dir, 'absent.har')), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /ENOENT/);
    return true;
  });
  await assert.rejects(loadTrace(dir), UsageError);
});
