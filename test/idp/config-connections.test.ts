import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkConfig, DEFAULT_CONFIG } from '../../packages/idp/src/config.ts';
import { IdpError } from '../../packages/psso-wstrust/src/errors.ts';

const refused = (raw: Record<string, unknown>, field: string) =>
  assert.throws(
    () => checkConfig(raw),
    (e) => e instanceof IdpError && e.code === 'PSSO_ERR_IDP_CONFIG' && e.message.includes(field),
  );

test('connection settings default to a 10 s handshake, 10 s headers, 5 s keep-alive, a derived cap', () => {
  const c = checkConfig({});
  assert.equal(c.handshakeTimeoutMs, 10_000);
  assert.equal(c.headersTimeoutMs, 10_000);
  assert.equal(c.keepAliveTimeoutMs, 5_000);
  assert.equal(c.maxConnections, undefined);
  assert.equal(c.metricsToken, undefined);
  assert.equal(DEFAULT_CONFIG.handshakeTimeoutMs, 10_000);
});

test('connection settings are read and bounded', () => {
  const c = checkConfig({
    handshakeTimeoutMs: 2_000,
    headersTimeoutMs: 3_000,
    keepAliveTimeoutMs: 1_000,
    maxConnections: 500,
  });
  assert.deepEqual(
    [c.handshakeTimeoutMs, c.headersTimeoutMs, c.keepAliveTimeoutMs, c.maxConnections],
    [2_000, 3_000, 1_000, 500],
  );
  refused({ handshakeTimeoutMs: 0 }, 'handshakeTimeoutMs');
  refused({ headersTimeoutMs: 'soon' }, 'headersTimeoutMs');
  refused({ keepAliveTimeoutMs: 0 }, 'keepAliveTimeoutMs');
  refused({ maxConnections: 0 }, 'maxConnections');
  refused({ maxConnections: 1.5 }, 'maxConnections');
});

test('metricsToken: a weak or malformed token is refused at start', () => {
  assert.equal(
    checkConfig({ metricsToken: 'a-long-enough-metrics-token' }).metricsToken,
    'a-long-enough-metrics-token',
  );
  refused({ metricsToken: 'short' }, 'metricsToken');
  refused({ metricsToken: 'has spaces in the middle of it' }, 'metricsToken');
  refused({ metricsToken: 42 }, 'metricsToken');
});
