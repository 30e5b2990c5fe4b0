import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../packages/idp/src/config.ts';
import { silentLogger } from '../../packages/idp/src/log.ts';
import { startIdp } from '../../packages/idp/src/server.ts';
import { openSqliteBackend } from '../../packages/idp/src/state/sqlite/index.ts';
import { IdpError } from '../../packages/psso-wstrust/src/errors.ts';
import {
  generateDeviceKeys,
  publicJwk,
} from '../../packages/psso-wstrust/src/psso/keys/device-keys.ts';
import { runCli } from '../helpers/cli.ts';
import { spawnIdp } from './idp-process.ts';
import { tempDataDir } from './support.ts';

/** POST JSON on a new connection each time (so that node:cluster spreads them over workers). */
function postJson(url: string, ca: string, token: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ca,
        agent: false,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const ENDPOINT_KEYS = [
  'mex',
  'userRealm',
  'sts13',
  'sts2005',
  'pssoNonce',
  'pssoToken',
  'pssoJwks',
  'pssoDevices',
  'pssoConfiguration',
  'userRealmPreauth',
  'health',
  'metrics',
];

describe('psso-wstrust idp: the port is kept in the data folder', () => {
  test('a restart keeps the port and every URL; --port overrides and is kept; a taken port is PSSO_ERR_IDP_PORT_IN_USE (with --public-url and --tls-cert on the way)', async () => {
    const data = tempDataDir();
    const first = await spawnIdp(['--data', data]);
    await first.stop();
    const { port } = first.info;
    assert.deepEqual(JSON.parse(readFileSync(join(data, 'server.json'), 'utf8')), { port });
    assert.deepEqual(Object.keys(first.info.endpoints).sort(), [...ENDPOINT_KEYS].sort());
    assert.equal(first.info.endpoints.pssoToken, `https://127.0.0.1:${port}/psso/token`);
    assert.equal(first.info.mexUrl, first.info.endpoints.mex);

    // the operator's own certificate (here: the one generated above, served as given files)
    const tlsArgs = [
      '--tls-cert',
      join(data, 'tls-cert.pem'),
      '--tls-key',
      join(data, 'tls-key.pem'),
    ];
    const again = await spawnIdp(['--data', data, ...tlsArgs]);
    await again.stop();
    assert.equal(again.info.port, port);
    assert.deepEqual(again.info.endpoints, first.info.endpoints);
    assert.equal(again.info.tlsGenerated, false);
    assert.equal(again.info.tlsCertFile, join(data, 'tls-cert.pem'));

    // the saved port taken by something else: a clear error, exit 1
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    try {
      const taken = await runCli(['idp', '--data', data, '--json']);
      assert.equal(taken.code, 1, taken.stderr);
      const error = (JSON.parse(taken.stdout) as { error: { code: string; message: string } })
        .error;
      assert.equal(error.code, 'PSSO_ERR_IDP_PORT_IN_USE');
      assert.match(error.message, new RegExp(`port ${port} .*--port 0`));
      // --port 0 overrides: any free port, kept for the next start
      const moved = await spawnIdp([
        '--data',
        data,
        '--port',
        '0',
        '--public-url',
        'https://idp.example.test',
      ]);
      await moved.stop();
      assert.notEqual(moved.info.port, port);
      assert.equal(moved.info.origin, 'https://idp.example.test');
      assert.equal(moved.info.endpoints.pssoJwks, 'https://idp.example.test/psso/jwks');
      assert.deepEqual(JSON.parse(readFileSync(join(data, 'server.json'), 'utf8')), {
        port: moved.info.port,
      });
    } finally {
      blocker.close();
    }
  });
});

test('--workers 2 on a fresh data folder: one admin token for all workers, in the --json line; 16 registrations all succeed', async () => {
  const data = tempDataDir();
  const idp = await spawnIdp(['--data', data, '--workers', '2']);
  try {
    assert.equal(idp.info.workers, 2);
    assert.equal(idp.info.adminTokenFile, join(data, 'admin-token'));
    assert.deepEqual(Object.keys(idp.info.endpoints).sort(), [...ENDPOINT_KEYS].sort());
    const token = readFileSync(idp.info.adminTokenFile, 'utf8').trim();
    const ca = readFileSync(idp.info.caFile, 'utf8');
    const statuses = await Promise.all(
      Array.from({ length: 16 }, () => {
        const keys = generateDeviceKeys();
        return postJson(idp.info.endpoints.pssoDevices, ca, token, {
          clientId: 'psso',
          signingJwk: publicJwk(keys.signing.publicKey),
          encryptionJwk: publicJwk(keys.encryption.publicKey),
        });
      }),
    );
    assert.deepEqual(
      statuses.filter((s) => s !== 201),
      [],
    );
  } finally {
    await idp.stop();
  }
});

describe('psso-wstrust idp refuses to start, saying why', () => {
  test('a signing key or admin token loosened to 0644: PSSO_ERR_IDP_KEY_FILE_MODE with the chmod (CLI: exit 1)', async () => {
    const data = tempDataDir();
    await (await startIdp({ dataDir: data, logger: silentLogger })).close();
    const signingKey = join(data, 'signing-key.pem');
    chmodSync(signingKey, 0o644);
    const r = await runCli(['idp', '--data', data]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes('PSSO_ERR_IDP_KEY_FILE_MODE'), r.stderr);
    assert.ok(r.stderr.includes(`${signingKey} is readable or writable by other users`), r.stderr);
    assert.ok(r.stderr.includes(`chmod 600 ${signingKey}`), r.stderr);
    chmodSync(signingKey, 0o600);
    const adminToken = join(data, 'admin-token');
    chmodSync(adminToken, 0o644);
    await assert.rejects(startIdp({ dataDir: data, logger: silentLogger }), (e: unknown) => {
      assert.ok(e instanceof IdpError);
      assert.equal(e.code, 'PSSO_ERR_IDP_KEY_FILE_MODE');
      assert.ok(e.message.endsWith(`chmod 600 ${adminToken}`));
      return true;
    });
  });

  test('--config: a missing file, a folder, bad JSON (line and column) are PSSO_ERR_IDP_CONFIG', async () => {
    const dir = tempDataDir();
    const missing = join(dir, 'nope.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{\n  "strict": true,\n}\n');
    const r = await runCli(['idp', '--data', join(dir, 'idp'), '--config', missing]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /PSSO_ERR_IDP_CONFIG/);
    assert.ok(r.stderr.includes(`the configuration file ${missing} does not exist`), r.stderr);
    const cases: [string, RegExp][] = [
      [dir, /is a folder/],
      [bad, /is not valid JSON: .*\(line 3, column 1\)$/],
    ];
    for (const [file, message] of cases)
      assert.throws(
        () => loadConfig(file),
        (e: unknown) =>
          e instanceof IdpError && e.code === 'PSSO_ERR_IDP_CONFIG' && message.test(e.message),
      );
  });

  test('bad network flags are usage errors (exit 2)', async () => {
    // (the rules themselves are unit-tested: parsePublicUrl, canonicalTlsName)
    for (const args of [
      ['--public-url', 'https://idp.example.test/adfs'],
      ['--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--tls-hostname', 'a.example'],
      ['--database', 'mysql://idp:s3cret@db/idp'],
    ]) {
      const r = await runCli(['idp', '--data', join(tempDataDir(), 'idp'), ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(!r.stderr.includes('s3cret'));
    }
  });
});

describe('psso-wstrust idp user passwd', () => {
  test('sets a new password from stdin and revokes the refresh tokens; an unknown user is PSSO_ERR_IDP_USER_NOT_FOUND', async () => {
    const data = tempDataDir();
    const store = openSqliteBackend(data);
    try {
      await store.durable.users.add('carol@example.com', 'old-password');
      await store.durable.refreshTokens.issue({
        upn: 'carol@example.com',
        clientId: 'psso',
        deviceKid: 'kid',
      });
    } finally {
      await store.close();
    }
    const r = await runCli(
      ['idp', 'user', 'passwd', 'CAROL@example.com', '--password-stdin', '--data', data, '--json'],
      'new-password\n',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { passwordChanged: 'carol@example.com' });
    assert.ok(!(r.stdout + r.stderr).includes('new-password'));
    const after = openSqliteBackend(data);
    try {
      assert.ok(await after.durable.users.authenticate('carol@example.com', 'new-password'));
      assert.equal(
        await after.durable.users.authenticate('carol@example.com', 'old-password'),
        undefined,
      );
      const left = after.database
        .statement('SELECT COUNT(*) AS n FROM refresh_tokens WHERE upn = ?')
        .get('carol@example.com') as { n: number };
      assert.equal(left.n, 0);
      const families = after.database
        .statement('SELECT COUNT(*) AS n FROM refresh_families WHERE upn = ?')
        .get('carol@example.com') as { n: number };
      assert.equal(families.n, 0);
    } finally {
      await after.close();
    }
    const again = openSqliteBackend(data);
    try {
      await assert.rejects(
        again.durable.users.setPassword('nobody@example.com', 'x'),
        (e: unknown) => {
          assert.ok(e instanceof IdpError);
          assert.equal(e.code, 'PSSO_ERR_IDP_USER_NOT_FOUND');
          return true;
        },
      );
    } finally {
      await again.close();
    }
  });
});
