import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { freePort, redisServerPath, redisSkip } from './redis.ts';

describe('test/helpers/redis', () => {
  test('without redis-server: a skip locally, a failure under CI', (t) => {
    const saved = {
      PATH: process.env.PATH,
      REDIS_SERVER: process.env.REDIS_SERVER,
      CI: process.env.CI,
    };
    t.after(() => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    process.env.PATH = '/nonexistent';
    delete process.env.REDIS_SERVER;
    assert.equal(redisServerPath(), undefined);
    process.env.CI = 'false';
    assert.match(String(redisSkip()), /redis-server not installed/);
    process.env.CI = 'true';
    assert.throws(() => redisSkip(), /CI=true/);
  });

  test('freePort gives a loopback port that can be listened on', async () => {
    const port = await freePort();
    assert.ok(port > 0 && port < 65536);
  });
});
