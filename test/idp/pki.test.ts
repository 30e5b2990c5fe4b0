import 'reflect-metadata';
import assert from 'node:assert/strict';
import {
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  webcrypto,
  X509Certificate,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { connect, createServer } from 'node:tls';
import * as x509 from '@peculiar/x509';
import { defaultDataDir, loadOrCreatePki } from '../../packages/idp/src/pki.ts';
import { IdpError } from '../../packages/psso-wstrust/src/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'psso-pki-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${++n}`, 'idp');
const mode = (path: string) => statSync(path).mode & 0o777;
const days = (cert: X509Certificate) =>
  (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
const crypto = webcrypto as unknown as Crypto;

describe('loadOrCreatePki', () => {
  const dir = freshDir();
  const first = loadOrCreatePki(dir);

  test('creates the folder 0700, keys 0600, and returns absolute paths', async () => {
    const pki = await first;
    assert.deepEqual(pki.generated, { ca: true, tls: true, signing: true });
    assert.equal(mode(dir), 0o700);
    for (const key of ['ca-key.pem', 'tls-key.pem', 'signing-key.pem'])
      assert.equal(mode(join(dir, key)), 0o600, key);
    assert.ok(isAbsolute(pki.caFile) && isAbsolute(pki.signingCertFile));
    assert.equal(readFileSync(pki.caFile, 'utf8'), pki.caPem);
    assert.equal(readFileSync(pki.signingCertFile, 'utf8'), pki.signingCertPem);
    assert.equal(readFileSync(join(dir, 'tls-cert.pem'), 'utf8'), pki.tlsCertPem);
  });

  test('the CA is a CA with pathLen 0 for 10 years', async () => {
    const pki = await first;
    const ca = new X509Certificate(pki.caPem);
    assert.equal(ca.ca, true);
    assert.ok(ca.checkIssued(ca) && ca.verify(ca.publicKey));
    assert.ok(Math.abs(days(ca) - 3652) < 1);
    const bc = new x509.X509Certificate(pki.caPem).getExtension(x509.BasicConstraintsExtension);
    assert.equal(bc?.ca, true);
    assert.equal(bc?.pathLength, 0);
  });

  test('the TLS certificate chains to the CA, names localhost, 127.0.0.1 and ::1, for 1 year', async () => {
    const pki = await first;
    const ca = new X509Certificate(pki.caPem);
    const tls = new X509Certificate(pki.tlsCertPem);
    assert.ok(tls.checkIssued(ca));
    assert.ok(tls.verify(ca.publicKey));
    assert.equal(tls.checkHost('localhost'), 'localhost');
    assert.equal(tls.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(tls.checkIP('::1'), '::1');
    assert.equal(tls.checkHost('example.com'), undefined);
    assert.equal(tls.ca, false);
    assert.deepEqual(tls.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.ok(tls.checkPrivateKey(createPrivateKey(pki.tlsKeyPem)));
    assert.ok(Math.abs(days(tls) - 365) < 1);
  });

  test('a TLS client trusting only the CA accepts the server (OpenSSL, name constraints)', async () => {
    const pki = await first;
    const server = createServer({ cert: pki.tlsCertPem, key: pki.tlsKeyPem }, (s) => s.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      for (const servername of ['localhost', undefined]) {
        const text = await new Promise<string>((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port, ca: pki.caPem, servername });
          let data = '';
          socket.on('data', (d: Buffer) => (data += d));
          socket.on('end', () => resolve(data));
          socket.on('error', reject);
        });
        assert.equal(text, 'ok');
      }
    } finally {
      server.close();
    }
  });

  test('the signing key is RSA 2048 and matches its 5-year certificate', async () => {
    const pki = await first;
    assert.equal(pki.signingKey.asymmetricKeyType, 'rsa');
    assert.equal(pki.signingKey.asymmetricKeyDetails?.modulusLength, 2048);
    const cert = new X509Certificate(pki.signingCertPem);
    assert.ok(cert.checkPrivateKey(pki.signingKey));
    assert.deepEqual(Buffer.from(pki.signingCertDer), cert.raw);
    assert.equal(cert.subject, 'CN=psso-wstrust token signing');
    assert.ok(Math.abs(days(cert) - 1826) < 1);
    const signature = sign('sha256', Buffer.from('assertion'), pki.signingKey);
    assert.ok(verify('sha256', Buffer.from('assertion'), cert.publicKey, signature));
    const ku = new x509.X509Certificate(pki.signingCertPem).getExtension(x509.KeyUsagesExtension);
    assert.equal(ku?.usages, x509.KeyUsageFlags.digitalSignature);
  });

  test('a second call loads the same material', async () => {
    const pki = await first;
    const again = await loadOrCreatePki(dir);
    assert.deepEqual(again.generated, { ca: false, tls: false, signing: false });
    assert.equal(again.caPem, pki.caPem);
    assert.equal(again.tlsCertPem, pki.tlsCertPem);
    assert.equal(again.tlsKeyPem, pki.tlsKeyPem);
    assert.equal(again.signingCertPem, pki.signingCertPem);
    assert.ok(again.signingKey.equals(pki.signingKey));
  });
});

test('concurrent first calls on one folder agree on one set of keys', async () => {
  const dir = freshDir();
  const [a, b] = await Promise.all([loadOrCreatePki(dir), loadOrCreatePki(dir)]);
  assert.equal(a.caPem, b.caPem);
  assert.equal(a.tlsCertPem, b.tlsCertPem);
  assert.equal(a.signingCertPem, b.signingCertPem);
});

test('a TLS certificate within 7 days of expiry is re-issued by the same CA', async () => {
  const dir = freshDir();
  const pki = await loadOrCreatePki(dir);
  writeFileSync(join(dir, 'tls-cert.pem'), await expiringLeaf(dir, 3));
  const renewed = await loadOrCreatePki(dir);
  assert.deepEqual(renewed.generated, { ca: false, tls: true, signing: false });
  assert.equal(renewed.caPem, pki.caPem);
  assert.equal(renewed.signingCertPem, pki.signingCertPem);
  const tls = new X509Certificate(renewed.tlsCertPem);
  assert.ok(tls.checkIssued(new X509Certificate(pki.caPem)));
  assert.ok(Date.parse(tls.validTo) - Date.now() > 300 * 86_400_000);
  assert.equal(mode(join(dir, 'tls-key.pem')), 0o600);
  // eight days left: kept
  writeFileSync(join(dir, 'tls-cert.pem'), await expiringLeaf(dir, 8));
  assert.equal((await loadOrCreatePki(dir)).generated.tls, false);
});

test('a missing TLS pair is re-issued; a missing signing key or CA key is an error', async () => {
  const dir = freshDir();
  const pki = await loadOrCreatePki(dir);
  unlinkSync(join(dir, 'tls-key.pem'));
  const again = await loadOrCreatePki(dir);
  assert.equal(again.generated.tls, true);
  assert.equal(again.caPem, pki.caPem);
  unlinkSync(join(dir, 'signing-key.pem'));
  await assert.rejects(loadOrCreatePki(dir), dataDirError(/signing-key\.pem is missing/));
  const other = freshDir();
  await loadOrCreatePki(other);
  unlinkSync(join(other, 'ca-key.pem'));
  await assert.rejects(loadOrCreatePki(other), dataDirError(/ca-key\.pem is missing/));
});

test('corrupt or mismatched files are PSSO_ERR_IDP_DATA_DIR, without their contents', async () => {
  const dir = freshDir();
  await loadOrCreatePki(dir);
  const good = readFileSync(join(dir, 'signing-key.pem'), 'utf8');
  writeFileSync(join(dir, 'signing-key.pem'), 'SECRET-GARBAGE\n');
  await assert.rejects(loadOrCreatePki(dir), (e: unknown) => {
    assert.ok(e instanceof IdpError);
    assert.equal(e.code, 'PSSO_ERR_IDP_DATA_DIR');
    assert.match(e.message, /signing-key\.pem is not a PEM private key/);
    assert.doesNotMatch(e.message, /SECRET/);
    return true;
  });
  writeFileSync(join(dir, 'signing-key.pem'), good);
  writeFileSync(join(dir, 'tls-key.pem'), good);
  await assert.rejects(loadOrCreatePki(dir), dataDirError(/tls-key\.pem does not match/));
  writeFileSync(
    join(dir, 'ca.pem'),
    '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
  );
  await assert.rejects(loadOrCreatePki(dir), dataDirError(/ca\.pem is not a PEM certificate/));
});

test('a data folder that is a file is PSSO_ERR_IDP_DATA_DIR', async () => {
  const file = join(root, 'plain-file');
  writeFileSync(file, '');
  await assert.rejects(loadOrCreatePki(file), dataDirError(/not a folder/));
});

test('defaultDataDir follows XDG_DATA_HOME when absolute', () => {
  const saved = process.env.XDG_DATA_HOME;
  try {
    process.env.XDG_DATA_HOME = '/srv/data';
    assert.equal(defaultDataDir(), '/srv/data/psso-wstrust/idp');
    process.env.XDG_DATA_HOME = 'relative/path';
    assert.equal(defaultDataDir(), join(homedir(), '.local/share/psso-wstrust/idp'));
    delete process.env.XDG_DATA_HOME;
    assert.equal(defaultDataDir(), join(homedir(), '.local/share/psso-wstrust/idp'));
  } finally {
    if (saved === undefined) delete process.env.XDG_DATA_HOME;
    else process.env.XDG_DATA_HOME = saved;
  }
});

function dataDirError(message: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof IdpError, String(e));
    assert.equal(e.code, 'PSSO_ERR_IDP_DATA_DIR');
    assert.match(e.message, message);
    return true;
  };
}

/** A certificate (the default names) for the existing tls-key.pem, signed by ca-key.pem, `daysLeft` days left. */
async function expiringLeaf(dir: string, daysLeft: number): Promise<string> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const pkcs8 = (file: string) =>
    createPrivateKey(readFileSync(join(dir, file), 'utf8')).export({
      type: 'pkcs8',
      format: 'der',
    });
  const caKey = await crypto.subtle.importKey('pkcs8', pkcs8('ca-key.pem'), alg, false, ['sign']);
  const leafKey = createPublicKey(readFileSync(join(dir, 'tls-key.pem'), 'utf8'));
  const spki = leafKey.export({ type: 'spki', format: 'der' });
  const leafPublic = await crypto.subtle.importKey('spki', spki, alg, true, ['verify']);
  const ca = new x509.X509Certificate(readFileSync(join(dir, 'ca.pem'), 'utf8'));
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: '0102',
      subject: 'CN=localhost',
      issuer: ca.subject,
      notBefore: new Date(Date.now() - 300 * 86_400_000),
      notAfter: new Date(Date.now() + daysLeft * 86_400_000),
      signingAlgorithm: alg,
      publicKey: leafPublic,
      signingKey: caKey,
      extensions: [
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: '127.0.0.1' },
          { type: 'ip', value: '::1' },
        ]),
      ],
    },
    crypto,
  );
  return cert.toString('pem');
}
