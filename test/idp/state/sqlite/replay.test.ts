import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IdpDatabase } from '../../../../packages/idp/src/state/sqlite/database.ts';
import { SqliteReplayCache } from '../../../../packages/idp/src/state/sqlite/replay.ts';
import { IdpError } from '../../../../packages/psso-wstrust/src/errors.ts';
import { tempDataDir } from '../../../e2e/support.ts';

function clock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

const rows = (db: IdpDatabase) =>
  (db.statement('SELECT count(*) AS n FROM replay_cache').get() as { n: number }).n;
const isCode = (code: string) => (err: unknown) => err instanceof IdpError && err.code === code;

describe('SqliteReplayCache', () => {
  test('first seen is true, a replay is false', async () => {
    const db = IdpDatabase.open(tempDataDir());
    const cache = new SqliteReplayCache(db, { pruneIntervalMs: 0 });
    assert.equal(await cache.firstSeen('nonce', 'alice', 'n1', 60_000), true);
    assert.equal(await cache.firstSeen('nonce', 'alice', 'n1', 60_000), false);
    assert.equal(await cache.firstSeen('nonce', 'alice', 'n1', 60_000), false);
    assert.equal(await cache.firstSeen('nonce', 'bob', 'n1', 60_000), true);
    assert.equal(await cache.firstSeen('assertion-id', 'alice', 'n1', 60_000), true);
    assert.equal(rows(db), 3);
    await cache.close();
    db.close();
  });

  test('keys are digests: the recorded value is not stored in clear', async () => {
    const db = IdpDatabase.open(tempDataDir());
    const cache = new SqliteReplayCache(db, { pruneIntervalMs: 0 });
    await cache.firstSeen('nonce', 'alice@example.com', 'secret-nonce-value', 60_000);
    const [row] = db.statement('SELECT key FROM replay_cache').all() as { key: string }[];
    assert.match(row?.key ?? '', /^[A-Za-z0-9_-]{43}$/);
    await cache.close();
    db.close();
  });

  test('an entry expires exactly at the end of its ttl, and can then be recorded again', async () => {
    const c = clock();
    const db = IdpDatabase.open(tempDataDir());
    const cache = new SqliteReplayCache(db, { now: c.now, pruneIntervalMs: 0 });
    assert.equal(await cache.firstSeen('nonce', 'alice', 'n', 1000), true);
    c.advance(999);
    assert.equal(await cache.firstSeen('nonce', 'alice', 'n', 1000), false);
    c.advance(1);
    assert.equal(await cache.firstSeen('nonce', 'alice', 'n', 1000), true);
    c.advance(500);
    assert.equal(await cache.firstSeen('nonce', 'alice', 'n', 1000), false, 're-recorded');
    await cache.close();
    db.close();
  });

  test('replay across processes: two connections to one data folder share the entries', async () => {
    const dir = tempDataDir();
    const a = SqliteReplayCache.open(dir, { pruneIntervalMs: 0 });
    const b = SqliteReplayCache.open(dir, { pruneIntervalMs: 0 });
    assert.equal(await a.firstSeen('server-nonce', '', 'shared-1', 60_000), true);
    assert.equal(await b.firstSeen('server-nonce', '', 'shared-1', 60_000), false);
    assert.equal(await b.firstSeen('server-nonce', '', 'shared-2', 60_000), true);
    assert.equal(await a.firstSeen('server-nonce', '', 'shared-2', 60_000), false);
    await a.close();
    await b.close();
  });

  test('replay after restart: entries outlive the connection', async () => {
    const dir = tempDataDir();
    const before = SqliteReplayCache.open(dir, { pruneIntervalMs: 0 });
    assert.equal(await before.firstSeen('assertion-id', 'issuer', '_abc', 60_000), true);
    await before.close();
    const after = SqliteReplayCache.open(dir, { pruneIntervalMs: 0 });
    assert.equal(await after.firstSeen('assertion-id', 'issuer', '_abc', 60_000), false);
    await after.close();
  });

  test('concurrent first uses from two connections: exactly one is first', async () => {
    const dir = tempDataDir();
    const a = SqliteReplayCache.open(dir, { pruneIntervalMs: 0 });
    const b = SqliteReplayCache.open(dir, { pruneIntervalMs: 0 });
    for (let i = 0; i < 50; i++) {
      const answers = await Promise.all([
        a.firstSeen('nonce', 'u', `v${i}`, 60_000),
        b.firstSeen('nonce', 'u', `v${i}`, 60_000),
      ]);
      assert.equal(answers.filter(Boolean).length, 1);
    }
    await a.close();
    await b.close();
  });

  test('a repeated replay is answered from memory, without a query', async () => {
    const dir = tempDataDir();
    const db = IdpDatabase.open(dir);
    const cache = new SqliteReplayCache(db, { pruneIntervalMs: 0 });
    const other = IdpDatabase.open(dir);
    assert.equal(await cache.firstSeen('nonce', 'alice', 'n', 60_000), true);
    // Remove the row behind the cache's back: only its memory can still say "seen".
    other.statement('DELETE FROM replay_cache').run();
    assert.equal(await cache.firstSeen('nonce', 'alice', 'n', 60_000), false);
    // A replay first learnt from the database is remembered too.
    const fresh = new SqliteReplayCache(db, { pruneIntervalMs: 0 });
    assert.equal(await cache.firstSeen('nonce', 'alice', 'm', 60_000), true);
    assert.equal(await fresh.firstSeen('nonce', 'alice', 'm', 60_000), false);
    other.statement('DELETE FROM replay_cache').run();
    assert.equal(await fresh.firstSeen('nonce', 'alice', 'm', 60_000), false);
    await cache.close();
    await fresh.close();
    other.close();
    db.close();
  });

  test('the memory in front is bounded; forgetting there changes no answer', async () => {
    const db = IdpDatabase.open(tempDataDir());
    const cache = new SqliteReplayCache(db, { memoryEntries: 4, pruneIntervalMs: 0 });
    for (let i = 0; i < 20; i++)
      assert.equal(await cache.firstSeen('nonce', 'u', `${i}`, 60_000), true);
    for (let i = 0; i < 20; i++)
      assert.equal(await cache.firstSeen('nonce', 'u', `${i}`, 60_000), false);
    await cache.close();
    db.close();
  });

  test('prune deletes expired rows only', async () => {
    const c = clock();
    const db = IdpDatabase.open(tempDataDir());
    const cache = new SqliteReplayCache(db, { now: c.now, pruneIntervalMs: 0 });
    await cache.firstSeen('nonce', 'u', 'short', 1000);
    await cache.firstSeen('nonce', 'u', 'long', 10_000);
    c.advance(1000);
    assert.equal(cache.prune(), 1);
    assert.equal(rows(db), 1);
    assert.equal(await cache.firstSeen('nonce', 'u', 'long', 10_000), false);
    await cache.close();
    db.close();
  });

  test('a database failure fails closed with PSSO_ERR_IDP_STORE_UNAVAILABLE', async () => {
    const dir = tempDataDir();
    const db = IdpDatabase.open(dir);
    const cache = new SqliteReplayCache(db, { pruneIntervalMs: 0 });
    const other = IdpDatabase.open(dir);
    other.statement('DROP TABLE replay_cache').run();
    await assert.rejects(
      cache.firstSeen('nonce', 'u', 'v', 60_000),
      isCode('PSSO_ERR_IDP_STORE_UNAVAILABLE'),
    );
    other.close();
    db.close();
    await assert.rejects(
      cache.firstSeen('nonce', 'u', 'v', 60_000),
      isCode('PSSO_ERR_IDP_STORE_UNAVAILABLE'),
    );
    await cache.close();
    await assert.rejects(
      cache.firstSeen('nonce', 'u', 'v', 60_000),
      isCode('PSSO_ERR_IDP_STORE_UNAVAILABLE'),
    );
  });

  test('close() leaves a shared database open; a ttl of zero is caller misuse', async () => {
    const db = IdpDatabase.open(tempDataDir());
    const cache = new SqliteReplayCache(db, { pruneIntervalMs: 0 });
    await assert.rejects(cache.firstSeen('nonce', 'u', 'v', 0), TypeError);
    await cache.close();
    assert.equal(db.isOpen, true);
    db.close();
  });
});
