import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openIdpState } from '../../../packages/idp/src/state/open.ts';

const FIXTURE = fileURLToPath(new URL('./cli-fixture.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'psso-idp-user-'));
after(() => rmSync(root, { recursive: true, force: true }));
const data = join(root, 'idp');
const PASSWORD = `p&ss<w0rd> "q" 'a' 😀`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `psso-wstrust idp …` through the throwaway program, in a child process. */
function idp(args: string[], stdin = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, 'idp', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const json = (r: Run) => JSON.parse(r.stdout) as Record<string, unknown>;
const errorCode = (r: Run) => (json(r).error as { code: string }).code;

describe('psso-wstrust idp user', () => {
  test('add reads the password from stdin (one newline stripped) and never prints it', async () => {
    const r = await idp(
      ['user', 'add', 'Alice@Example.com', '--password-stdin', '--data', data],
      `${PASSWORD}\n`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /added Alice@Example\.com/);
    assert.equal(r.stdout, '');
    assert.ok(!r.stderr.includes('w0rd'));
    const store = await openIdpState({ dataDir: data });
    try {
      assert.ok(await store.users.authenticate('alice@example.com', PASSWORD));
      assert.equal(await store.users.authenticate('alice@example.com', `${PASSWORD}\n`), undefined);
    } finally {
      await store.close();
    }
  });

  test('add --json prints the new user', async () => {
    const r = await idp(
      ['user', 'add', 'bob@example.com', '--password-stdin', '--data', data, '--json'],
      'secret',
    );
    assert.equal(r.code, 0, r.stderr);
    const user = json(r).user as Record<string, string>;
    assert.equal(user.upn, 'bob@example.com');
    assert.equal(Buffer.from(user.immutableId ?? '', 'base64').length, 16);
    assert.ok(!r.stdout.includes('secret'));
  });

  test('adding an existing UPN (any case) exits 1 with PSSO_ERR_IDP_USER_EXISTS', async () => {
    const r = await idp(
      ['user', 'add', 'ALICE@example.com', '--password-stdin', '--data', data, '--json'],
      'x',
    );
    assert.equal(r.code, 1);
    assert.equal(errorCode(r), 'PSSO_ERR_IDP_USER_EXISTS');
  });

  test('usage errors exit 2: no --password-stdin, empty password, bad UPN, not a UPN', async () => {
    const [noFlag, empty, bad, noUpn, notUpn, noDot] = await Promise.all([
      idp(['user', 'add', 'carol@example.com', '--data', data], 'pw'),
      idp(['user', 'add', 'c@x.example', '--password-stdin', '--data', data], '\n'),
      idp(['user', 'add', 'a\u0007b@x.example', '--password-stdin', '--data', data], 'pw'),
      idp(['user', 'add', '--data', data]),
      idp(['user', 'add', 'carol', '--password-stdin', '--data', data], 'pw'),
      idp(['user', 'add', 'carol@localhost', '--password-stdin', '--data', data], 'pw'),
    ]);
    assert.equal(noFlag.code, 2);
    assert.match(noFlag.stderr, /--password-stdin/);
    assert.equal(empty.code, 2);
    assert.equal(bad.code, 2);
    assert.equal(noUpn.code, 2);
    for (const r of [notUpn, noDot]) {
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /UPN: local@domain/);
    }
  });

  test('unlock clears every lockout counter of a user (any spelling); an unknown user exits 1', async () => {
    const policy = { threshold: 2, windowMs: 600_000, lockoutMs: 600_000, familiarMs: 86_400_000 };
    const now = new Date();
    const store = await openIdpState({ dataDir: data });
    try {
      await store.lockout.recordSuccess('alice@example.com', '127.0.0.2', now, policy);
      for (const source of ['127.0.0.1', '127.0.0.1', '127.0.0.2', '127.0.0.2'])
        await store.lockout.recordFailure('alice@example.com', source, now, policy);
      assert.equal(
        await store.lockout.isLocked('alice@example.com', '127.0.0.1', now, policy),
        true,
      );
      assert.equal(
        await store.lockout.isLocked('alice@example.com', '127.0.0.2', now, policy),
        true,
      );
    } finally {
      await store.close();
    }
    const r = await idp(['user', 'unlock', 'ALICE@EXAMPLE.COM', '--data', data, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(json(r), { unlocked: 'Alice@Example.com' });
    const after = await openIdpState({ dataDir: data });
    try {
      for (const source of ['127.0.0.1', '127.0.0.2'])
        assert.equal(await after.lockout.isLocked('alice@example.com', source, now, policy), false);
    } finally {
      await after.close();
    }
    const unknown = await idp(['user', 'unlock', 'nobody@example.com', '--data', data]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /PSSO_ERR_IDP_USER_NOT_FOUND/);
  });

  test('list: a table for people, JSON for machines', async () => {
    const people = await idp(['user', 'list', '--data', data]);
    assert.equal(people.code, 0, people.stderr);
    assert.match(people.stdout, /^UPN\s+ImmutableID\s+created$/m);
    assert.match(people.stdout, /^Alice@Example\.com\s+\S+==\s+\d{4}-/m);
    const machines = await idp(['user', 'list', '--data', data, '--json']);
    assert.equal(machines.code, 0);
    const users = json(machines).users as { upn: string }[];
    assert.deepEqual(
      users.map((u) => u.upn),
      ['Alice@Example.com', 'bob@example.com'],
    );
  });

  test('remove, then remove again exits 1 with PSSO_ERR_IDP_USER_NOT_FOUND', async () => {
    const r = await idp(['user', 'remove', 'BOB@example.com', '--data', data, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(json(r), { removed: 'bob@example.com' });
    const again = await idp(['user', 'remove', 'bob@example.com', '--data', data]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /PSSO_ERR_IDP_USER_NOT_FOUND/);
  });

  test('list or remove in a folder without a database exits 1 with PSSO_ERR_IDP_DATA_DIR', async () => {
    const r = await idp(['user', 'list', '--data', join(root, 'nowhere'), '--json']);
    assert.equal(r.code, 1);
    assert.equal(errorCode(r), 'PSSO_ERR_IDP_DATA_DIR');
  });
});

describe('psso-wstrust idp user … --database', () => {
  test('a --database that is not a postgres:// URL is a usage error, its password never shown', async () => {
    for (const args of [
      ['user', 'list'],
      ['user', 'add', 'x@example.com', '--password-stdin'],
    ]) {
      const r = await idp([...args, '--database', 'mysql://idp:s3cret@db/idp'], 'pw');
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--database/);
      assert.ok(!r.stderr.includes('s3cret'));
    }
  });
});
