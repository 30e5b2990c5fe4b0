/**
 * ADAL for Python and adal-node (still in use) send `<wsa:messageID>` with a lower-case m. AD FS
 * served them for years; so does the reference IdP by default: the token is issued, the answer has
 * no RelatesTo, and the log warns that macOS would refuse such an answer. `strict: true` refuses.
 * Driven with adal-node 0.2.4's own WS-Trust request code over loopback https.
 */
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Logger } from '../../packages/idp/src/log.ts';
import { type RunningIdp, startIdp } from '../../packages/idp/src/server.ts';
import { WsTrustError } from '../../packages/psso-wstrust/src/errors.ts';
import { closeHttpAgents } from '../../packages/psso-wstrust/src/http/agents.ts';
import { httpRequest } from '../../packages/psso-wstrust/src/http/request.ts';
import { WSTRUST13 } from '../../packages/psso-wstrust/src/protocol/wstrust.ts';
import {
  processSecurityTokenResponse,
  securityTokenRequest,
} from '../../packages/psso-wstrust/src/wstrust/exchange.ts';
import { assertXmlsecVerifies } from '../idp/saml/support.ts';
import { CONFIG, tempDataDir, URN } from './support.ts';

const require = createRequire(import.meta.url);
// adal-node's internals, as its acquireTokenWithUsernamePassword drives them after MEX.
const WSTrustRequest = require('adal-node/lib/wstrust-request.js') as new (
  callContext: unknown,
  url: string,
  appliesTo: string,
  version: string,
) => {
  acquireToken(
    user: string,
    password: string,
    cb: (err: Error | null, response?: { token: string; tokenType: string }) => void,
  ): void;
  _buildRST(user: string, password: string): string;
};
const { WSTrustVersion } = require('adal-node/lib/constants.js') as {
  WSTrustVersion: { WSTRUST13: string; WSTRUST2005: string };
};
require('adal-node').Logging.setLoggingOptions({ level: 0, log() {} });
const UserRealm = require('adal-node/lib/user-realm.js') as new (
  callContext: unknown,
  user: string,
  authority: unknown,
) => {
  discover(cb: (err?: Error) => void): void;
  accountType: string;
  federationMetadataUrl: string;
};
const Mex = require('adal-node/lib/mex.js') as new (
  callContext: unknown,
  url: string,
) => {
  discover(cb: (err?: Error) => void): void;
  usernamePasswordPolicy: { url: string; version: string };
};
const legacyUrl = require('node:url') as { parse(u: string): unknown };

interface Started {
  idp: RunningIdp;
  password: string;
  lines: { level: string; event: string; fields: Record<string, unknown> }[];
}

/** Both IdPs share one data folder: the keys are made once, the demo password is the first's. */
const dataDir = tempDataDir();
let demoPassword = '';

async function start(strict: boolean): Promise<Started> {
  const lines: Started['lines'] = [];
  const logger: Logger = {
    log(level, event, fields) {
      lines.push({ level, event, fields: fields ?? {} });
    },
  };
  const idp = await startIdp({ dataDir, config: { ...CONFIG, strict }, logger });
  demoPassword ||= idp.demoUser.password ?? '';
  return { idp, password: demoPassword, lines };
}

function adal(s: Started, version: '1.3' | '2005') {
  const url = version === '1.3' ? s.idp.sts13Url : s.idp.sts2005Url;
  const httpsAgent = new Agent({ ca: s.idp.caPem });
  const request = new WSTrustRequest(
    { _logContext: { correlationId: 'test' }, options: { http: { httpsAgent } } },
    url,
    URN,
    version === '1.3' ? WSTrustVersion.WSTRUST13 : WSTrustVersion.WSTRUST2005,
  );
  return {
    request,
    acquire: () =>
      new Promise<{ err: Error | null; token?: string; tokenType?: string }>((resolve) => {
        request.acquireToken(s.idp.demoUser.upn, s.password, (err, response) => {
          httpsAgent.destroy();
          resolve({
            err,
            ...(response === undefined
              ? {}
              : { token: response.token, tokenType: response.tokenType }),
          });
        });
      }),
  };
}

async function warnings(idp: RunningIdp, reason: string): Promise<number> {
  const r = await httpRequest({ method: 'GET', url: `${idp.origin}/metrics` }, { ca: idp.caPem });
  const m = new RegExp(`psso_idp_warnings_total\\{reason="${reason}"\\} (\\d+)`).exec(
    Buffer.from(r.body).toString(),
  );
  return m === null ? 0 : Number(m[1]);
}

let lenient: Started;
let strict: Started;
before(async () => {
  lenient = await start(false);
  strict = await start(true);
});
after(async () => {
  await lenient.idp.close();
  await strict.idp.close();
  await closeHttpAgents();
});

describe('adal-node (wsa:messageID, lower-case m) against the reference IdP', () => {
  for (const version of ['1.3', '2005'] as const) {
    test(`WS-Trust ${version}: adal-node gets its SAML token, as AD FS serves it`, async () => {
      const { request, acquire } = adal(lenient, version);
      assert.match(
        request._buildRST('u@x', 'p'),
        /<wsa:messageID>urn:uuid:/,
        'adal still sends messageID',
      );
      const before = await warnings(lenient.idp, 'message-id-lowercase');
      const r = await acquire();
      assert.equal(r.err ?? null, null, r.err?.message);
      assert.match(r.tokenType ?? '', /SAML|saml/);
      assert.match(r.token ?? '', /^<saml:Assertion /);
      assertXmlsecVerifies(r.token ?? '', lenient.idp.signingCertPem, '1.1');
      assert.equal(await warnings(lenient.idp, 'message-id-lowercase'), before + 1);
      const warned = lenient.lines.filter((l) => l.event === 'sts.no_message_id');
      assert.ok(warned.length > 0);
      assert.equal(warned.at(-1)?.level, 'warn');
      assert.equal(warned.at(-1)?.fields.reason, 'message-id-lowercase');
      assert.match(String(warned.at(-1)?.fields.note), /macOS .* would refuse/);
    });
  }

  test('adal-node’s own discovery: user realm → MEX → the username/password WS-Trust endpoint → a token', async () => {
    const httpsAgent = new Agent({ ca: lenient.idp.caPem });
    const ctx = { _logContext: { correlationId: 'test' }, options: { http: { httpsAgent } } };
    try {
      // adal-node asks /common/UserRealm/{user}?api-version=1.0 (capital U and R).
      const realm = new UserRealm(
        ctx,
        lenient.idp.demoUser.upn,
        legacyUrl.parse(`${lenient.idp.origin}/common`),
      );
      await new Promise<void>((resolve, reject) =>
        realm.discover((e) => (e ? reject(e) : resolve())),
      );
      assert.equal(realm.accountType, 'federated');
      assert.equal(realm.federationMetadataUrl, lenient.idp.mexUrl);
      const mex = new Mex(ctx, realm.federationMetadataUrl);
      await new Promise<void>((resolve, reject) =>
        mex.discover((e) => (e ? reject(e) : resolve())),
      );
      const policy = mex.usernamePasswordPolicy;
      assert.equal(policy.url, lenient.idp.sts13Url);
      const request = new WSTrustRequest(ctx, policy.url, URN, policy.version);
      const r = await new Promise<{ err: Error | null | undefined; token?: string }>((resolve) =>
        request.acquireToken(lenient.idp.demoUser.upn, lenient.password, (err, response) =>
          resolve({ err, ...(response === undefined ? {} : { token: response.token }) }),
        ),
      );
      assert.equal(r.err ?? null, null, r.err?.message);
      assert.match(r.token ?? '', /^<saml:Assertion /);
    } finally {
      httpsAgent.destroy();
    }
  });

  test('the answer has no RelatesTo, so a client that checks it (as macOS does) refuses it cleanly', async () => {
    // adal-node's exact request bytes, replayed.
    const body = adal(lenient, '1.3').request._buildRST(lenient.idp.demoUser.upn, lenient.password);
    const messageId = /<wsa:messageID>([^<]+)<\/wsa:messageID>/.exec(body)?.[1] ?? '';
    const endpoint = {
      version: '1.3' as const,
      address: lenient.idp.sts13Url,
      soapAction: WSTRUST13.issueAction,
    };
    const answer = await securityTokenRequest(
      endpoint,
      { body, messageId, soapAction: WSTRUST13.issueAction },
      {
        ca: lenient.idp.caPem,
      },
    );
    assert.doesNotMatch(Buffer.from(answer.body).toString(), /RelatesTo/);
    assert.throws(
      () => processSecurityTokenResponse(answer, { version: '1.3', messageId }),
      (e) => e instanceof WsTrustError && e.code === 'PSSO_ERR_WSTRUST_RELATES_TO_MISSING',
    );
    // Without a MessageID to check, the same answer is a valid token response.
    assert.equal(processSecurityTokenResponse(answer, { version: '1.3' }).samlVersion, '1.1');
  });

  test('strict: true refuses adal-node with the InvalidRequest fault', async () => {
    const r = await adal(strict, '1.3').acquire();
    assert.ok(r.err instanceof Error);
    assert.match(r.err.message, /http error: 500/);
    assert.match(r.err.message, /InvalidRequest/);
    assert.ok(
      strict.lines.some((l) => l.event === 'sts.refused' && l.fields.reason === 'message-id'),
    );
  });
});
