import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadOrCreateAdminToken } from '../../../packages/idp/src/psso/admin-token.ts';
import { IdpError } from '../../../packages/psso-wstrust/src/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'psso-admin-token-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('admin-token race on a fresh folder: every concurrent loader holds the one token written', async () => {
  const dir = mkdtempSync(join(root, 'd'));
  const all = await Promise.all(Array.from({ length: 12 }, () => loadOrCreateAdminToken(dir)));
  const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
  assert.equal(statSync(join(dir, 'admin-token')).mode & 0o777, 0o600);
  for (const admin of all) {
    assert.equal(admin.check(`Bearer ${token}`), true);
    assert.equal(admin.check(`Bearer ${'x'.repeat(43)}`), false);
  }
});

test('an admin token open to other users is refused with the chmod that fixes it', async () => {
  const dir = mkdtempSync(join(root, 'd'));
  await loadOrCreateAdminToken(dir);
  const file = join(dir, 'admin-token');
  chmodSync(file, 0o644);
  await assert.rejects(loadOrCreateAdminToken(dir), (e: unknown) => {
    assert.ok(e instanceof IdpError);
    assert.equal(e.code, 'PSSO_ERR_IDP_KEY_FILE_MODE');
    assert.match(
      e.message,
      new RegExp(`the admin token file ${file} .*\\(mode 0644\\): chmod 600 ${file}$`),
    );
    return true;
  });
  chmodSync(file, 0o600);
  writeFileSync(file, 'short\n');
  await assert.rejects(loadOrCreateAdminToken(dir), /holds no usable token/);
});

test('a server nonce key open to other users is refused with the chmod that fixes it', async () => {
  const { loadOrCreateNonceKey } = await import('../../../packages/idp/src/psso/server-nonce.ts');
  const dir = mkdtempSync(join(root, 'd'));
  const key = await loadOrCreateNonceKey(dir);
  const file = join(dir, 'nonce-key');
  chmodSync(file, 0o640);
  await assert.rejects(loadOrCreateNonceKey(dir), (e: unknown) => {
    assert.ok(e instanceof IdpError);
    assert.equal(e.code, 'PSSO_ERR_IDP_KEY_FILE_MODE');
    assert.ok(e.message.endsWith(`chmod 600 ${file}`));
    return true;
  });
  chmodSync(file, 0o600);
  assert.deepEqual(await loadOrCreateNonceKey(dir), key);
});
