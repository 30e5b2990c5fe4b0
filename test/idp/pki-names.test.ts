import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { connect, createServer } from 'node:tls';
import { loadOrCreatePki } from '../../packages/idp/src/pki.ts';
import {
  canonicalTlsName,
  constraintsPermit,
  nameConstraintsDer,
  tlsNames,
} from '../../packages/idp/src/pki-names.ts';
import { IdpError } from '../../packages/psso-wstrust/src/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'psso-pki-names-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${++n}`);

/** `openssl verify` of the TLS certificate against ca.pem (name constraints checked), for a host. */
function opensslVerify(dir: string, host?: string): string {
  const args = ['verify', '-CAfile', join(dir, 'ca.pem')];
  if (host !== undefined)
    args.push(host.includes(':') || /^\d/.test(host) ? '-verify_ip' : '-verify_hostname', host);
  args.push(join(dir, 'tls-cert.pem'));
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Connects to 127.0.0.1 trusting only `ca`, sending `servername`; resolves with what is read. */
async function tlsGet(
  pki: { tlsCertPem: string; tlsKeyPem: string },
  ca: string,
  servername: string,
) {
  const server = createServer({ cert: pki.tlsCertPem, key: pki.tlsKeyPem }, (s) => s.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    return await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ca, servername });
      let data = '';
      socket.on('data', (d: Buffer) => (data += d));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
  } finally {
    server.close();
  }
}

function idpError(code: string, message: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof IdpError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  };
}

describe('--tls-hostname: names of the generated certificate', () => {
  const dir = freshDir();
  const first = loadOrCreatePki(dir, { hostnames: ['IdP.Example.TEST', '192.0.2.10'] });

  test('the generated certificate covers the added names and the defaults, and chains to the CA', async () => {
    const pki = await first;
    const tls = new X509Certificate(pki.tlsCertPem);
    assert.equal(tls.checkHost('idp.example.test'), 'idp.example.test');
    assert.equal(tls.checkIP('192.0.2.10'), '192.0.2.10');
    assert.equal(tls.checkHost('localhost'), 'localhost');
    assert.equal(tls.checkIP('::1'), '::1');
    assert.equal(tls.checkHost('other.example.test'), undefined);
    assert.equal(tls.subject, 'CN=idp.example.test');
    assert.match(opensslVerify(dir, 'idp.example.test'), /OK/);
    assert.match(opensslVerify(dir, '192.0.2.10'), /OK/);
    assert.equal(pki.tlsGenerated, true);
    assert.equal(pki.tlsCertFile, join(dir, 'tls-cert.pem'));
  });

  test('a client trusting ca.pem connects with servername = the new name', async () => {
    const pki = await first;
    assert.equal(await tlsGet(pki, pki.caPem, 'idp.example.test'), 'ok');
    await assert.rejects(
      tlsGet(pki, pki.caPem, 'other.example.test'),
      /ERR_TLS_CERT_ALTNAME_INVALID|altnames/,
    );
  });

  test('the same names again: nothing is re-issued', async () => {
    const pki = await first;
    const again = await loadOrCreatePki(dir, { hostnames: ['192.0.2.10', 'idp.example.test.'] });
    assert.deepEqual(again.generated, { ca: false, tls: false, signing: false });
    assert.equal(again.tlsCertPem, pki.tlsCertPem);
  });
});

test('a name dropped: the certificate is re-issued by the same CA', async () => {
  const dir = freshDir();
  const pki = await loadOrCreatePki(dir, { hostnames: ['a.example.test', 'b.example.test'] });
  const fewer = await loadOrCreatePki(dir, { hostnames: ['a.example.test'] });
  assert.deepEqual(fewer.generated, { ca: false, tls: true, signing: false });
  assert.equal(fewer.caReplaced, false);
  assert.equal(fewer.caPem, pki.caPem);
  const tls = new X509Certificate(fewer.tlsCertPem);
  assert.equal(tls.checkHost('b.example.test'), undefined);
  assert.match(opensslVerify(dir, 'a.example.test'), /OK/);
});

test('a name outside the CA name constraints: the CA is made again and says so; the signing key stays', async () => {
  const dir = freshDir();
  const pki = await loadOrCreatePki(dir);
  // the localhost-only CA would make a certificate for this name that no client accepts
  const wider = await loadOrCreatePki(dir, { hostnames: ['idp.corp.example'] });
  assert.equal(wider.caReplaced, true);
  assert.equal(wider.generated.ca, true);
  assert.notEqual(wider.caPem, pki.caPem);
  assert.equal(wider.signingCertPem, pki.signingCertPem);
  assert.match(opensslVerify(dir, 'idp.corp.example'), /OK/);
  assert.equal(await tlsGet(wider, wider.caPem, 'idp.corp.example'), 'ok');
  // the old CA no longer vouches for the server
  await assert.rejects(tlsGet(wider, pki.caPem, 'localhost'));
  // a subdomain of a permitted name is within the constraints: no new CA
  const sub = await loadOrCreatePki(dir, {
    hostnames: ['idp.corp.example', 'eu.idp.corp.example'],
  });
  assert.equal(sub.caReplaced, false);
  assert.equal(sub.caPem, wider.caPem);
  assert.match(opensslVerify(dir, 'eu.idp.corp.example'), /OK/);
});

test('name constraints: DNS subtrees include subdomains, IP subtrees are single addresses', () => {
  const der = nameConstraintsDer(tlsNames(['corp.example', '2001:db8::7']));
  assert.equal(constraintsPermit(der, ['localhost', 'corp.example', 'a.b.corp.example']), true);
  assert.equal(constraintsPermit(der, ['evilcorp.example']), false);
  assert.equal(constraintsPermit(der, ['127.0.0.1', '::1', '2001:db8::7']), true);
  assert.equal(constraintsPermit(der, ['127.0.0.2']), false);
  assert.equal(constraintsPermit(der, ['2001:db8::8']), false);
  assert.equal(constraintsPermit(undefined, ['anything.example']), true);
  assert.equal(constraintsPermit(new Uint8Array([1, 2, 3]), ['localhost']), false);
  // long names: DER lengths past 127 bytes
  const many = tlsNames(Array.from({ length: 30 }, (_, i) => `host-${i}.example.test`));
  assert.equal(constraintsPermit(nameConstraintsDer(many), many), true);
});

test('--tls-hostname refuses what is not a host name or an IP address', () => {
  assert.equal(canonicalTlsName('IdP.Example.COM.'), 'idp.example.com');
  assert.equal(canonicalTlsName('[0:0::1]'), '::1');
  assert.equal(canonicalTlsName('2001:DB8:0::1'), '2001:db8::1');
  for (const bad of [
    '',
    '*.example.com',
    'host:443',
    'a/b',
    'user@host',
    'a..b',
    '-a.example',
    '1.2.3',
  ])
    assert.throws(() => canonicalTlsName(bad), TypeError, bad);
});

describe('--tls-cert/--tls-key: the operator brings the certificate', () => {
  const source = freshDir();
  const own = loadOrCreatePki(source, { hostnames: ['own.example.test'] });
  const certFile = join(source, 'tls-cert.pem');
  const keyFile = join(source, 'tls-key.pem');

  test('the given pair is served; no TLS pair is generated in the data folder', async () => {
    await own;
    const dir = freshDir();
    const pki = await loadOrCreatePki(dir, { tls: { certFile, keyFile } });
    assert.equal(pki.tlsCertPem, readFileSync(certFile, 'utf8'));
    assert.equal(pki.tlsKeyPem, readFileSync(keyFile, 'utf8'));
    assert.equal(pki.tlsCertFile, certFile);
    assert.equal(pki.tlsGenerated, false);
    assert.equal(pki.generated.tls, false);
    assert.throws(() => readFileSync(join(dir, 'tls-cert.pem')), /ENOENT/);
  });

  test('a key that does not match, a missing file, or a key open to others is refused', async () => {
    await own;
    const dir = freshDir();
    const other = await loadOrCreatePki(freshDir());
    const otherKey = join(root, 'other-key.pem');
    writeFileSync(otherKey, other.tlsKeyPem, { mode: 0o600 });
    await assert.rejects(
      loadOrCreatePki(dir, { tls: { certFile, keyFile: otherKey } }),
      idpError('PSSO_ERR_IDP_CONFIG', /does not match the certificate/),
    );
    await assert.rejects(
      loadOrCreatePki(dir, { tls: { certFile: join(root, 'nope.pem'), keyFile } }),
      idpError('PSSO_ERR_IDP_CONFIG', /nope\.pem does not exist/),
    );
    await assert.rejects(
      loadOrCreatePki(dir, { tls: { certFile: keyFile, keyFile } }),
      idpError('PSSO_ERR_IDP_CONFIG', /is not a PEM certificate/),
    );
    chmodSync(otherKey, 0o644);
    await assert.rejects(
      loadOrCreatePki(dir, { tls: { certFile, keyFile: otherKey } }),
      idpError('PSSO_ERR_IDP_KEY_FILE_MODE', new RegExp(`chmod 600 ${otherKey}`)),
    );
    // group-readable (the ssl-cert group convention) is accepted for the operator's own key
    chmodSync(keyFile, 0o640);
    assert.equal((await loadOrCreatePki(dir, { tls: { certFile, keyFile } })).tlsGenerated, false);
  });
});

test('loosened key files: the IdP refuses to start, naming the file and the chmod that fixes it', async () => {
  const dir = freshDir();
  await loadOrCreatePki(dir);
  for (const name of ['signing-key.pem', 'ca-key.pem', 'tls-key.pem']) {
    const file = join(dir, name);
    for (const mode of [0o644, 0o640, 0o604, 0o620]) {
      chmodSync(file, mode);
      await assert.rejects(
        loadOrCreatePki(dir),
        idpError(
          'PSSO_ERR_IDP_KEY_FILE_MODE',
          new RegExp(
            `${file} is readable or writable by other users \\(mode 0${mode.toString(8)}\\): chmod 600 ${file}$`,
          ),
        ),
      );
    }
    chmodSync(file, 0o600);
  }
  chmodSync(join(dir, 'signing-key.pem'), 0o400);
  assert.equal((await loadOrCreatePki(dir)).generated.signing, false);
});
