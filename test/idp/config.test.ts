import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkConfig, DEFAULT_CONFIG } from '../../packages/idp/src/config.ts';
import { IdpError } from '../../packages/psso-wstrust/src/errors.ts';

const bad = (e: unknown) => e instanceof IdpError && e.code === 'PSSO_ERR_IDP_CONFIG';

test('a partial lockout object merges with the defaults', () => {
  const c = checkConfig({ lockout: { threshold: 10 } });
  assert.deepEqual(c.lockout, { ...DEFAULT_CONFIG.lockout, threshold: 10 });
  assert.equal(c.lockout.familiarDays, 14);
  assert.deepEqual(checkConfig({ lockout: { familiarDays: 0 } }).lockout, {
    ...DEFAULT_CONFIG.lockout,
    familiarDays: 0,
  });
});

test('every field is optional: {} is the defaults', () => {
  assert.deepEqual(checkConfig({}), DEFAULT_CONFIG);
});

test('passwordChecks: partial objects merge; limits are checked', () => {
  assert.deepEqual(checkConfig({ passwordChecks: { perSource: 4 } }).passwordChecks, {
    concurrency: 4,
    queue: 128,
    perSource: 4,
  });
  assert.throws(() => checkConfig({ passwordChecks: { concurrency: 0 } }), bad);
  assert.throws(() => checkConfig({ passwordChecks: [] }), bad);
});

test('unknown or bad lockout fields are refused, naming the field', () => {
  assert.throws(() => checkConfig({ lockout: { threshhold: 3 } }), /lockout\.threshhold/);
  assert.throws(() => checkConfig({ lockout: { familiarDays: -1 } }), /lockout\.familiarDays/);
  assert.throws(() => checkConfig({ lockout: 5 }), bad);
});

test('smartCard.mapping: upn and/or email, in order, each once', () => {
  assert.deepEqual(checkConfig({ smartCard: { mapping: ['email'] } }).smartCard, {
    mapping: ['email'],
  });
  assert.deepEqual(checkConfig({ smartCard: {} }).smartCard, { mapping: ['upn', 'email'] });
  assert.equal(checkConfig({}).smartCard, undefined);
  for (const mapping of [[], ['dns'], ['upn', 'upn'], 'upn'])
    assert.throws(() => checkConfig({ smartCard: { mapping } }), bad);
  assert.throws(() => checkConfig({ smartCard: { other: 1 } }), bad);
});

test('database: a postgres:// URL (what --database takes), never echoed when wrong', () => {
  const url = 'postgres://idp:s3cret@db.example:5432/idp';
  assert.equal(checkConfig({ database: url }).database, url);
  assert.equal(checkConfig({ database: 'postgresql://db/idp' }).database, 'postgresql://db/idp');
  assert.equal(checkConfig({}).database, undefined);
  for (const database of ['mysql://db/idp', './data', '', 42])
    assert.throws(
      () => checkConfig({ database }),
      (e) =>
        bad(e) && /database/.test((e as Error).message) && !(e as Error).message.includes('s3cret'),
    );
});
