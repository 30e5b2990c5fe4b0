import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { prepareDataDir } from '../../../packages/idp/src/cluster.ts';
import { DEFAULT_CONFIG } from '../../../packages/idp/src/config.ts';
import {
  loadOrCreateNonceKey,
  NONCE_KEY_FILE,
  ServerNonces,
} from '../../../packages/idp/src/psso/server-nonce.ts';
import { MemoryReplayCache } from '../../../packages/idp/src/state/memory/replay.ts';
import { consumedNonces } from '../../../packages/idp/src/state/nonces.ts';
import { IdpDatabase } from '../../../packages/idp/src/state/sqlite/database.ts';
import { SqliteReplayCache } from '../../../packages/idp/src/state/sqlite/replay.ts';
import type { ReplayCache } from '../../../packages/idp/src/state/types.ts';
import { IdpError } from '../../../packages/psso-wstrust/src/errors.ts';
import { tempDataDir } from '../../e2e/support.ts';

const T0 = new Date('2026-11-29T10:00:00.000Z').getTime();
const KEY = randomBytes(32);

function setup(o: { key?: Buffer; replay?: ReplayCache } = {}) {
  let t = T0;
  const replay = o.replay ?? new MemoryReplayCache({ now: () => t, sweepIntervalMs: 0 });
  const nonces = new ServerNonces({
    key: o.key ?? KEY,
    consumed: consumedNonces(replay),
    clock: () => new Date(t),
  });
  return {
    nonces,
    replay,
    at(ms: number) {
      t = T0 + ms;
    },
  };
}

/** A replay store that counts what is asked of it. */
function countingReplay(): ReplayCache & { calls: number } {
  const inner = new MemoryReplayCache({ sweepIntervalMs: 0 });
  const spy = {
    calls: 0,
    firstSeen(...args: Parameters<ReplayCache['firstSeen']>) {
      spy.calls++;
      return inner.firstSeen(...args);
    },
    close: () => inner.close(),
  };
  return spy;
}

describe('sealed server nonces', () => {
  test('a nonce is accepted once; replayed-server-nonce is refused', async () => {
    const { nonces } = setup();
    const n = nonces.issue();
    assert.match(n, /^[A-Za-z0-9_-]{55}$/);
    assert.equal(await nonces.consume(n), undefined);
    assert.equal(await nonces.consume(n), 'server-nonce-replayed');
  });
  test('issuing writes nothing: 1,000 nonces, not one call to the replay store', async () => {
    const replay = countingReplay();
    const { nonces } = setup({ replay });
    const all = new Set(Array.from({ length: 1000 }, () => nonces.issue()));
    assert.equal(all.size, 1000, 'every nonce differs');
    assert.equal(replay.calls, 0);
  });
  test('forged-server-nonce: sealed under another key', async () => {
    const other = setup({ key: randomBytes(32) }).nonces.issue();
    assert.equal(await setup().nonces.consume(other), 'server-nonce-forged');
  });
  test('tampered-server-nonce: the issue time moved forward by one byte', async () => {
    const { nonces } = setup();
    const bytes = Buffer.from(nonces.issue(), 'base64url');
    bytes[8] = (bytes[8] ?? 0) ^ 0x01;
    assert.equal(await nonces.consume(bytes.toString('base64url')), 'server-nonce-forged');
  });
  test('tampered-server-nonce: a flipped tag bit', async () => {
    const { nonces } = setup();
    const bytes = Buffer.from(nonces.issue(), 'base64url');
    bytes[40] = (bytes[40] ?? 0) ^ 0x80;
    assert.equal(await nonces.consume(bytes.toString('base64url')), 'server-nonce-forged');
  });
  test('expired-server-nonce: five minutes after issue', async () => {
    const s = setup();
    const n = s.nonces.issue();
    s.at(299_999);
    const fresh = s.nonces.issue();
    assert.equal(await s.nonces.consume(n), undefined, 'still valid just before five minutes');
    s.at(300_000 + 299_999);
    assert.equal(await s.nonces.consume(fresh), 'server-nonce-expired');
  });
  test('future-server-nonce: issued beyond the clock skew (another host, or a forged time)', async () => {
    const s = setup();
    s.at(121_000);
    const ahead = s.nonces.issue();
    s.at(0);
    assert.equal(await s.nonces.consume(ahead), 'server-nonce-future');
    s.at(119_000);
    const withinSkew = s.nonces.issue();
    s.at(0);
    assert.equal(await s.nonces.consume(withinSkew), undefined);
  });
  test('malformed-server-nonce: missing, wrong length, not base64url, a re-spelt encoding', async () => {
    const { nonces } = setup();
    assert.equal(await nonces.consume(undefined), 'server-nonce-missing');
    assert.equal(await nonces.consume(''), 'server-nonce-missing');
    assert.equal(await nonces.consume(42), 'server-nonce-missing');
    assert.equal(await nonces.consume('made-up'), 'server-nonce-malformed');
    const n = nonces.issue();
    assert.equal(await nonces.consume(`${n.slice(0, 54)}+`), 'server-nonce-malformed');
    // The last character carries 2 unused bits: another spelling of the same bytes is refused, so
    // a consumed nonce cannot be replayed under a second spelling.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(n.at(-1) as string);
    const respelt = n.slice(0, 54) + alphabet[last ^ 0b01];
    assert.deepEqual(Buffer.from(respelt, 'base64url'), Buffer.from(n, 'base64url'));
    assert.equal(await nonces.consume(respelt), 'server-nonce-malformed');
    assert.equal(await nonces.consume(n), undefined);
  });
  test('the consumption is remembered until the nonce expires (plus the skew), then forgotten', async () => {
    const s = setup();
    const n = s.nonces.issue();
    assert.equal(await s.nonces.consume(n), undefined);
    s.at(299_000);
    assert.equal(await s.nonces.consume(n), 'server-nonce-replayed');
    assert.equal((s.replay as MemoryReplayCache).size, 1);
    s.at(300_000 + 120_000 + 1000);
    await s.replay.firstSeen('nonce', '', 'sweep', 1000);
    assert.equal((s.replay as MemoryReplayCache).size, 1, 'the consumed nonce was reclaimed');
  });
  test('a store failure is thrown (the endpoint fails closed), not a refusal', async () => {
    const replay = new MemoryReplayCache({ sweepIntervalMs: 0 });
    await replay.close();
    const { nonces } = setup({ replay });
    await assert.rejects(
      nonces.consume(nonces.issue()),
      (e) => e instanceof IdpError && e.code === 'PSSO_ERR_IDP_STORE_UNAVAILABLE',
    );
  });
  test('a key that is not 32 bytes is caller misuse', () => {
    assert.throws(
      () =>
        new ServerNonces({
          key: randomBytes(16),
          consumed: consumedNonces(new MemoryReplayCache()),
        }),
      TypeError,
    );
  });
});

describe('the server nonce key in the data folder', () => {
  test('created once, mode 0600, and the same on every load', async () => {
    const dir = tempDataDir();
    const key = await loadOrCreateNonceKey(dir);
    assert.equal(key.length, 32);
    assert.equal(statSync(join(dir, NONCE_KEY_FILE)).mode & 0o777, 0o600);
    assert.deepEqual(await loadOrCreateNonceKey(dir), key);
  });
  test('concurrent first starts converge on one key, leaving no temporary file', async () => {
    const dir = tempDataDir();
    const keys = await Promise.all(Array.from({ length: 16 }, () => loadOrCreateNonceKey(dir)));
    for (const k of keys) assert.deepEqual(k, keys[0]);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith(NONCE_KEY_FILE)),
      [NONCE_KEY_FILE],
    );
  });
  test('--workers: the primary creates the key before forking, so every worker loads the same one', async () => {
    const dir = tempDataDir();
    await prepareDataDir(dir, DEFAULT_CONFIG);
    assert.equal(statSync(join(dir, NONCE_KEY_FILE)).mode & 0o777, 0o600);
    const before = readFileSync(join(dir, NONCE_KEY_FILE));
    await loadOrCreateNonceKey(dir);
    assert.deepEqual(readFileSync(join(dir, NONCE_KEY_FILE)), before);
  });
  test('a damaged key file is refused with PSSO_ERR_IDP_DATA_DIR', async () => {
    const dir = tempDataDir();
    writeFileSync(join(dir, NONCE_KEY_FILE), 'short\n', { mode: 0o600 });
    await assert.rejects(
      loadOrCreateNonceKey(dir),
      (e) =>
        e instanceof IdpError && e.code === 'PSSO_ERR_IDP_DATA_DIR' && !e.message.includes('short'),
    );
  });
  test('workers on one data folder: a nonce issued by one is accepted once by another', async () => {
    const dir = tempDataDir();
    const [a, b] = [IdpDatabase.open(dir), IdpDatabase.open(dir)] as const;
    const worker = async (database: IdpDatabase) =>
      new ServerNonces({
        key: await loadOrCreateNonceKey(dir),
        consumed: consumedNonces(new SqliteReplayCache(database, { pruneIntervalMs: 0 })),
      });
    const [one, two] = await Promise.all([worker(a), worker(b)]);
    const n = one.issue();
    assert.equal(await two.consume(n), undefined);
    assert.equal(await one.consume(n), 'server-nonce-replayed');
    a.close();
    b.close();
  });
});
