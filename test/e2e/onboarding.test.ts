/**
 * From zero to a login without reading the source (issue 9 §1): the newcomer's path against an
 * IdP process of its own, and the files `demo --save-config` leaves behind.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { IdpDatabase } from '../../packages/idp/src/state/sqlite/database.ts';
import { LOGIN_CONFIG_SCHEMA_ID } from '../../packages/psso-wstrust/src/psso/config/schema-id.ts';
import { runCli } from '../helpers/cli.ts';
import { validateJson } from '../helpers/json-schema.ts';
import { startLine } from './idp-process.ts';
import { tempDataDir } from './support.ts';

const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));
const schema = JSON.parse(
  readFileSync(
    new URL('../../packages/psso-wstrust/schema/login-config.v1.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;

interface StartLine {
  origin: string;
  port: number;
  caFile: string;
  demoUser: { upn: string; password?: string };
}

const children: ChildProcess[] = [];
after(async () => {
  for (const child of children)
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
});

/** `psso-wstrust idp --json --data DIR` in its own process, and its start line. */
async function idpProcess(data: string): Promise<StartLine> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'idp', '--json', '--log-level', 'error', '--data', data],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d));
  return startLine<StartLine>(child, () => stderr);
}

/** The device keys the IdP stored, as stored. */
function storedDeviceJwks(data: string): string[] {
  const database = IdpDatabase.open(data);
  try {
    const rows = database
      .statement('SELECT signing_jwk, encryption_jwk FROM devices')
      .all() as Array<{ signing_jwk: string; encryption_jwk: string }>;
    return rows.flatMap((r) => [r.signing_jwk, r.encryption_jwk]);
  } finally {
    database.close();
  }
}

describe('a newcomer: idp, psso keys create, idp device add --keys, psso init --idp, psso login', () => {
  test('five commands to a login; an unregistered device is said to be one, with the IdP answer', async () => {
    const data = tempDataDir();
    const files = tempDataDir();
    const idp = await idpProcess(data);
    const password =
      idp.demoUser.password ?? assert.fail('the demo password is shown at first start');
    const keys = join(files, 'device-keys.json');
    const config = join(files, 'login.json');

    const created = await runCli(['psso', 'keys', 'create', '--keys', keys, '--json']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(statSync(keys).mode & 0o777, 0o600);
    const kids = (JSON.parse(created.stdout) as { kids: { signing: string; encryption: string } })
      .kids;
    const again = await runCli(['psso', 'keys', 'create', '--keys', keys]);
    assert.equal(again.code, 2, 'an existing key file is not replaced without --force');
    assert.match(again.stderr, /already exists.*--force/);

    const added = await runCli(['idp', 'device', 'add', '--data', data, '--keys', keys, '--json']);
    assert.equal(added.code, 0, added.stderr);
    const device = (
      JSON.parse(added.stdout) as { device: { signingKid: string; clientId: string } }
    ).device;
    assert.equal(device.signingKid, kids.signing);
    assert.equal(device.clientId, 'psso');
    const stored = storedDeviceJwks(data);
    assert.equal(stored.length, 2);
    for (const jwk of stored) assert.equal((JSON.parse(jwk) as { d?: string }).d, undefined);

    const init = await runCli([
      'psso',
      'init',
      '--idp',
      idp.origin,
      '--ca',
      idp.caFile,
      '--out',
      config,
      '--json',
    ]);
    assert.equal(init.code, 0, init.stderr);
    const written = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
    assert.equal(written.$schema, LOGIN_CONFIG_SCHEMA_ID);
    assert.equal(written.issuer, idp.origin);
    assert.equal(written.tokenEndpointURL, `${idp.origin}/psso/token`);
    assert.deepEqual(validateJson(schema, written), []);
    const overwrite = await runCli([
      'psso',
      'init',
      '--idp',
      idp.origin,
      '--ca',
      idp.caFile,
      '--out',
      config,
    ]);
    assert.equal(overwrite.code, 2, 'an existing configuration is not replaced without --force');

    const login = await runCli(
      [
        'psso',
        'login',
        '--config',
        config,
        '--keys',
        keys,
        '--ca',
        idp.caFile,
        '--username',
        'demo@federated.example',
        '--password-stdin',
        '--json',
      ],
      password,
    );
    assert.equal(login.code, 0, login.stdout + login.stderr);
    assert.equal((JSON.parse(login.stdout) as { sub: string }).sub, 'demo@federated.example');

    // A device nobody registered: the device code, the IdP's own words, and the fix.
    const other = join(files, 'other-keys.json');
    assert.equal((await runCli(['psso', 'keys', 'create', '--keys', other])).code, 0);
    const args = [
      'psso',
      'login',
      '--config',
      config,
      '--keys',
      other,
      '--ca',
      idp.caFile,
      '--username',
      'demo@federated.example',
      '--password-stdin',
    ];
    const [text, json] = await Promise.all([
      runCli(args, password),
      runCli([...args, '--json'], password),
    ]);
    assert.equal(text.code, 1);
    assert.match(text.stderr, /PSSO_ERR_LOGIN_DEVICE_REJECTED/);
    assert.match(text.stderr, /error_description: The device is not registered \(unknown kid\)\./);
    assert.match(text.stderr, /suberror: device_authentication_failed/);
    assert.match(text.stderr, /idp device add --client-id psso --keys/);
    assert.doesNotMatch(text.stderr, /credentials are not correct/i);
    const e = (JSON.parse(json.stdout) as { error: Record<string, unknown> }).error;
    assert.equal(e.code, 'PSSO_ERR_LOGIN_DEVICE_REJECTED');
    assert.equal(e.status, 401);
    assert.equal(e.error, 'invalid_grant');
    assert.equal(e.suberror, 'device_authentication_failed');

    // No key file at all: its own code, and no file made.
    const missing = join(files, 'missing', 'keys.json');
    const none = await runCli(
      [
        'psso',
        'login',
        '--config',
        config,
        '--keys',
        missing,
        '--ca',
        idp.caFile,
        '--username',
        'demo@federated.example',
        '--password-stdin',
        '--json',
      ],
      password,
    );
    assert.equal(none.code, 1);
    assert.equal(
      (JSON.parse(none.stdout) as { error: { code: string } }).error.code,
      'PSSO_ERR_KEYS_MISSING',
    );
    assert.equal(existsSync(missing), false);

    // The public key file registers the same way (another IdP would take this file).
    const show = await runCli(['psso', 'keys', 'show', '--keys', other, '--public']);
    assert.equal(show.code, 0, show.stderr);
    assert.doesNotMatch(show.stdout, /"d"/);
    const pub = join(files, 'other-keys.pub.json');
    (await import('node:fs')).writeFileSync(pub, show.stdout);
    const addPub = await runCli(['idp', 'device', 'add', '--data', data, '--keys', pub]);
    assert.equal(addPub.code, 0, addPub.stderr);
    const now = await runCli(args, password);
    assert.equal(now.code, 0, now.stderr);
  });
});

describe('demo --save-config DIR', () => {
  test('leaves a configuration, registered keys and the CA that log in against `idp --data DIR/idp`', async () => {
    const dir = join(tempDataDir(), 'saved');
    const demo = await runCli(['demo', '--save-config', dir, '--json']);
    assert.equal(demo.code, 0, demo.stdout + demo.stderr);
    const out = JSON.parse(demo.stdout) as {
      idp: string;
      saved: { config: string; keys: string; ca: string; passwordFile: string; commands: string[] };
    };
    const { saved } = out;
    assert.equal(saved.config, join(dir, 'login.json'));
    assert.equal(statSync(saved.keys).mode & 0o777, 0o600);
    assert.equal(statSync(saved.passwordFile).mode & 0o777, 0o600);
    assert.ok(!demo.stdout.includes(readFileSync(saved.passwordFile, 'utf8').trim()));
    const config = JSON.parse(readFileSync(saved.config, 'utf8')) as Record<string, unknown>;
    assert.equal(config.$schema, LOGIN_CONFIG_SCHEMA_ID);
    assert.deepEqual(validateJson(schema, config), []);
    assert.match(saved.commands[0] ?? '', /^psso-wstrust idp --data .*saved\/idp$/);
    assert.match(
      saved.commands[1] ?? '',
      /psso login --config .*login\.json --keys .*device-keys\.json --ca .*ca\.pem --username demo@federated\.example/,
    );

    // The IdP comes back on the port the configuration names (kept in server.json).
    const idp = await idpProcess(join(dir, 'idp'));
    assert.equal(idp.origin, out.idp);
    assert.equal(config.issuer, idp.origin);
    const login = await runCli(
      [
        'psso',
        'login',
        '--config',
        saved.config,
        '--keys',
        saved.keys,
        '--ca',
        saved.ca,
        '--username',
        'demo@federated.example',
        '--password-stdin',
        '--json',
      ],
      readFileSync(saved.passwordFile, 'utf8'),
    );
    assert.equal(login.code, 0, login.stdout + login.stderr);

    const twice = await runCli(['demo', '--save-config', dir]);
    assert.equal(twice.code, 2, 'a folder with a saved demo is not overwritten');
  });
});
