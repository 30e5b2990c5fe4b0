/**
 * The state contracts on PostgreSQL: a throwaway server for this file, a fresh database per
 * fixture, each "host" a pool of its own on the one database.
 */
import { after, before, describe } from 'node:test';
import { PgDatabase } from '../../../../packages/idp/src/state/postgres/database.ts';
import { PgLockoutStore } from '../../../../packages/idp/src/state/postgres/lockout.ts';
import { migrate } from '../../../../packages/idp/src/state/postgres/migrations.ts';
import { postgresOptions } from '../../../../packages/idp/src/state/postgres/options.ts';
import { PgReplayCache } from '../../../../packages/idp/src/state/postgres/replay.ts';
import { tempDataDir } from '../../../e2e/support.ts';
import { postgresSkip, startPostgres, type TestPostgres } from '../../../helpers/postgres.ts';
import type { StateFixture } from '../contract/fixture.ts';
import { lockoutContract } from '../contract/lockout.ts';
import { refreshTokensContract } from '../contract/refresh-tokens.ts';
import { registryContract } from '../contract/registry.ts';
import { replayContract } from '../contract/replay.ts';
import { usersContract } from '../contract/users.ts';

describe('the state contracts on PostgreSQL', { skip: postgresSkip() }, () => {
  let server: TestPostgres;
  const pools: PgDatabase[] = [];
  /** A pool on `url` with the schema in place. */
  const pool = async (url: string): Promise<PgDatabase> => {
    // Generous: a cold pool opens its connections (SCRAM) all at once on a busy 2-core machine.
    const db = new PgDatabase(
      url,
      postgresOptions({ maxConnections: 20, connectTimeoutMs: 15_000 }),
    );
    pools.push(db);
    await migrate(db);
    return db;
  };
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    for (const db of pools) await db.close();
    await server.destroy();
  });

  const postgres: StateFixture = {
    name: 'postgres',
    fresh: async () => ({
      dataDir: tempDataDir(),
      database: await server.createDatabase(),
      postgres: { connectTimeoutMs: 15_000 },
    }),
  };
  usersContract(postgres);
  registryContract(postgres);
  refreshTokensContract(postgres);
  replayContract({
    name: 'postgres',
    async pair() {
      let t = 1_700_000_000_000;
      const now = () => t;
      const url = await server.createDatabase();
      const a = new PgReplayCache(await pool(url), { now, sweepIntervalMs: 0 });
      const b = new PgReplayCache(await pool(url), { now, sweepIntervalMs: 0 });
      return {
        a,
        b,
        advance: (ms) => {
          t += ms;
        },
        async close() {
          await a.close();
          await b.close();
        },
      };
    },
  });
  describe('the LockoutStore contract (two pools)', () => {
    let a: PgLockoutStore;
    let b: PgLockoutStore;
    before(async () => {
      const url = await server.createDatabase();
      a = new PgLockoutStore(await pool(url));
      b = new PgLockoutStore(await pool(url));
    });
    lockoutContract(
      () => a,
      () => b,
    );
  });
});
