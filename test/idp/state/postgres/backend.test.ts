/**
 * What is particular to the PostgreSQL backend: versioned migrations under an advisory lock, the
 * pool failing closed (refused, paused, exhausted) and recovering, bounded sweeps, and the
 * password of the URL never shown.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Logger, LogLevel } from '../../../../packages/idp/src/log.ts';
import { openIdpState } from '../../../../packages/idp/src/state/open.ts';
import { PgDatabase } from '../../../../packages/idp/src/state/postgres/database.ts';
import { openPostgresBackend } from '../../../../packages/idp/src/state/postgres/index.ts';
import type { PgLockoutStore } from '../../../../packages/idp/src/state/postgres/lockout.ts';
import { MIGRATIONS, migrate } from '../../../../packages/idp/src/state/postgres/migrations.ts';
import { postgresOptions } from '../../../../packages/idp/src/state/postgres/options.ts';
import type { PgReplayCache } from '../../../../packages/idp/src/state/postgres/replay.ts';
import {
  databaseTarget,
  redactDatabaseUrl,
} from '../../../../packages/idp/src/state/postgres/url.ts';
import type { IdpState } from '../../../../packages/idp/src/state/types.ts';
import { tempDataDir } from '../../../e2e/support.ts';
import { assertCode } from '../../../helpers/assert-code.ts';
import { postgresSkip, startPostgres, type TestPostgres } from '../../../helpers/postgres.ts';
import { freePort } from '../../../helpers/redis.ts';

function memoryLogger(): Logger & { lines: { level: LogLevel; event: string; text: string }[] } {
  const lines: { level: LogLevel; event: string; text: string }[] = [];
  return {
    lines,
    log: (level, event, fields) => lines.push({ level, event, text: JSON.stringify(fields) }),
  };
}

const policy = { threshold: 3, windowMs: 60_000, lockoutMs: 300_000 };

test('URLs: only postgres:// and postgresql://; shown without their password', async () => {
  for (const bad of ['mysql://x/y', './data', 'postgres', ''])
    await assert.rejects(openIdpState({ dataDir: tempDataDir(), database: bad }), TypeError, bad);
  assert.equal(
    redactDatabaseUrl('postgres://idp:s3cret@db:5432/idp?sslmode=require&password=x'),
    'postgres://idp:***@db:5432/idp?sslmode=require&password=***',
  );
  assert.equal(redactDatabaseUrl('postgresql://db/idp'), 'postgresql://db/idp');
  assert.equal(databaseTarget('postgres://idp:s3cret@db:5432/idp'), 'db:5432/idp');
  assert.throws(() => postgresOptions({ maxConnections: 0 }), TypeError);
});

test('nothing listening: opening fails closed at once with PSSO_ERR_IDP_STORE_UNAVAILABLE, no password in the error or the log', async () => {
  const port = await freePort();
  const logger = memoryLogger();
  const url = `postgres://idp:pa55-Secret@127.0.0.1:${port}/idp`;
  const t0 = performance.now();
  const e = await assertCode(
    openIdpState({ dataDir: tempDataDir(), database: url, logger }),
    'PSSO_ERR_IDP_STORE_UNAVAILABLE',
  );
  assert.ok(performance.now() - t0 < 2000);
  assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}/idp`));
  assert.ok(!`${e.message}${e.stack}`.includes('pa55-Secret'));
  assert.ok(logger.lines.length > 0);
  for (const line of logger.lines) assert.ok(!line.text.includes('pa55-Secret'), line.text);
});

describe('the PostgreSQL backend against a real server', { skip: postgresSkip() }, () => {
  let server: TestPostgres;
  before(async () => {
    server = await startPostgres();
  });
  after(() => server.destroy());

  test('migrations: numbered, recorded, applied once when two hosts start together', async () => {
    const url = await server.createDatabase();
    const hosts = Array.from(
      { length: 4 },
      () => new PgDatabase(url, postgresOptions({ connectTimeoutMs: 15_000 })),
    );
    try {
      const applied = await Promise.all(hosts.map((db) => migrate(db)));
      assert.deepEqual(
        applied.flat(),
        MIGRATIONS.map((_, i) => i + 1),
        'each migration applied by exactly one host',
      );
      const db = hosts[0] as PgDatabase;
      const { rows } = await db.query<{ version: number; name: string }>(
        'SELECT version, name FROM schema_migrations ORDER BY version',
      );
      assert.deepEqual(
        rows.map((r) => r.version),
        MIGRATIONS.map((_, i) => i + 1),
      );
      assert.deepEqual(await migrate(db), []);
      await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        MIGRATIONS.length + 1,
        'from the future',
      ]);
      const e = await assertCode(migrate(db), 'PSSO_ERR_IDP_DATA_DIR');
      assert.match(e.message, /newer version/);
      assert.ok(!e.message.includes(server.password));
    } finally {
      for (const db of hosts) await db.close();
    }
  });

  test('replay: expired rows are swept in bounded batches; live ones stay', async () => {
    let t = 1_700_000_000_000;
    const backend = await openPostgresBackend(await server.createDatabase(), {
      now: () => t,
      postgres: { sweepIntervalMs: 0 },
    });
    try {
      const replay = backend.ephemeral().replay as PgReplayCache;
      for (let i = 0; i < 30; i++) await replay.firstSeen('nonce', 'u', `short-${i}`, 1000);
      await replay.firstSeen('nonce', 'u', 'long', 10_000);
      t += 1000;
      assert.equal(await replay.sweep(), 30);
      const { rows } = await backend.database.query<{ n: string }>(
        'SELECT count(*) AS n FROM replay_cache',
      );
      assert.equal(Number(rows[0]?.n), 1);
      assert.equal(await replay.firstSeen('nonce', 'u', 'long', 10_000), false);
    } finally {
      await backend.ephemeral().close();
      await backend.close();
    }
  });

  test('lockout: prune deletes expired rows only', async () => {
    const backend = await openPostgresBackend(await server.createDatabase());
    try {
      const lockout = backend.ephemeral().lockout as PgLockoutStore;
      const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000);
      await lockout.recordFailure('old', 'S', at(0), policy);
      for (const s of [0, 1, 2]) await lockout.recordFailure('locked', 'S', at(s), policy);
      await lockout.recordFailure('recent', 'S', at(100), policy);
      assert.equal(await lockout.prune(at(120), policy), 1);
      assert.equal(await lockout.isLocked('locked', 'S', at(120), policy), true);
      assert.equal(await lockout.prune(at(400), policy), 2);
    } finally {
      await backend.close();
    }
  });

  test('an exhausted pool fails closed within the connect timeout', async () => {
    const backend = await openPostgresBackend(await server.createDatabase(), {
      postgres: { maxConnections: 1, connectTimeoutMs: 300, statementTimeoutMs: 5000 },
    });
    try {
      const busy = backend.database.query('SELECT pg_sleep(1.5)');
      const t0 = performance.now();
      await assertCode(
        backend.durable.users.get('a@example.com'),
        'PSSO_ERR_IDP_STORE_UNAVAILABLE',
      );
      assert.ok(performance.now() - t0 < 1200, 'did not wait for the busy connection');
      await busy;
      assert.equal(await backend.durable.users.get('a@example.com'), undefined);
    } finally {
      await backend.close();
    }
  });

  test('a statement past the timeout is ended and fails closed', async () => {
    const backend = await openPostgresBackend(await server.createDatabase(), {
      postgres: { statementTimeoutMs: 200 },
    });
    try {
      await assertCode(
        backend.database.query('SELECT pg_sleep(2)'),
        'PSSO_ERR_IDP_STORE_UNAVAILABLE',
      );
      assert.equal(await backend.ping(), true);
    } finally {
      await backend.close();
    }
  });

  describe('outages: every store fails closed, then recovers by itself', () => {
    let state: IdpState;
    const logger = memoryLogger();
    const device = { clientId: 'psso', deviceKid: 'kid' };
    let token = '';
    before(async () => {
      state = await openIdpState({
        dataDir: tempDataDir(),
        database: await server.createDatabase(),
        logger,
        postgres: { connectTimeoutMs: 500, statementTimeoutMs: 500 },
      });
      await state.users.add('alice@example.com', 'pw');
      token = await state.refreshTokens.issue({ upn: 'alice@example.com', ...device });
    });
    after(() => state.close());

    /** Every kind of state, once: each must reject with PSSO_ERR_IDP_STORE_UNAVAILABLE. */
    const everyStore = (s: IdpState) => [
      s.users.get('alice@example.com'),
      s.users.verify('alice@example.com', 'pw'),
      s.relyingParties.list(),
      s.devices.get('kid'),
      s.userKeys.get('kid'),
      s.smartCardCas.list(),
      s.refreshTokens.rotate(token, device),
      s.refreshTokens.lookup(token, device),
      s.replay.firstSeen('nonce', 'u', `v-${Math.random()}`, 60_000),
      s.nonces.consume(`n-${Math.random()}`, 60_000),
      s.lockout.isLocked('alice@example.com', 'S', new Date(), policy),
      s.lockout.recordFailure('alice@example.com', 'S', new Date(), policy),
    ];

    test('stopped: PSSO_ERR_IDP_STORE_UNAVAILABLE from every store, quickly; ping false', async () => {
      await server.stop();
      try {
        const t0 = performance.now();
        for (const call of everyStore(state))
          await assertCode(call, 'PSSO_ERR_IDP_STORE_UNAVAILABLE');
        assert.ok(performance.now() - t0 < 5000, `${Math.round(performance.now() - t0)} ms`);
        assert.equal(await state.ping(), false);
      } finally {
        await server.restart();
      }
      assert.equal(await state.ping(), true);
      assert.equal((await state.users.get('alice@example.com'))?.upn, 'alice@example.com');
      const r = await state.refreshTokens.rotate(token, device);
      assert.ok(r.ok, 'the token was not consumed during the outage');
      token = r.token;
    });

    test('paused (hung): calls fail within the timeouts, then succeed once resumed', async () => {
      server.pause();
      try {
        const t0 = performance.now();
        await assertCode(state.users.get('alice@example.com'), 'PSSO_ERR_IDP_STORE_UNAVAILABLE');
        await assertCode(
          state.replay.firstSeen('nonce', 'u', `p-${Math.random()}`, 60_000),
          'PSSO_ERR_IDP_STORE_UNAVAILABLE',
        );
        assert.ok(performance.now() - t0 < 4000, `${Math.round(performance.now() - t0)} ms`);
      } finally {
        server.resume();
      }
      let ok = false;
      for (let i = 0; i < 50 && !ok; i++) {
        ok = await state.ping();
        if (!ok) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(ok, 'recovered');
      assert.equal((await state.users.get('alice@example.com'))?.upn, 'alice@example.com');
    });

    test('the log names the database, never the password; one warning per outage, then recovered', () => {
      const text = logger.lines.map((l) => `${l.event} ${l.text}`).join('\n');
      assert.ok(!text.includes(server.password), 'no password in the log');
      assert.ok(
        logger.lines.some((l) => l.event === 'state.postgres.failed' && l.level === 'warn'),
      );
      assert.ok(logger.lines.some((l) => l.event === 'state.postgres.recovered'));
    });
  });
});
