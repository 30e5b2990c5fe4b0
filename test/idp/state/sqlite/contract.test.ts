/**
 * The state contracts on the embedded backend: SQLite in a temporary data folder, each "host" a
 * connection of its own to the one file (as `--workers` processes are).
 */
import { IdpDatabase } from '../../../../packages/idp/src/state/sqlite/database.ts';
import { SqliteReplayCache } from '../../../../packages/idp/src/state/sqlite/replay.ts';
import { tempDataDir } from '../../../e2e/support.ts';
import type { StateFixture } from '../contract/fixture.ts';
import { refreshTokensContract } from '../contract/refresh-tokens.ts';
import { registryContract } from '../contract/registry.ts';
import { replayContract } from '../contract/replay.ts';
import { usersContract } from '../contract/users.ts';

const sqlite: StateFixture = {
  name: 'sqlite',
  fresh: async () => ({ dataDir: tempDataDir() }),
};

usersContract(sqlite);
registryContract(sqlite);
refreshTokensContract(sqlite);
replayContract({
  name: 'sqlite',
  async pair() {
    let t = 1_700_000_000_000;
    const now = () => t;
    const dir = tempDataDir();
    const [da, db] = [IdpDatabase.open(dir), IdpDatabase.open(dir)];
    const a = new SqliteReplayCache(da, { now, pruneIntervalMs: 0 });
    const b = new SqliteReplayCache(db, { now, pruneIntervalMs: 0 });
    return {
      a,
      b,
      advance: (ms) => {
        t += ms;
      },
      async close() {
        await a.close();
        await b.close();
        da.close();
        db.close();
      },
    };
  },
});
