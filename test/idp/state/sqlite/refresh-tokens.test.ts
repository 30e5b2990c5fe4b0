/**
 * SQLite only: refresh tokens stored before families existed (schema 4) are migrated into a family
 * of their own. The rules every backend shares are in ../contract/refresh-tokens.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IdpDatabase } from '../../../../packages/idp/src/state/sqlite/database.ts';
import { SqliteRefreshTokenStore } from '../../../../packages/idp/src/state/sqlite/refresh-tokens.ts';

describe('refresh tokens: migration of tokens issued before families', () => {
  test('a token stored before the migration starts its own family and still rotates once', async () => {
    const { tempDataDir } = await import('../../../e2e/support.ts');
    const { join } = await import('node:path');
    const Database = (await import('better-sqlite3')).default;
    const dir = tempDataDir();
    // A database at schema 4 (before families), holding one token.
    const raw = new Database(join(dir, 'idp.sqlite'));
    raw.exec(`CREATE TABLE refresh_tokens (digest TEXT PRIMARY KEY, upn TEXT NOT NULL COLLATE NOCASE,
      client_id TEXT NOT NULL, device_kid TEXT NOT NULL, expires INTEGER NOT NULL) STRICT`);
    const { createHash } = await import('node:crypto');
    const digest = createHash('sha256').update('old-token').digest('base64');
    raw
      .prepare('INSERT INTO refresh_tokens VALUES (?, ?, ?, ?, ?)')
      .run(digest, 'u@x', 'psso', 'kid', Date.now() + 60_000);
    raw.close();
    // Apply migrations 5.. on top (the earlier ones are faked as applied, except table 3 made above).
    const db2 = new Database(join(dir, 'idp.sqlite'));
    db2.exec(`CREATE TABLE users (upn TEXT PRIMARY KEY COLLATE NOCASE, password_hash TEXT NOT NULL, immutable_id TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL) STRICT;
      CREATE TABLE relying_parties (identifier TEXT PRIMARY KEY, saml_version TEXT NOT NULL) STRICT;
      CREATE TABLE lockout (upn TEXT PRIMARY KEY COLLATE NOCASE, failures INTEGER NOT NULL, window_start INTEGER NOT NULL, locked_until INTEGER) STRICT;
      CREATE TABLE devices (signing_kid TEXT PRIMARY KEY, client_id TEXT NOT NULL, signing_jwk TEXT NOT NULL, encryption_kid TEXT NOT NULL, encryption_jwk TEXT NOT NULL, created_at TEXT NOT NULL) STRICT;
      CREATE TABLE server_nonces (digest TEXT PRIMARY KEY, expires INTEGER NOT NULL) STRICT;
      PRAGMA user_version = 4;`);
    db2.close();
    const db = IdpDatabase.open(dir);
    try {
      const store = new SqliteRefreshTokenStore(db);
      const device = { clientId: 'psso', deviceKid: 'kid' };
      const r = await store.rotate('old-token', device);
      assert.equal(r.ok, true);
      assert.deepEqual(await store.rotate('old-token', device), { ok: false, reason: 'reuse' });
      assert.ok(r.ok && (await store.rotate(r.token, device)).ok === false, 'family revoked');
    } finally {
      db.close();
    }
  });
});
