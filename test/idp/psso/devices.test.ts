import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LoginError } from '../../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../../packages/psso-wstrust/src/http/agents.ts';
import { parseLoginConfiguration } from '../../../packages/psso-wstrust/src/psso/config/load.ts';
import { resolveLoginConfiguration } from '../../../packages/psso-wstrust/src/psso/config/types.ts';
import {
  nonceRequest,
  processNonceResponse,
} from '../../../packages/psso-wstrust/src/psso/flow/nonce.ts';
import { keyId } from '../../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { startTestIdp, type TestIdp, tempDataDir } from '../../e2e/support.ts';
import { runCli } from '../../helpers/cli.ts';

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicJwk = (k: ReturnType<typeof p256>) => k.publicKey.export({ format: 'jwk' });

describe('device registration from the CLI', () => {
  test('psso-wstrust idp device add / list', async () => {
    const data = tempDataDir();
    const sign = join(data, 'sign.jwk');
    const enc = join(data, 'enc.jwk');
    const s = p256();
    writeFileSync(sign, JSON.stringify(publicJwk(s)));
    writeFileSync(enc, JSON.stringify(publicJwk(p256())));
    const add = await runCli([
      'idp',
      'device',
      'add',
      '--client-id',
      'psso',
      '--signing-jwk',
      sign,
      '--encryption-jwk',
      enc,
      '--data',
      data,
      '--json',
    ]);
    assert.equal(add.code, 0, add.stderr);
    assert.equal(
      (JSON.parse(add.stdout) as { device: { signingKid: string } }).device.signingKid,
      keyId(s.publicKey),
    );
    const list = await runCli(['idp', 'device', 'list', '--data', data, '--json']);
    assert.equal((JSON.parse(list.stdout) as { devices: unknown[] }).devices.length, 1);
    const bad = await runCli([
      'idp',
      'device',
      'add',
      '--client-id',
      'psso',
      '--signing-jwk',
      join(data, 'missing'),
      '--encryption-jwk',
      enc,
      '--data',
      data,
    ]);
    assert.equal(bad.code, 2);
  });
});

describe('POST /psso/nonce on the reference IdP', () => {
  let idp: TestIdp;
  before(async () => {
    idp = await startTestIdp();
  });
  after(async () => {
    await idp.close();
    await closeHttpAgents();
  });
  const config = (url: string) =>
    resolveLoginConfiguration(
      parseLoginConfiguration({
        clientID: 'psso',
        issuer: idp.origin,
        tokenEndpointURL: `${idp.origin}/psso/token`,
        jwksEndpointURL: `${idp.origin}/psso/jwks`,
        nonceEndpointURL: url,
      }),
    );
  test('our client gets a fresh Nonce each time', async () => {
    const c = config(`${idp.origin}/psso/nonce`);
    const a = processNonceResponse(await nonceRequest(c, 'REQ', { ca: idp.caPem }), c);
    const b = processNonceResponse(await nonceRequest(c, 'REQ', { ca: idp.caPem }), c);
    assert.notEqual(a, b);
  });
  test('a request without grant_type=srv_challenge is a 400', async () => {
    const c = resolveLoginConfiguration({
      ...config(`${idp.origin}/psso/nonce`),
      customNonceRequestValues: [],
    });
    const { httpRequest } = await import('../../../packages/psso-wstrust/src/http/request.ts');
    const r = await httpRequest(
      {
        method: 'POST',
        url: c.nonceEndpointURL,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=password',
      },
      { ca: idp.caPem },
    );
    assert.equal(r.status, 400);
    const nothing = config(`${idp.origin}/psso/nothing`);
    const answer = await nonceRequest(nothing, 'REQ', { ca: idp.caPem });
    assert.throws(
      () => processNonceResponse(answer, nothing),
      (e) => e instanceof LoginError && e.status === 404,
    );
  });
});
