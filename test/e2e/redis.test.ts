import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WsTrustFaultError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { WSTRUST13 } from '../../packages/psso-wstrust/src/protocol/wstrust.ts';
import {
  processSecurityTokenResponse,
  securityTokenRequest,
} from '../../packages/psso-wstrust/src/wstrust/exchange.ts';
import { buildRequestSecurityToken } from '../../packages/psso-wstrust/src/wstrust/rst.ts';
import { redisSkip, startRedis, type TestRedis } from '../helpers/redis.ts';
import { startLine } from './idp-process.ts';
import { tempDataDir, URN } from './support.ts';

const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

interface IdpProcess {
  info: { sts13Url: string; caFile: string; demoUser: { upn: string; password?: string } };
  ca: string;
  stop(): Promise<void>;
}

/** A real, separate IdP process (`psso-wstrust idp --redis`), as behind a load balancer. */
async function idpProcess(dataDir: string, redisUrl: string): Promise<IdpProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      'idp',
      '--json',
      '--data',
      dataDir,
      // two processes on one data folder: each its own port (not the one kept in the folder)
      '--port',
      '0',
      '--redis',
      redisUrl,
      '--log-level',
      'error',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const info = await startLine<IdpProcess['info']>(child);
  const { readFileSync } = await import('node:fs');
  return {
    info,
    ca: readFileSync(info.caFile, 'utf8'),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

let redis: TestRedis;
let a: IdpProcess;
let b: IdpProcess;
let password = '';
before(async () => {
  if (redisSkip() !== false) return;
  redis = await startRedis();
  const dataDir = tempDataDir();
  a = await idpProcess(dataDir, redis.url);
  b = await idpProcess(dataDir, redis.url);
  password = a.info.demoUser.password ?? '';
});
after(async () => {
  await a?.stop();
  await b?.stop();
  await redis?.stop();
  await closeHttpAgents();
});

const endpoint = (p: IdpProcess) => ({
  version: '1.3' as const,
  address: p.info.sts13Url,
  soapAction: WSTRUST13.issueAction,
});

describe('two IdP processes sharing Redis', { skip: redisSkip() }, () => {
  test('replayed-nonce across processes: a wss11 request accepted by one is refused by the other', async () => {
    const rst = buildRequestSecurityToken({
      endpoint: endpoint(a),
      appliesTo: URN,
      username: a.info.demoUser.upn,
      password,
      profile: 'wss11',
    });
    const first = await securityTokenRequest(endpoint(a), rst, { ca: a.ca });
    assert.equal(
      processSecurityTokenResponse(first, { version: '1.3', messageId: rst.messageId }).samlVersion,
      '1.1',
    );
    const replay = await securityTokenRequest(endpoint(b), rst, { ca: b.ca });
    assert.throws(
      () => processSecurityTokenResponse(replay, { version: '1.3', messageId: rst.messageId }),
      (e) => e instanceof WsTrustFaultError && e.subcode === 'wsse:InvalidSecurity',
    );
  });

  test('Redis unreachable: the STS fails closed with a fault, then recovers when Redis returns', async () => {
    await redis.stop();
    const down = buildRequestSecurityToken({
      endpoint: endpoint(a),
      appliesTo: URN,
      username: a.info.demoUser.upn,
      password,
      profile: 'wss11',
    });
    const answer = await securityTokenRequest(endpoint(a), down, {
      ca: a.ca,
      timeoutMs: 10_000,
    });
    assert.throws(
      () => processSecurityTokenResponse(answer, { version: '1.3', messageId: down.messageId }),
      (e) => e instanceof WsTrustFaultError && e.faultCode === 's:Receiver',
    );
    await redis.restart();
    let ok = false;
    for (let i = 0; i < 30 && !ok; i++) {
      const r = buildRequestSecurityToken({
        endpoint: endpoint(a),
        appliesTo: URN,
        username: a.info.demoUser.upn,
        password,
        profile: 'wss11',
      });
      const body = await securityTokenRequest(endpoint(a), r, { ca: a.ca });
      try {
        processSecurityTokenResponse(body, { version: '1.3', messageId: r.messageId });
        ok = true;
      } catch {
        await new Promise((res) => setTimeout(res, 200));
      }
    }
    assert.ok(ok, 'the STS recovered once Redis came back');
  });
});
