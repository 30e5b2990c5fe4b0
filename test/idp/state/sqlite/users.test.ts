/**
 * The user store's timing: an unknown user costs what a wrong password costs (real scrypt). The
 * rules every backend shares are in ../contract/users.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openIdpState } from '../../../../packages/idp/src/state/open.ts';
import { tempDataDir } from '../../../e2e/support.ts';

test('measured: an unknown user takes about as long as a wrong password', async () => {
  const state = await openIdpState({ dataDir: tempDataDir() });
  try {
    await state.users.add('known@example.com', 'right');
    const median = async (upn: string) => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        assert.equal(await state.users.authenticate(upn, 'wrong'), undefined);
        times.push(performance.now() - start);
      }
      return times.sort((a, b) => a - b)[2] ?? 0;
    };
    // Warm up (scrypt's thread pool, the JIT) so that neither series pays for it.
    await median('known@example.com');
    await median('unknown@example.com');
    const known = await median('known@example.com');
    const unknown = await median('unknown@example.com');
    assert.ok(known > 5, `scrypt ran for the known user (${known} ms)`);
    assert.ok(unknown > known / 2 && unknown < known * 2, `${unknown} ms vs ${known} ms`);
  } finally {
    await state.close();
  }
});
