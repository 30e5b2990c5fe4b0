/**
 * The reference IdP's key material, kept in its data folder: a local CA (ECDSA P-256, 10 years,
 * name-constrained to the names the IdP serves), a TLS server certificate it signs for `localhost`,
 * `127.0.0.1`, `::1` and any `hostnames` asked for (1 year, re-issued when within 7 days of expiry
 * or when the names change), and an RSA-2048 token-signing key with a self-signed certificate
 * (5 years). With `tls` (the operator's own certificate) no TLS pair is generated.
 *
 * Names and the CA: a CA permits exactly the names known when it was made (RFC 5280 name
 * constraints). When a later start asks for a name outside them, the CA is made again (and every
 * client must be given the new `ca.pem`): `caReplaced` says so, for the operator to be told loudly.
 *
 * Files: `ca.pem`, `ca-key.pem` (0600, kept to re-issue the TLS certificate), `tls-cert.pem`,
 * `tls-key.pem` (0600), `signing-cert.pem`, `signing-key.pem` (0600), in a folder created 0700.
 * A private key file that other users may read or write is refused (`PSSO_ERR_IDP_KEY_FILE_MODE`).
 *
 * @module
 */
import { createPrivateKey, KeyObject, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as X509 from '@peculiar/x509';
import { caProblem, signingKeyProblem } from './pki-checks.js';
import {
  certNamesExactly,
  commonName,
  constraintsPermit,
  nameConstraintsDer,
  sanEntries,
  tlsNames,
} from './pki-names.js';
import { dataDirError, ensureDataDir, writeFilesAtomic } from './store/data-dir.js';
import { withDataDirLock } from './store/lock.js';
import { readSecretFile } from './store/secret-file.js';
import { loadTlsFiles, type TlsFiles } from './tls-files.js';

export { defaultDataDir } from './store/data-dir.js';

/** The files of the IdP's certificates and keys in its data folder. */
export const PKI_FILES = Object.freeze({
  caCert: 'ca.pem',
  caKey: 'ca-key.pem',
  tlsCert: 'tls-cert.pem',
  tlsKey: 'tls-key.pem',
  signingCert: 'signing-cert.pem',
  signingKey: 'signing-key.pem',
} as const);

/** The IdP's key material, as {@link loadOrCreatePki} returns it. */
export interface IdpPki {
  /** Absolute path of the local CA certificate (what a client must trust for TLS). */
  readonly caFile: string;
  readonly caPem: string;
  /** TLS server certificate (generated, or the operator's) and its private key, PEM. */
  readonly tlsCertPem: string;
  readonly tlsKeyPem: string;
  /** Absolute path of the TLS certificate served (`tls-cert.pem`, or the operator's file). */
  readonly tlsCertFile: string;
  /** Whether the TLS certificate is the generated one (else `--tls-cert`). */
  readonly tlsGenerated: boolean;
  /** Absolute path of the token-signing certificate (what a relying party pins). */
  readonly signingCertFile: string;
  readonly signingCertPem: string;
  readonly signingCertDer: Uint8Array;
  /** The RSA-2048 token-signing private key. */
  readonly signingKey: KeyObject;
  /** What this call generated (as opposed to loaded): worth telling the operator. */
  readonly generated: { readonly ca: boolean; readonly tls: boolean; readonly signing: boolean };
  /** The CA was made again for a name its constraints did not permit: redistribute `ca.pem`. */
  readonly caReplaced: boolean;
}

/** Options of {@link loadOrCreatePki}. */
export interface PkiOptions {
  /** Names (DNS or IP) the generated TLS certificate carries besides localhost and loopback. */
  readonly hostnames?: readonly string[];
  /** The operator's own TLS certificate and key, used instead of a generated pair. */
  readonly tls?: TlsFiles;
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
export async function loadOrCreatePki(dataDir: string, options: PkiOptions = {}): Promise<IdpPki> {
  const names = tlsNames(options.hostnames ?? []);
  const dir = ensureDataDir(dataDir);
  const own = options.tls === undefined ? undefined : await loadTlsFiles(options.tls);
  return withDataDirLock(dir, 'pki', () => loadOrCreateIn(dir, names, own));
}

async function loadOrCreateIn(
  dir: string,
  names: readonly string[],
  own: Awaited<ReturnType<typeof loadTlsFiles>> | undefined,
): Promise<IdpPki> {
  const now = new Date();
  const file = (name: string) => join(dir, name);
  const f = PKI_FILES;
  let ca = await loadPair(dir, f.caCert, f.caKey, true);
  const generateCa = ca === undefined;
  if (ca === undefined) ca = await save(dir, f.caCert, f.caKey, await createCa(now, names));
  const caWrong = caProblem(ca.cert, ca.key, now);
  if (caWrong !== undefined) throw dataDirError(`${file(f.caCert)} ${caWrong}`);

  let tls = own === undefined ? await loadPair(dir, f.tlsCert, f.tlsKey, false) : undefined;
  const issueTls =
    own === undefined &&
    (generateCa ||
      tls === undefined ||
      !usableTls(tls, ca, now) ||
      !certNamesExactly(tls.cert, names));
  // A name outside the CA's constraints: the CA is made again (clients must trust the new one).
  const caReplaced = issueTls && !generateCa && !(await caPermits(ca, names));
  if (caReplaced) ca = await save(dir, f.caCert, f.caKey, await createCa(now, names));
  if (issueTls) tls = await save(dir, f.tlsCert, f.tlsKey, await createTls(ca, now, names));

  let signing = await loadPair(dir, f.signingCert, f.signingKey, true);
  const generateSigning = signing === undefined;
  if (signing === undefined)
    signing = await save(dir, f.signingCert, f.signingKey, await createSigning(now));
  const signingWrong = signingKeyProblem(signing.key);
  if (signingWrong !== undefined) throw dataDirError(`${file(f.signingKey)} ${signingWrong}`);

  return {
    caFile: file(f.caCert),
    caPem: ca.certPem,
    tlsCertPem: own?.certPem ?? tls?.certPem ?? '',
    tlsKeyPem: own?.keyPem ?? tls?.keyPem ?? '',
    tlsCertFile: own?.certFile ?? file(f.tlsCert),
    tlsGenerated: own === undefined,
    signingCertFile: file(f.signingCert),
    signingCertPem: signing.certPem,
    signingCertDer: new Uint8Array(signing.cert.raw),
    signingKey: signing.key,
    generated: { ca: generateCa || caReplaced, tls: issueTls, signing: generateSigning },
    caReplaced,
  };
}

/** Whether the CA's name constraints permit every name (read only when a certificate is issued). */
async function caPermits(ca: Pair, names: readonly string[]): Promise<boolean> {
  const x509 = await x509lib();
  const ext = new x509.X509Certificate(ca.certPem).getExtension('2.5.29.30');
  return constraintsPermit(ext === null ? undefined : new Uint8Array(ext.value), names);
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
  const keyPem = await readSecretFile(keyFile, 'the private key file');
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

/** Writes a new pair (key 0600, certificate 0644, both staged before either is renamed) and returns it parsed. */
async function save(
  dir: string,
  certName: string,
  keyName: string,
  made: { certPem: string; keyPem: string },
): Promise<Pair> {
  await writeFilesAtomic([
    { path: join(dir, keyName), content: made.keyPem, mode: 0o600 },
    { path: join(dir, certName), content: made.certPem, mode: 0o644 },
  ]);
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

async function createCa(
  now: Date,
  names: readonly string[],
): Promise<{ certPem: string; keyPem: string }> {
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
        new x509.Extension('2.5.29.30', true, nameConstraintsDer(names)),
      ],
    },
    crypto,
  );
  return { certPem: pem(cert), keyPem: await keyPem(keys.privateKey) };
}

async function createTls(
  ca: Pair,
  now: Date,
  names: readonly string[],
): Promise<{ certPem: string; keyPem: string }> {
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
      subject: `CN=${commonName(names)}`,
      issuer: caCert.subject,
      ...validity(now, 365),
      signingAlgorithm: EC,
      publicKey: keys.publicKey,
      signingKey: caKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(sanEntries(names)),
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
