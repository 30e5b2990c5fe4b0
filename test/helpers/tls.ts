/**
 * A throwaway PKI for loopback https servers in tests: a self-signed CA and a leaf certificate
 * for localhost and 127.0.0.1, made with @peculiar/x509 over node:crypto's WebCrypto.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** PEM texts of a throwaway PKI: the CA certificate, the leaf certificate and its PKCS#8 key. */
export interface TestPki {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
let cached: Promise<TestPki> | undefined;

/**
 * A CA and a leaf certificate for `localhost` and `127.0.0.1` (P-256), made once per test
 * process (generation costs a few milliseconds) and shared.
 *
 * @example
 * ```ts
 * const pki = await makeTestPki();
 * const server = https.createServer({ key: pki.keyPem, cert: pki.certPem }, handler);
 * await httpRequest({ method: 'GET', url }, { ca: pki.caPem });
 * ```
 */
export function makeTestPki(): Promise<TestPki> {
  cached ??= generate();
  return cached;
}

async function generate(): Promise<TestPki> {
  const now = Date.now();
  const notBefore = new Date(now - 60_000);
  const notAfter = new Date(now + 24 * 3600_000);
  const caKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=psso-wstrust test CA',
    notBefore,
    notAfter,
    signingAlgorithm: alg,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
    ],
  });
  const leafKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=localhost',
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingAlgorithm: alg,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
  return { caPem: ca.toString('pem'), certPem: leaf.toString('pem'), keyPem };
}

/** What {@link makeTestCert} varies: the validity window and the names of the leaf. */
export interface TestCertOptions {
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** DNS names (default `localhost`); `127.0.0.1` is added unless `ip: false`. */
  readonly dnsNames?: readonly string[];
  readonly ip?: boolean;
  readonly subject?: string;
}

/**
 * A fresh CA and a leaf with the given validity and names: an expired certificate, one for
 * another host name. Slower than {@link makeTestPki} (not cached): use a few per file.
 *
 * @example
 * ```ts
 * const expired = await makeTestCert({ notBefore: daysAgo(10), notAfter: daysAgo(1) });
 * ```
 */
export async function makeTestCert(o: TestCertOptions = {}): Promise<TestPki> {
  const now = Date.now();
  const caKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '11',
    name: 'CN=psso-wstrust test CA (custom)',
    notBefore: new Date(now - 30 * 86_400_000),
    notAfter: new Date(now + 30 * 86_400_000),
    signingAlgorithm: alg,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
    ],
  });
  const leafKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const names = [
    ...(o.dnsNames ?? ['localhost']).map((value) => ({ type: 'dns' as const, value })),
    ...(o.ip === false ? [] : [{ type: 'ip' as const, value: '127.0.0.1' }]),
  ];
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '12',
    subject: o.subject ?? 'CN=localhost',
    issuer: ca.subject,
    notBefore: o.notBefore ?? new Date(now - 60_000),
    notAfter: o.notAfter ?? new Date(now + 86_400_000),
    signingAlgorithm: alg,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
  return { caPem: ca.toString('pem'), certPem: leaf.toString('pem'), keyPem };
}
