/**
 * The reference IdP's key material, kept in its data folder: a local CA (ECDSA P-256, 10 years,
 * name-constrained to localhost), a TLS server certificate it signs for `localhost`, `127.0.0.1`
 * and `::1` (1 year, re-issued when within 7 days of expiry), and an RSA-2048 token-signing key with
 * a self-signed certificate (5 years).
 *
 * Files: `ca.pem`, `ca-key.pem` (0600, kept to re-issue the TLS certificate), `tls-cert.pem`,
 * `tls-key.pem` (0600), `signing-cert.pem`, `signing-key.pem` (0600), in a folder created 0700.
 *
 * @module
 */
import { createPrivateKey, KeyObject, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as X509 from '@peculiar/x509';
import { dataDirError, ensureDataDir, withDataDirLock, writeFileAtomic } from './store/data-dir.js';

export { defaultDataDir } from './store/data-dir.js';

/** The IdP's key material, as {@link loadOrCreatePki} returns it. */
export interface IdpPki {
  /** Absolute path of the local CA certificate (what a client must trust for TLS). */
  readonly caFile: string;
  readonly caPem: string;
  /** TLS server certificate (localhost, 127.0.0.1, ::1) and its private key, PEM. */
  readonly tlsCertPem: string;
  readonly tlsKeyPem: string;
  /** Absolute path of the token-signing certificate (what a relying party pins). */
  readonly signingCertFile: string;
  readonly signingCertPem: string;
  readonly signingCertDer: Uint8Array;
  /** The RSA-2048 token-signing private key. */
  readonly signingKey: KeyObject;
  /** What this call generated (as opposed to loaded): worth telling the operator. */
  readonly generated: { readonly ca: boolean; readonly tls: boolean; readonly signing: boolean };
}

const DAY_MS = 24 * 3600_000;
/** The TLS certificate is re-issued when it expires within this long. */
const TLS_RENEW_BEFORE_MS = 7 * DAY_MS;
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
} as const;
const crypto = webcrypto as unknown as Crypto;

/** A certificate and its private key, loaded and checked. */
interface Pair {
  readonly certPem: string;
  readonly keyPem: string;
  readonly cert: X509Certificate;
  readonly key: KeyObject;
}

/**
 * Loads the IdP's key material from `dataDir`, generating what is absent (see the module
 * documentation). Concurrent callers on one folder take turns through a lock file.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` when the folder cannot be created or written, or a file
 *   is unreadable, corrupt, or does not match its pair (messages name the file, never its contents).
 * @example
 * ```ts
 * const pki = await loadOrCreatePki(defaultDataDir());
 * const server = https.createServer({ cert: pki.tlsCertPem, key: pki.tlsKeyPem });
 * if (pki.generated.ca) console.log(`trust ${pki.caFile} on the client`);
 * ```
 */
export async function loadOrCreatePki(dataDir: string): Promise<IdpPki> {
  const dir = ensureDataDir(dataDir);
  return withDataDirLock(dir, 'pki', () => loadOrCreateIn(dir));
}

async function loadOrCreateIn(dir: string): Promise<IdpPki> {
  const now = new Date();
  const file = (name: string) => join(dir, name);
  let ca = await loadPair(dir, 'ca.pem', 'ca-key.pem', true);
  const generateCa = ca === undefined;
  if (ca === undefined) ca = await save(dir, 'ca.pem', 'ca-key.pem', await createCa(now));
  if (!ca.cert.ca || new Date(ca.cert.validTo).getTime() <= now.getTime())
    throw dataDirError(`${file('ca.pem')} is not a valid CA certificate (expired or not a CA)`);
  if (ca.key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw dataDirError(`${file('ca-key.pem')} is not an ECDSA P-256 key`);

  let tls = await loadPair(dir, 'tls-cert.pem', 'tls-key.pem', false);
  const issueTls = generateCa || tls === undefined || !usableTls(tls, ca, now);
  if (issueTls || tls === undefined)
    tls = await save(dir, 'tls-cert.pem', 'tls-key.pem', await createTls(ca, now));

  let signing = await loadPair(dir, 'signing-cert.pem', 'signing-key.pem', true);
  const generateSigning = signing === undefined;
  if (signing === undefined)
    signing = await save(dir, 'signing-cert.pem', 'signing-key.pem', await createSigning(now));
  const details = signing.key.asymmetricKeyDetails;
  if (signing.key.asymmetricKeyType !== 'rsa' || (details?.modulusLength ?? 0) < 2048)
    throw dataDirError(`${file('signing-key.pem')} is not an RSA key of 2048 bits or more`);

  return {
    caFile: file('ca.pem'),
    caPem: ca.certPem,
    tlsCertPem: tls.certPem,
    tlsKeyPem: tls.keyPem,
    signingCertFile: file('signing-cert.pem'),
    signingCertPem: signing.certPem,
    signingCertDer: new Uint8Array(signing.cert.raw),
    signingKey: signing.key,
    generated: { ca: generateCa, tls: issueTls, signing: generateSigning },
  };
}

/** Issued by this CA, signature valid, and more than 7 days left. */
function usableTls(tls: Pair, ca: Pair, now: Date): boolean {
  const validTo = new Date(tls.cert.validTo).getTime();
  return (
    tls.cert.checkIssued(ca.cert) &&
    tls.cert.verify(ca.cert.publicKey) &&
    validTo - now.getTime() > TLS_RENEW_BEFORE_MS
  );
}

/**
 * Reads a certificate and its key. Both absent: `undefined`. One absent: an error when `strict`
 * (a CA or a signing key must not be silently replaced), else `undefined` (re-issued).
 */
async function loadPair(
  dir: string,
  certName: string,
  keyName: string,
  strict: boolean,
): Promise<Pair | undefined> {
  const certFile = join(dir, certName);
  const keyFile = join(dir, keyName);
  const certPem = await readOptional(certFile);
  const keyPem = await readOptional(keyFile);
  if (certPem === undefined || keyPem === undefined) {
    if (strict && (certPem !== undefined || keyPem !== undefined))
      throw dataDirError(`${certPem === undefined ? certFile : keyFile} is missing`);
    return undefined;
  }
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw dataDirError(`${certFile} is not a PEM certificate`);
  }
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw dataDirError(`${keyFile} is not a PEM private key`);
  }
  if (!cert.checkPrivateKey(key))
    throw dataDirError(`${keyFile} does not match the key of ${certFile}`);
  return { certPem, keyPem, cert, key };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw dataDirError(`cannot read ${path}`, e);
  }
}

/** Writes a new pair (key first, 0600; certificate 0644) and returns it parsed. */
async function save(
  dir: string,
  certName: string,
  keyName: string,
  made: { certPem: string; keyPem: string },
): Promise<Pair> {
  await writeFileAtomic(join(dir, keyName), made.keyPem, 0o600);
  await writeFileAtomic(join(dir, certName), made.certPem, 0o644);
  return {
    ...made,
    cert: new X509Certificate(made.certPem),
    key: createPrivateKey(made.keyPem),
  };
}

/**
 * @peculiar/x509 (and the reflect-metadata it needs) is loaded only when a certificate must be
 * made: an IdP restarting on an existing data folder never pays its memory.
 */
async function x509lib(): Promise<typeof X509> {
  await import('reflect-metadata');
  return import('@peculiar/x509');
}

async function createCa(now: Date): Promise<{ certPem: string; keyPem: string }> {
  const x509 = await x509lib();
  const keys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name: `CN=psso-wstrust local CA ${randomBytes(4).toString('hex')}, O=psso-wstrust`,
      ...validity(now, 3652),
      signingAlgorithm: EC,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        new x509.Extension('2.5.29.30', true, localhostNameConstraints()),
      ],
    },
    crypto,
  );
  return { certPem: pem(cert), keyPem: await keyPem(keys.privateKey) };
}

async function createTls(ca: Pair, now: Date): Promise<{ certPem: string; keyPem: string }> {
  const x509 = await x509lib();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await crypto.subtle.importKey(
    'pkcs8',
    ca.key.export({ type: 'pkcs8', format: 'der' }),
    EC,
    false,
    ['sign'],
  );
  const keys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serial(),
      subject: 'CN=localhost',
      issuer: caCert.subject,
      ...validity(now, 365),
      signingAlgorithm: EC,
      publicKey: keys.publicKey,
      signingKey: caKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: '127.0.0.1' },
          { type: 'ip', value: '::1' },
        ]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: pem(cert), keyPem: await keyPem(keys.privateKey) };
}

async function createSigning(now: Date): Promise<{ certPem: string; keyPem: string }> {
  const x509 = await x509lib();
  const keys = await crypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name: 'CN=psso-wstrust token signing',
      ...validity(now, 1826),
      signingAlgorithm: RSA,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: pem(cert), keyPem: await keyPem(keys.privateKey) };
}

/** Valid from five minutes ago (clock skew) for `days` days. */
function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  return {
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter: new Date(now.getTime() + days * DAY_MS),
  };
}

/** A random positive 128-bit serial number without a leading zero byte. */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function pem(cert: X509.X509Certificate): string {
  return `${cert.toString('pem').replace(/\r\n/g, '\n').trimEnd()}\n`;
}

async function keyPem(key: CryptoKey): Promise<string> {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string;
}

/**
 * NameConstraints (RFC 5280 4.2.1.10) permitting only `localhost`, `127.0.0.1/32` and `::1/128`:
 * a trusted local CA whose key leaked cannot vouch for any other name.
 */
function localhostNameConstraints(): Uint8Array<ArrayBuffer> {
  const tlv = (tag: number, ...parts: Uint8Array[]) => {
    const body = Buffer.concat(parts);
    if (body.length > 127) throw new Error('DER length over 127 not needed here');
    return Buffer.concat([Buffer.from([tag, body.length]), body]);
  };
  const ip4 = Buffer.from([127, 0, 0, 1, 255, 255, 255, 255]);
  const ip6 = Buffer.concat([Buffer.alloc(15), Buffer.from([1]), Buffer.alloc(16, 0xff)]);
  const subtrees = [
    tlv(0x30, tlv(0x82, Buffer.from('localhost', 'ascii'))),
    tlv(0x30, tlv(0x87, ip4)),
    tlv(0x30, tlv(0x87, ip6)),
  ];
  return new Uint8Array(tlv(0x30, tlv(0xa0, ...subtrees)));
}
