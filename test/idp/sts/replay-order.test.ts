/**
 * The STS records a UsernameToken Nonce only for an authenticated request: nothing anonymous
 * (unknown relying party, wrong password, locked account, stale message) writes to the replay store.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryReplayCache } from '../../../packages/idp/src/state/memory/replay.ts';
import type { StsAnswer } from '../../../packages/idp/src/sts/handle.ts';
import { type Fakes, fakeDeps, NOW, settings } from './fakes.ts';
import { aroundNonce, rst as build, nonceFlood, type RstOptions, send } from './requests.ts';

/** The profiles here carry a Nonce unless a test says otherwise. */
const rst = (o: RstOptions = {}) => build({ profile: 'wss11', ...o });

function outcome(answer: StsAnswer, label: string): void {
  assert.equal(answer.outcome, label, answer.detail);
}

describe('STS: the Nonce is recorded only after the relying party and the credentials', () => {
  test('unknown-applies-to with a fresh Nonce records nothing', async () => {
    const deps = fakeDeps();
    outcome(await send(rst({ appliesTo: 'urn:evil' }).body, deps), 'unknown-relying-party');
    assert.equal(deps.recorded, 0);
  });
  test('bad-credentials with a fresh Nonce records nothing (wrong password, unknown user)', async () => {
    const deps = fakeDeps();
    outcome(await send(rst({ password: 'nope' }).body, deps), 'bad-credentials');
    outcome(await send(rst({ username: 'mallory@example.com' }).body, deps), 'bad-credentials');
    assert.equal(deps.recorded, 0);
  });
  test('locked-out with a fresh Nonce records nothing', async () => {
    const deps = fakeDeps();
    for (let i = 0; i < 3; i++) await send(rst({ password: 'nope' }).body, deps);
    outcome(await send(rst().body, deps), 'locked-out');
    assert.equal(deps.recorded, 0);
  });
  test('stale-created and future-created are refused before anything is recorded', async () => {
    const deps = fakeDeps();
    outcome(
      await send(rst({ now: new Date(NOW.getTime() - 301_000) }).body, deps),
      'stale-created',
    );
    outcome(
      await send(rst({ now: new Date(NOW.getTime() + 121_000) }).body, deps),
      'timestamp-future',
    );
    assert.equal(deps.recorded, 0);
  });
  test('a wrong-password request replayed is bad-credentials again, never a replay', async () => {
    const deps = fakeDeps();
    const body = rst({ password: 'nope' }).body;
    outcome(await send(body, deps), 'bad-credentials');
    outcome(await send(body, deps), 'bad-credentials');
  });
  test('replayed-nonce: a captured login replayed is refused and does not reset the failure count', async () => {
    const deps = fakeDeps();
    const captured = rst().body;
    outcome(await send(captured, deps), 'issued');
    // Two failures (threshold 3), then the captured request replayed: refused, and the count stays.
    await send(rst({ password: 'nope' }).body, deps);
    await send(rst({ password: 'nope' }).body, deps);
    outcome(await send(captured, deps), 'replayed-nonce');
    outcome(await send(rst({ password: 'nope' }).body, deps), 'bad-credentials');
    outcome(await send(rst().body, deps), 'locked-out');
  });
  test('a Nonce first sent with a wrong password can still be used by the real user', async () => {
    const deps = fakeDeps();
    const r = rst();
    const guessed = r.body.replace('correct horse', 'nope');
    outcome(await send(guessed, deps), 'bad-credentials');
    outcome(await send(r.body, deps), 'issued');
  });
});

// The same flood at full size (101,000) against a running IdP's store: test/e2e/anonymous-flood.test.ts.
describe('replay-cache flood', () => {
  test('replay-cache flood: more anonymous RSTs with fresh Nonces (unknown AppliesTo, wrong password) than the memory cache holds leave it empty; a login then succeeds in both profiles', async () => {
    const replay = new MemoryReplayCache({ maxEntries: 1_000, sweepIntervalMs: 0 });
    const deps: Fakes = Object.assign(fakeDeps(), { replay });
    // One template per kind of request; each copy gets a fresh Nonce (the Created stays current).
    const template = (o: Parameters<typeof rst>[0]) => aroundNonce(rst(o).body);
    const kinds = [
      template({ appliesTo: 'urn:unknown:relying-party' }),
      template({ username: 'spray@example.com', password: 'guess' }),
    ];
    assert.deepEqual(await nonceFlood(kinds, 1_010, deps, settings()), {
      'unknown-relying-party': 505,
      'bad-credentials': 505,
    });
    assert.equal(replay.size, 0, 'no anonymous request was recorded');
    for (const profile of ['wss11', 'macos'] as const) {
      for (const version of ['1.3', '2005'] as const) {
        outcome(await send(rst({ profile, version }).body, deps, version), 'issued');
      }
    }
    assert.equal(replay.size, 2, 'the two wss11 logins, which carry a Nonce');
    await replay.close();
  });
});
