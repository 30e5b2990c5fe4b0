import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { postgresBinDir, postgresSkip, startPostgres } from './postgres.ts';

describe('test/helpers/postgres', () => {
  test('without PostgreSQL: a skip locally, a failure under CI', (t) => {
    const saved = { PATH: process.env.PATH, PG_BIN: process.env.PG_BIN, CI: process.env.CI };
    t.after(() => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    process.env.PATH = '/nonexistent';
    delete process.env.PG_BIN;
    const absent = postgresBinDir('/nonexistent');
    assert.equal(absent, undefined);
    process.env.CI = 'false';
    assert.match(
      String(postgresSkip('/nonexistent')),
      /PostgreSQL .* not installed .*apt-get install postgresql/,
    );
    process.env.CI = 'true';
    assert.throws(() => postgresSkip('/nonexistent'), /CI=true/);
  });

  test('a throwaway server: fresh databases, password over TCP, gone after destroy', {
    skip: postgresSkip(),
  }, async () => {
    const server = await startPostgres();
    try {
      const [one, two] = [await server.createDatabase(), await server.createDatabase()];
      assert.notEqual(one, two);
      assert.match(one, new RegExp(`^postgres://psso:[^@]+@127\\.0\\.0\\.1:${server.port}/psso_`));
      const wrong = new pg.Client({ connectionString: one.replace(server.password, 'wrong') });
      await assert.rejects(wrong.connect(), /password authentication failed/);
      const client = new pg.Client({ connectionString: one });
      await client.connect();
      const { rows } = await client.query<{ fsync: string }>('SHOW fsync');
      assert.equal(rows[0]?.fsync, 'off');
      await client.end();
    } finally {
      await server.destroy();
    }
    const after = new pg.Client({
      host: '127.0.0.1',
      port: server.port,
      user: 'psso',
      connectionTimeoutMillis: 1000,
    });
    await assert.rejects(after.connect());
  });
});
