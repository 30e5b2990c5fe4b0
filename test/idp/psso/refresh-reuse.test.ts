/**
 * Refresh-token rotation with reuse detection (OAuth 2.0 Security BCP, RFC 9700 §4.14.2): a
 * rotated token presented again revokes its whole family; a token presented by another device is
 * refused and not consumed. Through the token endpoint handler, over the real SQLite store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TokenAnswer } from '../../../packages/idp/src/psso/token.ts';
import { type Bench, BOB, openBench, refreshTokenOf, requestForm, send } from './token-bench.ts';

let b: Bench;
let now = Date.now();
before(async () => {
  b = await openBench({ clock: () => new Date(now) });
});
after(() => b.close());

async function login(): Promise<string> {
  const r = await requestForm(b, { password: BOB.password });
  return refreshTokenOf(r, await send(b, r));
}

async function refresh(token: string, device = b.device) {
  const r = await requestForm(b, { refreshToken: token }, device);
  const answer = await send(b, r);
  return { answer, next: answer.status === 200 ? await refreshTokenOf(r, answer) : undefined };
}

function refused(a: TokenAnswer, outcome: string): void {
  assert.equal(a.status, 401, a.body);
  assert.equal(JSON.parse(a.body).error, 'invalid_grant');
  assert.equal(a.outcome, outcome);
}

describe('refresh tokens: rotation, families and reuse detection', () => {
  test('rotation: each refresh gives a new token of the same family; the old one is used', async () => {
    const t1 = await login();
    const { next: t2 } = await refresh(t1);
    assert.ok(t2 !== undefined && t2 !== t1);
    const { next: t3 } = await refresh(t2);
    assert.ok(t3 !== undefined);
  });

  test('refresh-token reuse: a stolen, already rotated token revokes the whole family', async () => {
    const stolen = await login();
    const { next: legit } = await refresh(stolen); // the device rotates it
    assert.ok(legit !== undefined);
    refused((await refresh(stolen)).answer, 'refresh-token-reuse'); // the thief replays it
    // Every token of the family is refused afterwards: the device's current one too.
    refused((await refresh(legit)).answer, 'refresh-token-revoked');
    refused((await refresh(stolen)).answer, 'refresh-token-reuse');
    // Another login starts a new family, untouched.
    assert.equal((await refresh(await login())).answer.status, 200);
  });

  test('refresh-token reuse by the thief first: the device, presenting the rotated token, revokes the family the thief now holds', async () => {
    const shared = await login();
    const { next: thiefs } = await refresh(shared); // the thief refreshes first
    assert.ok(thiefs !== undefined);
    refused((await refresh(shared)).answer, 'refresh-token-reuse'); // the device, later
    refused((await refresh(thiefs)).answer, 'refresh-token-revoked');
  });

  test('a token presented by another registered device is refused and not consumed', async () => {
    const t = await login();
    refused((await refresh(t, b.other)).answer, 'refresh-token-other-device');
    refused((await refresh(t, b.other)).answer, 'refresh-token-other-device');
    // Still valid for its own device, and its family was not revoked.
    const { answer, next } = await refresh(t);
    assert.equal(answer.status, 200);
    assert.equal((await refresh(next ?? '')).answer.status, 200);
  });

  test('another device presenting an already rotated token cannot revoke the family (no denial of service)', async () => {
    const t1 = await login();
    const { next: t2 } = await refresh(t1);
    refused((await refresh(t1, b.other)).answer, 'refresh-token-other-device');
    assert.equal((await refresh(t2 ?? '')).answer.status, 200);
  });

  test('an unknown token is refused as unknown; an expired one as expired, and it revokes nothing', async () => {
    refused((await refresh('made-up-token')).answer, 'refresh-token-unknown');
    const t = await login();
    now += 15 * 24 * 3600_000;
    try {
      refused((await refresh(t)).answer, 'refresh-token-expired');
    } finally {
      now -= 15 * 24 * 3600_000;
    }
  });

  test('rotation is atomic: the database failing mid-refresh leaves the presented token usable', async () => {
    const t = await login();
    const db = b.accounts.database;
    // The INSERT of the new token fails (a trigger stands in for a full disk): nothing is committed.
    db.statement(
      "CREATE TEMP TRIGGER fail_insert BEFORE INSERT ON refresh_tokens BEGIN SELECT RAISE(FAIL, 'disk full'); END",
    ).run();
    try {
      const { answer } = await refresh(t);
      assert.equal(answer.status, 503);
      assert.equal(JSON.parse(answer.body).error, 'temporarily_unavailable');
    } finally {
      db.statement('DROP TRIGGER temp.fail_insert').run();
    }
    // Retrying with the same token works (it was not marked used), and is not taken for reuse.
    assert.equal((await refresh(t)).answer.status, 200);
  });

  test('revoking a user removes every family', async () => {
    const t = await login();
    await b.deps.refreshTokens.revoke(BOB.upn);
    refused((await refresh(t)).answer, 'refresh-token-unknown');
  });
});
