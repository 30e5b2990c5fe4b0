import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pssoConfiguration } from '../../packages/idp/src/routes/psso-configuration.ts';
import { discoveryUrl } from '../../packages/psso-wstrust/src/psso/config/discovery.ts';
import { parseLoginConfiguration } from '../../packages/psso-wstrust/src/psso/config/load.ts';
import { LOGIN_CONFIG_SCHEMA_ID } from '../../packages/psso-wstrust/src/psso/config/schema-id.ts';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'psso-onboard-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A loopback http server answering `/.well-known/psso-configuration` as told. */
let server: Server;
let origin = '';
const answers: Record<string, { status: number; body: string }> = {};
before(async () => {
  server = createServer((req, res) => {
    const a = answers[req.url ?? ''] ?? { status: 404, body: '' };
    res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const FLAGS = [
  '--client-id',
  'c',
  '--issuer',
  'https://login.example.com/v2.0',
  '--token-url',
  'https://login.example.com/token',
  '--jwks-url',
  'https://login.example.com/keys',
  '--predicate',
  "error = 'invalid_grant'",
];

describe('psso init', () => {
  test('from flags, for any IdP: a valid configuration with $schema', async () => {
    const out = join(dir, 'flags.json');
    const r = await runCli([
      'psso',
      'init',
      '--out',
      out,
      ...FLAGS,
      '--refresh-url',
      'https://login.example.com/token',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    assert.equal(json.$schema, LOGIN_CONFIG_SCHEMA_ID);
    assert.equal(json.clientID, 'c');
    assert.equal(json.refreshEndpointURL, 'https://login.example.com/token');
    parseLoginConfiguration(json);
  });
  test('an invalid configuration is refused with its code and nothing is written', async () => {
    const out = join(dir, 'bad.json');
    const r = await runCli([
      'psso',
      'init',
      '--out',
      out,
      ...FLAGS,
      '--token-url',
      'http://login.example.com/token',
      '--json',
    ]);
    assert.equal(r.code, 1);
    assert.equal(
      (JSON.parse(r.stdout) as { error: { code: string } }).error.code,
      'PSSO_ERR_CONFIG_URL_INVALID',
    );
    assert.equal(existsSync(out), false);
    const dyn = await runCli([
      'psso',
      'init',
      '--out',
      out,
      ...FLAGS,
      '--federation-type',
      'dynamicWSTrust',
      '--request-urn',
      'urn:x',
      '--json',
    ]);
    assert.equal(
      (JSON.parse(dyn.stdout) as { error: { code: string } }).error.code,
      'PSSO_ERR_CONFIG_PREAUTH_URL_MISSING',
    );
    assert.equal(existsSync(out), false);
  });
  test('neither --idp nor fields: a usage error', async () => {
    const r = await runCli(['psso', 'init', '--out', join(dir, 'x.json')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--idp URL, or the fields/);
  });
  test('--idp reads the discovery document; flags override it; --force replaces the file', async () => {
    answers['/.well-known/psso-configuration'] = {
      status: 200,
      body: JSON.stringify(pssoConfiguration(origin)),
    };
    const out = join(dir, 'idp.json');
    const args = [
      'psso',
      'init',
      '--idp',
      origin,
      '--dangerously-allow-http-loopback',
      '--out',
      out,
    ];
    const r = await runCli([...args, '--client-id', 'mine']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    assert.equal(json.clientID, 'mine');
    assert.equal(json.tokenEndpointURL, `${origin}/psso/token`);
    assert.equal(json.federationType, 'dynamicWSTrust');
    assert.equal((await runCli(args)).code, 2);
    assert.equal((await runCli([...args, '--force'])).code, 0);
    assert.equal((JSON.parse(readFileSync(out, 'utf8')) as { clientID: string }).clientID, 'psso');
  });
  test('--idp: a 404 is PSSO_ERR_HTTP_STATUS, a body that is not JSON is PSSO_ERR_CONFIG_JSON, http without the switch is refused', async () => {
    const out = join(dir, 'never.json');
    const missing = await runCli([
      'psso',
      'init',
      '--idp',
      `${origin}/nothing`,
      '--dangerously-allow-http-loopback',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(
      (JSON.parse(missing.stdout) as { error: { code: string; status: number } }).error.code,
      'PSSO_ERR_HTTP_STATUS',
    );
    answers['/html'] = { status: 200, body: '<html>login page</html>' };
    const html = await runCli([
      'psso',
      'init',
      '--idp',
      `${origin}/html`,
      '--dangerously-allow-http-loopback',
      '--out',
      out,
      '--json',
    ]);
    const e = (JSON.parse(html.stdout) as { error: { code: string; message: string } }).error;
    assert.equal(e.code, 'PSSO_ERR_CONFIG_JSON');
    assert.doesNotMatch(e.message, /login page/);
    const insecure = await runCli(['psso', 'init', '--idp', origin, '--out', out, '--json']);
    assert.equal(
      (JSON.parse(insecure.stdout) as { error: { code: string } }).error.code,
      'PSSO_ERR_HTTP_INSECURE_URL',
    );
    assert.equal(existsSync(out), false);
  });
  test('discoveryUrl: an origin gets the well-known path, a URL with a path is kept', () => {
    assert.equal(
      discoveryUrl('https://idp.example.com:8443'),
      'https://idp.example.com:8443/.well-known/psso-configuration',
    );
    assert.equal(
      discoveryUrl('https://idp.example.com/'),
      'https://idp.example.com/.well-known/psso-configuration',
    );
    assert.equal(
      discoveryUrl('https://idp.example.com/t/.well-known/x'),
      'https://idp.example.com/t/.well-known/x',
    );
    assert.throws(() => discoveryUrl('idp.example.com'), TypeError);
  });
});

describe('psso keys and idp device add --keys', () => {
  test('show: every format with its kid, never a private key; a bad --format is a usage error', async () => {
    const keys = join(dir, 'keys.json');
    assert.equal((await runCli(['psso', 'keys', 'create', '--keys', keys])).code, 0);
    const d = (JSON.parse(readFileSync(keys, 'utf8')) as { signing: { d: string } }).signing.d;
    for (const format of ['jwk', 'pem', 'x963']) {
      const r = await runCli([
        'psso',
        'keys',
        'show',
        '--keys',
        keys,
        '--format',
        format,
        '--json',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!r.stdout.includes(d));
      const shown = JSON.parse(r.stdout) as { publicKeys: Array<{ name: string; kid: string }> };
      assert.deepEqual(
        shown.publicKeys.map((k) => k.name),
        ['signing', 'encryption'],
      );
    }
    const text = await runCli(['psso', 'keys', 'show', '--keys', keys, '--format', 'pem']);
    assert.match(
      text.stdout,
      /^signing \(sig\) {2}kid [A-Za-z0-9+/]{43}=\n-----BEGIN PUBLIC KEY-----/,
    );
    assert.ok(!text.stdout.includes(d));
    const bad = await runCli(['psso', 'keys', 'show', '--keys', keys, '--format', 'der']);
    assert.equal(bad.code, 2);
    const none = await runCli(['psso', 'keys', 'show', '--keys', join(dir, 'none.json'), '--json']);
    assert.equal(
      (JSON.parse(none.stdout) as { error: { code: string } }).error.code,
      'PSSO_ERR_KEYS_MISSING',
    );
  });
  test('create --force replaces the keys (new kids)', async () => {
    const keys = join(dir, 'force.json');
    const first = await runCli(['psso', 'keys', 'create', '--keys', keys, '--json']);
    const second = await runCli(['psso', 'keys', 'create', '--keys', keys, '--force', '--json']);
    assert.equal(second.code, 0, second.stderr);
    const kid = (r: { stdout: string }) =>
      (JSON.parse(r.stdout) as { kids: { signing: string } }).kids.signing;
    assert.notEqual(kid(first), kid(second));
  });
  test('idp device add: --keys with --signing-jwk is refused, no key flag is refused, a non key file is refused', async () => {
    const data = join(dir, 'idp');
    const keys = join(dir, 'keys.json');
    const both = await runCli([
      'idp',
      'device',
      'add',
      '--data',
      data,
      '--keys',
      keys,
      '--signing-jwk',
      keys,
    ]);
    assert.equal(both.code, 2);
    const neither = await runCli(['idp', 'device', 'add', '--data', data]);
    assert.equal(neither.code, 2);
    const notKeys = join(dir, 'not-keys.json');
    writeFileSync(notKeys, '{"version":1,"signing":"x"}');
    const wrong = await runCli(['idp', 'device', 'add', '--data', data, '--keys', notKeys]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /no signing key/);
  });
});

describe('psso keys create --hpke-suite and idp device add --encryption-alg', () => {
  test('the HPKE key is created, and registered as the device encryption key (public parts only)', async () => {
    const keys = join(dir, 'hpke-keys.json');
    const data = join(dir, 'hpke-idp');
    const created = await runCli([
      'psso',
      'keys',
      'create',
      '--keys',
      keys,
      '--hpke-suite',
      'HPKE-X25519-SHA256-ChaCha20Poly1305',
      '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const kids = (JSON.parse(created.stdout) as { kids: Record<string, string> }).kids;
    assert.ok(kids.hpkeEncryption !== undefined);
    const added = await runCli([
      'idp',
      'device',
      'add',
      '--data',
      data,
      '--keys',
      keys,
      '--encryption-alg',
      'HPKE-X25519-SHA256-ChaCha20Poly1305',
      '--json',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const device = (JSON.parse(added.stdout) as { device: { encryptionKid: string } }).device;
    assert.equal(device.encryptionKid, kids.hpkeEncryption);
  });

  test('an unknown suite is a usage error (exit 2)', async () => {
    const r = await runCli([
      'psso',
      'keys',
      'create',
      '--keys',
      join(dir, 'x.json'),
      '--hpke-suite',
      'HPKE-NOPE',
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--hpke-suite must be one of/);
  });
});
