import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openIdpState } from '../../../../packages/idp/src/state/open.ts';
import { IdpDatabase } from '../../../../packages/idp/src/state/sqlite/database.ts';
import { SqliteLockoutStore } from '../../../../packages/idp/src/state/sqlite/lockout.ts';
import { IdpError } from '../../../../packages/psso-wstrust/src/errors.ts';
import { lockoutContract } from '../contract/lockout.ts';

const root = mkdtempSync(join(tmpdir(), 'psso-lockout-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${++n}`);
const policy = { threshold: 3, windowMs: 60_000, lockoutMs: 300_000 };
const smart = { ...policy, familiarMs: 86_400_000 };
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);
const S = '192.0.2.1';

describe('SqliteLockoutStore: the LockoutStore contract (two connections)', () => {
  const dir = freshDir();
  const shared = SqliteLockoutStore.open(dir);
  const second = SqliteLockoutStore.open(dir);
  after(async () => {
    await shared.close();
    await second.close();
  });
  lockoutContract(
    () => shared,
    () => second,
  );
});

test('a lock persists across restarts and is seen by another connection', async () => {
  const dir = freshDir();
  const first = SqliteLockoutStore.open(dir);
  const second = SqliteLockoutStore.open(dir);
  for (const s of [0, 1, 2]) await first.recordFailure('carol@example.com', S, at(s), policy);
  assert.equal(await second.isLocked('Carol@Example.com', S, at(3), policy), true);
  await first.close();
  await second.close();
  const store = await openIdpState({ dataDir: dir });
  try {
    assert.equal(await store.lockout.isLocked('carol@example.com', S, at(4), policy), true);
    await store.lockout.close(); // does not close the shared database
    assert.equal((await store.users.list()).length, 0);
  } finally {
    await store.close();
  }
});

test('familiar sources persist across restarts', async () => {
  const dir = freshDir();
  const first = SqliteLockoutStore.open(dir);
  await first.recordSuccess('erin@example.com', '127.0.0.2', at(0), smart);
  await first.close();
  const second = SqliteLockoutStore.open(dir);
  try {
    for (const s of [1, 2, 3]) await second.recordFailure('erin@example.com', S, at(s), smart);
    assert.equal(await second.isLocked('erin@example.com', S, at(4), smart), true);
    assert.equal(await second.isLocked('erin@example.com', '127.0.0.2', at(4), smart), false);
  } finally {
    await second.close();
  }
});

test('prune deletes expired rows only', async () => {
  const lockout = SqliteLockoutStore.open(freshDir());
  try {
    await lockout.recordFailure('old', S, at(0), policy);
    for (const s of [0, 1, 2]) await lockout.recordFailure('locked', S, at(s), policy);
    await lockout.recordFailure('recent', S, at(100), policy);
    assert.equal(lockout.prune(at(120), policy), 1);
    assert.equal(await lockout.isLocked('locked', S, at(120), policy), true);
    assert.equal(lockout.prune(at(400), policy), 2);
    await lockout.recordSuccess('fam', S, at(0), smart);
    assert.equal(lockout.prune(at(86_399), smart), 0);
    assert.equal(lockout.prune(at(86_400), smart), 1);
  } finally {
    await lockout.close();
  }
});

test('misuse is a TypeError; a closed store is PSSO_ERR_IDP_STORE_UNAVAILABLE', async () => {
  const lockout = SqliteLockoutStore.open(freshDir());
  await assert.rejects(
    lockout.recordFailure('x', S, at(0), { ...policy, threshold: 0 }),
    TypeError,
  );
  await assert.rejects(lockout.isLocked('x', S, new Date(Number.NaN), policy), TypeError);
  await lockout.close();
  await assert.rejects(
    lockout.isLocked('x', S, at(0), policy),
    (e: unknown) => e instanceof IdpError && e.code === 'PSSO_ERR_IDP_STORE_UNAVAILABLE',
  );
});

test('migration 8: a schema-7 database keeps its users (canonical keys) and its locks', async () => {
  const dir = freshDir();
  IdpDatabase.open(dir).close();
  // Roll the file back to schema 7 as an older version left it: a lock and a non-ASCII user.
  const raw = new Database(join(dir, 'idp.sqlite'));
  raw.exec(`DROP INDEX users_upn_key; DROP TABLE lockout_counters; DROP TABLE lockout_sources;
    ALTER TABLE users DROP COLUMN upn_key;
    ALTER TABLE devices DROP COLUMN encryption_alg; -- migration 9 (HPKE), re-applied below
    CREATE TABLE lockout (upn TEXT PRIMARY KEY COLLATE NOCASE, failures INTEGER NOT NULL,
      window_start INTEGER NOT NULL, locked_until INTEGER) STRICT;
    INSERT INTO users (upn, password_hash, immutable_id, created_at)
      VALUES ('Zoë@Bücher.example', 'scrypt$x', 'AAAA', '2026-01-01T00:00:00.000Z');
    INSERT INTO lockout VALUES ('Zoë@Bücher.example', 0, 0, ${at(10_000).getTime()});
    PRAGMA user_version = 7;`);
  raw.close();
  const store = await openIdpState({ dataDir: dir });
  try {
    const nfd = 'zoë@xn--bcher-kva.example'.normalize('NFD');
    assert.equal((await store.users.get(nfd))?.upn, 'Zoë@Bücher.example');
    assert.equal(await store.lockout.isLocked(nfd, S, at(0), smart), true);
    assert.equal(await store.lockout.isLocked(nfd, S, at(0), policy), true);
  } finally {
    await store.close();
  }
});
