/**
 * Store failures at the token endpoint are the IdP's failures, never the client's: a SQLite
 * database, replay cache or lockout store that cannot answer gives 503 `temporarily_unavailable`
 * with Retry-After (a Mac then does not ask for the password again), anything unexpected 500
 * `server_error`; never 401 `invalid_grant`.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IdpBusyError } from '../../../packages/idp/src/auth/fair-queue.ts';
import { handleTokenRequest, type TokenAnswer } from '../../../packages/idp/src/psso/token.ts';
import { MemoryReplayCache } from '../../../packages/idp/src/state/memory/replay.ts';
import { storePasswordCheck } from '../../helpers/password-check.ts';
import {
  aliceAssertion,
  type Bench,
  BOB,
  openBench,
  refreshTokenOf,
  requestForm,
  send,
} from './token-bench.ts';

function unavailable(a: TokenAnswer, outcome = 'store-unavailable'): void {
  assert.equal(a.status, 503, `${a.outcome} ${a.body}`);
  assert.equal(a.outcome, outcome);
  assert.equal(JSON.parse(a.body).error, 'temporarily_unavailable');
  assert.equal(JSON.parse(a.body).suberror, undefined);
  assert.ok(a.retryAfterSeconds !== undefined && a.retryAfterSeconds > 0);
}

describe('token endpoint: a store that cannot answer is 503, never invalid_grant', () => {
  let b: Bench;
  before(async () => {
    b = await openBench();
  });
  after(() => b.close());

  test('users and refresh-token database closed: password login and refresh answer 503', async () => {
    const fresh = await openBench();
    try {
      const login = await requestForm(fresh, { password: BOB.password });
      const refresh = await refreshTokenOf(login, await send(fresh, login));
      const password = await requestForm(fresh, { password: BOB.password });
      const wrong = await requestForm(fresh, { password: 'not the password' });
      const again = await requestForm(fresh, { refreshToken: refresh });
      fresh.accounts.close();
      unavailable(await send(fresh, password));
      // Not even a wrong password is judged while the user store cannot answer.
      unavailable(await send(fresh, wrong));
      unavailable(await send(fresh, again));
    } finally {
      fresh.close();
    }
  });

  test('device and nonce database closed: 503 before any device check', async () => {
    const fresh = await openBench();
    try {
      const r = await requestForm(fresh, { password: BOB.password });
      fresh.core.close();
      unavailable(await send(fresh, r));
    } finally {
      fresh.close();
    }
  });

  test('replay cache closed (Redis gone): a SAML bearer login answers 503', async () => {
    const replay = new MemoryReplayCache();
    const fresh = await openBench({ replay });
    try {
      const r = await requestForm(fresh, { saml: await aliceAssertion() });
      await replay.close();
      unavailable(await send(fresh, r));
    } finally {
      fresh.close();
    }
  });

  test('replay-cache flood: a full replay cache answers 503 with Retry-After, not 401', async () => {
    // Room for one login: its server nonce and its assertion id.
    const fresh = await openBench({ replay: new MemoryReplayCache({ maxEntries: 2 }) });
    try {
      const first = await requestForm(fresh, { saml: await aliceAssertion() });
      assert.equal((await send(fresh, first)).status, 200);
      const a = await send(fresh, await requestForm(fresh, { saml: await aliceAssertion() }));
      unavailable(a);
      assert.match(a.detail ?? '', /PSSO_ERR_IDP_REPLAY_CACHE_FULL/);
    } finally {
      fresh.close();
    }
  });

  test('a busy IdP (PSSO_ERR_IDP_BUSY) answers 503 with Retry-After', async () => {
    const deps = {
      ...b.deps,
      passwords: storePasswordCheck(b.accounts.users, {
        verify: async () => {
          throw new IdpBusyError('every password-check slot is taken', 1);
        },
      }),
    };
    const r = await requestForm(b, { password: BOB.password });
    const a = await handleTokenRequest(r.form, deps);
    unavailable(a, 'busy');
    assert.equal(a.retryAfterSeconds, 1);
  });

  test('an unexpected internal error is 500 server_error, its detail for the log only', async () => {
    const deps = {
      ...b.deps,
      passwords: storePasswordCheck(b.accounts.users, {
        verify: async () => {
          throw new RangeError('secret internal detail');
        },
      }),
    };
    const r = await requestForm(b, { password: BOB.password });
    const a = await handleTokenRequest(r.form, deps);
    assert.equal(a.status, 500);
    assert.equal(a.outcome, 'internal-error');
    assert.equal(JSON.parse(a.body).error, 'server_error');
    assert.doesNotMatch(a.body, /secret internal detail/);
    assert.match(a.detail ?? '', /secret internal detail/);
  });

  test('control: with every store answering, a wrong password is still 401 invalid_grant', async () => {
    const a = await send(b, await requestForm(b, { password: 'wrong' }));
    assert.equal(a.status, 401);
    assert.equal(JSON.parse(a.body).error, 'invalid_grant');
    assert.equal(a.outcome, 'bad-credentials');
  });
});
