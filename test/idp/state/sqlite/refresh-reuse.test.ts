/**
 * Refresh-token rotation with reuse detection (OAuth 2.0 Security BCP, RFC 9700 §4.14.2): a
 * rotated token presented again revokes its whole family; a token presented by another device is
 * refused and not consumed. Through the token endpoint handler, over the real SQLite store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TokenAnswer } from '../../../src/idp/psso/token.ts';
import { IdpDatabase } from '../../../src/idp/store/database.ts';
import { type Bench, BOB, openBench, refreshTokenOf, requestForm, send } from './token-bench.ts';

let b: Bench;
let now = Date.now();
before(async () => {
  b = await openBench({ clock: () => new Date(now) });
});
after(() => b.close());

async function login(): Promise<string> {
  const r = await requestForm(b, { password: BOB.password });
  return refreshTokenOf(r, await send(b, r));
}

async function refresh(token: string, device = b.device) {
  const r = await requestForm(b, { refreshToken: token }, device);
  const answer = await send(b, r);
  return { answer, next: answer.status === 200 ? await refreshTokenOf(r, answer) : undefined };
}

function refused(a: TokenAnswer, outcome: string): void {
  assert.equal(a.status, 401, a.body);
  assert.equal(JSON.parse(a.body).error, 'invalid_grant');
  assert.equal(a.outcome, outcome);
}

describe('refresh tokens: rotation, families and reuse detection', () => {
  test('rotation: each refresh gives a new token of the same family; the old one is used', async () => {
    const t1 = await login();
    const { next: t2 } = await refresh(t1);
    assert.ok(t2 !== undefined && t2 !== t1);
    const { next: t3 } = await refresh(t2);
    assert.ok(t3 !== undefined);
  });

  test('refresh-token reuse: a stolen, already rotated token revokes the whole family', async () => {
    const stolen = await login();
    const { next: legit } = await refresh(stolen); // the device rotates it
    assert.ok(legit !== undefined);
    refused((await refresh(stolen)).answer, 'refresh-token-reuse'); // the thief replays it
    // Every token of the family is refused afterwards: the device's current one too.
    refused((await refresh(legit)).answer, 'refresh-token-revoked');
    refused((await refresh(stolen)).answer, 'refresh-token-reuse');
    // Another login starts a new family, untouched.
    assert.equal((await refresh(await login())).answer.status, 200);
  });

  test('refresh-token reuse by the thief first: the device, presenting the rotated token, revokes the family the thief now holds', async () => {
    const shared = await login();
    const { next: thiefs } = await refresh(shared); // the thief refreshes first
    assert.ok(thiefs !== undefined);
    refused((await refresh(shared)).answer, 'refresh-token-reuse'); // the device, later
    refused((await refresh(thiefs)).answer, 'refresh-token-revoked');
  });

  test('a token presented by another registered device is refused and not consumed', async () => {
    const t = await login();
    refused((await refresh(t, b.other)).answer, 'refresh-token-other-device');
    refused((await refresh(t, b.other)).answer, 'refresh-token-other-device');
    // Still valid for its own device, and its family was not revoked.
    const { answer, next } = await refresh(t);
    assert.equal(answer.status, 200);
    assert.equal((await refresh(next ?? '')).answer.status, 200);
  });

  test('another device presenting an already rotated token cannot revoke the family (no denial of service)', async () => {
    const t1 = await login();
    const { next: t2 } = await refresh(t1);
    refused((await refresh(t1, b.other)).answer, 'refresh-token-other-device');
    assert.equal((await refresh(t2 ?? '')).answer.status, 200);
  });

  test('an unknown token is refused as unknown; an expired one as expired, and it revokes nothing', async () => {
    refused((await refresh('made-up-token')).answer, 'refresh-token-unknown');
    const t = await login();
    now += 15 * 24 * 3600_000;
    try {
      refused((await refresh(t)).answer, 'refresh-token-expired');
    } finally {
      now -= 15 * 24 * 3600_000;
    }
  });

  test('rotation is atomic: the database failing mid-refresh leaves the presented token usable', async () => {
    const t = await login();
    const db = b.accounts.database;
    // The INSERT of the new token fails (a trigger stands in for a full disk): nothing is committed.
    db.statement(
      "CREATE TEMP TRIGGER fail_insert BEFORE INSERT ON refresh_tokens BEGIN SELECT RAISE(FAIL, 'disk full'); END",
    ).run();
    try {
      const { answer } = await refresh(t);
      assert.equal(answer.status, 503);
      assert.equal(JSON.parse(answer.body).error, 'temporarily_unavailable');
    } finally {
      db.statement('DROP TRIGGER temp.fail_insert').run();
    }
    // Retrying with the same token works (it was not marked used), and is not taken for reuse.
    assert.equal((await refresh(t)).answer.status, 200);
  });

  test('revoking a user removes every family', async () => {
    const t = await login();
    b.deps.refreshTokens.revoke(BOB.upn);
    refused((await refresh(t)).answer, 'refresh-token-unknown');
  });
});

describe('refresh tokens: migration of tokens issued before families', () => {
  test('a token stored before the migration starts its own family and still rotates once', async () => {
    const { tempDataDir } = await import('../../e2e/support.ts');
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
      const { RefreshTokenStore } = await import('../../../src/idp/psso/refresh-tokens.ts');
      const store = new RefreshTokenStore(db);
      const device = { clientId: 'psso', deviceKid: 'kid' };
      const r = store.rotate('old-token', device);
      assert.equal(r.ok, true);
      assert.deepEqual(store.rotate('old-token', device), { ok: false, reason: 'reuse' });
      assert.ok(r.ok && store.rotate(r.token, device).ok === false, 'the family was revoked');
    } finally {
      db.close();
    }
  });
});
