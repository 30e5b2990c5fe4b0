import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { IdpDatabase, SCHEMA_VERSION } from '../../../../packages/idp/src/state/sqlite/database.ts';
import { openSqliteBackend } from '../../../../packages/idp/src/state/sqlite/index.ts';
import { IdpError } from '../../../../packages/psso-wstrust/src/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'psso-db-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${++n}`);
const dataDirError = (e: unknown) => e instanceof IdpError && e.code === 'PSSO_ERR_IDP_DATA_DIR';

test('creates idp.sqlite 0600 in a 0700 folder: WAL, foreign keys, schema version', () => {
  const dir = freshDir();
  const db = IdpDatabase.open(dir);
  try {
    assert.equal(db.file, join(dir, 'idp.sqlite'));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(db.file).mode & 0o777, 0o600);
    assert.deepEqual(db.statement('PRAGMA journal_mode').get(), { journal_mode: 'wal' });
    assert.deepEqual(db.statement('PRAGMA foreign_keys').get(), { foreign_keys: 1 });
    assert.deepEqual(db.statement('PRAGMA user_version').get(), { user_version: SCHEMA_VERSION });
    assert.equal(db.statement('SELECT 1 AS one'), db.statement('SELECT 1 AS one'));
  } finally {
    db.close();
    db.close();
  }
});

test('the schema refuses other SAML versions (the stores check first: see the contract)', () => {
  const db = IdpDatabase.open(freshDir());
  try {
    assert.throws(() =>
      db
        .statement('INSERT INTO relying_parties (identifier, saml_version) VALUES (?, ?)')
        .run('urn:y', '3.0'),
    );
  } finally {
    db.close();
  }
});

test('a file that is not a database is PSSO_ERR_IDP_DATA_DIR', () => {
  const dir = freshDir();
  mkdirSync(dir);
  writeFileSync(join(dir, 'idp.sqlite'), 'not a database at all, just some bytes'.repeat(100));
  assert.throws(() => IdpDatabase.open(dir), dataDirError);
});

test('a database from a newer version is refused', () => {
  const dir = freshDir();
  const db = IdpDatabase.open(dir);
  db.statement(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`).run();
  db.close();
  assert.throws(
    () => IdpDatabase.open(dir),
    (e: unknown) => {
      assert.ok(dataDirError(e));
      assert.match((e as Error).message, /newer version/);
      return true;
    },
  );
});

test('mustExist refuses a folder without a database and creates nothing', () => {
  const dir = freshDir();
  assert.throws(() => openSqliteBackend(dir, { mustExist: true }), dataDirError);
  assert.equal(statSync(dir, { throwIfNoEntry: false }), undefined);
});
