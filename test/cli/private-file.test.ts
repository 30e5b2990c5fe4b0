import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writePrivateFile } from '../../packages/cli/src/private-file.ts';

const root = mkdtempSync(join(tmpdir(), 'psso-private-file-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('session file loosened to 0644: the next write makes it 0600 again, whatever the umask', async () => {
  const file = join(root, 'session.json');
  writeFileSync(file, '{"refreshToken":"old"}');
  chmodSync(file, 0o644);
  const umask = process.umask(0);
  try {
    await writePrivateFile(file, '{"refreshToken":"new"}');
  } finally {
    process.umask(umask);
  }
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(readFileSync(file, 'utf8'), '{"refreshToken":"new"}');
  await writePrivateFile(join(root, 'fresh.json'), '{}');
  assert.equal(statSync(join(root, 'fresh.json')).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(root).sort(), ['fresh.json', 'session.json']);
});
