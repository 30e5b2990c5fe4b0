/**
 * A real IdP sharing its replay cache and lockout store through a real Redis, which hangs (SIGSTOP)
 * and then goes away: the Platform SSO token endpoint answers 503 `temporarily_unavailable` and
 * the STS a Receiver fault — never 401 invalid_grant or FailedAuthentication — and both recover
 * when Redis is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WsTrustFaultError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { generateDeviceKeys } from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import {
  processSecurityTokenResponse,
  securityTokenRequest,
} from '../../packages/psso-wstrust/src/wstrust/exchange.ts';
import { buildRequestSecurityToken } from '../../packages/psso-wstrust/src/wstrust/rst.ts';
import { redisSkip, startRedis, type TestRedis } from '../helpers/redis.ts';
import { samlBearerJwt, stsLogin, tokenRequest } from './logins.ts';
import {
  endpointOf,
  enrol,
  serverNonceFrom,
  startTestIdp,
  type TestIdp,
  tempDataDir,
  URN,
} from './support.ts';

const keys = generateDeviceKeys();
let redis: TestRedis;
let idp: TestIdp;

before(async () => {
  if (redisSkip() !== false) return;
  redis = await startRedis();
  const dataDir = tempDataDir();
  idp = await startTestIdp({ dataDir, redisUrl: redis.url });
  await enrol(dataDir, keys);
});
after(async () => {
  await idp?.close();
  await redis?.stop();
  await closeHttpAgents();
});

const assertion = async () => (await stsLogin(idp)).token.assertion;

/** A SAML bearer login; the nonce and assertion are fetched first (they need no Redis). */
const samlLogin = async (xml: string, serverNonce: string) =>
  tokenRequest(idp, await samlBearerJwt(idp, keys, xml, '1.1', serverNonce), {
    ca: idp.caPem,
    timeoutMs: 10_000,
  });

async function stsAnswer() {
  const rst = buildRequestSecurityToken({
    endpoint: endpointOf(idp, '1.3'),
    appliesTo: URN,
    username: idp.demoUser.upn,
    password: idp.password,
    profile: 'wss11',
  });
  const body = await securityTokenRequest(endpointOf(idp, '1.3'), rst, {
    ca: idp.caPem,
    timeoutMs: 10_000,
  });
  return () => processSecurityTokenResponse(body, { version: '1.3', messageId: rst.messageId });
}

/** Waits (up to ~10 s: ioredis reconnects with a growing delay) until the STS issues again. */
async function recovered(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      (await stsAnswer())();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.fail('the STS did not recover once Redis was back');
}

function temporarilyUnavailable(r: {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
}) {
  assert.equal(r.status, 503, r.text);
  assert.equal(JSON.parse(r.text).error, 'temporarily_unavailable');
  assert.match(r.headers['retry-after'] ?? '', /^[1-9]\d*$/);
}

const receiverFault = (e: unknown) =>
  e instanceof WsTrustFaultError &&
  e.faultCode === 's:Receiver' &&
  e.subcode !== 'wsse:FailedAuthentication';

describe('Redis cannot answer: 503 at /psso/token, a Receiver fault at the STS', {
  skip: redisSkip(),
}, () => {
  test('hung Redis (SIGSTOP): SAML bearer login answers 503, the STS a Receiver fault', async () => {
    const xml = await assertion();
    const nonce = await serverNonceFrom(idp);
    redis.pause();
    try {
      temporarilyUnavailable(await samlLogin(xml, nonce));
      assert.throws(await stsAnswer(), receiverFault);
    } finally {
      redis.resume();
    }
    await recovered();
  });
  test('Redis stopped: the same, then both recover once Redis is back', async () => {
    const xml = await assertion();
    const nonce = await serverNonceFrom(idp);
    await redis.stop();
    temporarilyUnavailable(await samlLogin(xml, nonce));
    assert.throws(await stsAnswer(), receiverFault);
    await redis.restart();
    await recovered();
    // The same assertion was never recorded while Redis was away: it is accepted now.
    assert.equal((await samlLogin(xml, await serverNonceFrom(idp))).status, 200);
  });
});
