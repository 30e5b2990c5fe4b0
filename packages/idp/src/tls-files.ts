/**
 * `--tls-cert FILE --tls-key FILE`: the operator's own TLS certificate (PEM, optionally followed by
 * its intermediate certificates) and private key, used instead of the generated pair.
 *
 * @module
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { IdpError } from 'psso-wstrust';
import { readSecretFile } from './store/secret-file.js';

/** Files of an operator-provided TLS certificate and key. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * The key may be group-readable (the `ssl-cert` group convention of Debian), never writable by
 * the group nor open to others.
 */
const TLS_KEY_MODE_MASK = 0o037;

/**
 * Reads and checks an operator's certificate and key: both PEM, the key matching the (first)
 * certificate, the certificate currently valid and for TLS servers when it says what it is for.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_CONFIG` naming the file and what is wrong;
 *   `PSSO_ERR_IDP_KEY_FILE_MODE` when the key is open to other users.
 * @example
 * ```ts
 * const tls = await loadTlsFiles({ certFile: 'fullchain.pem', keyFile: 'privkey.pem' });
 * https.createServer({ cert: tls.certPem, key: tls.keyPem });
 * ```
 */
export async function loadTlsFiles(
  files: TlsFiles,
  now: Date = new Date(),
): Promise<{ certFile: string; certPem: string; keyPem: string; cert: X509Certificate }> {
  const certFile = resolve(files.certFile);
  const keyFile = resolve(files.keyFile);
  let certPem: string;
  try {
    certPem = await readFile(certFile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw bad(
      code === 'ENOENT'
        ? `the TLS certificate file ${certFile} does not exist`
        : `cannot read the TLS certificate file ${certFile} (${code ?? 'error'})`,
    );
  }
  const keyPem = await readSecretFile(keyFile, 'the TLS key file', TLS_KEY_MODE_MASK);
  if (keyPem === undefined) throw bad(`the TLS key file ${keyFile} does not exist`);
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw bad(`${certFile} is not a PEM certificate`);
  }
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw bad(`${keyFile} is not a PEM private key`);
  }
  if (!cert.checkPrivateKey(key))
    throw bad(`the TLS key ${keyFile} does not match the certificate ${certFile}`);
  if (Date.parse(cert.validTo) <= now.getTime() || Date.parse(cert.validFrom) > now.getTime())
    throw bad(
      `the TLS certificate ${certFile} is not valid now (${cert.validFrom} to ${cert.validTo})`,
    );
  if (cert.ca) throw bad(`${certFile} is a CA certificate, not a server certificate`);
  const eku = cert.keyUsage;
  if (eku !== undefined && eku.length > 0 && !eku.includes('1.3.6.1.5.5.7.3.1'))
    throw bad(`the TLS certificate ${certFile} is not for TLS servers (extended key usage)`);
  return { certFile, certPem, keyPem, cert };
}

function bad(message: string): IdpError {
  return new IdpError('PSSO_ERR_IDP_CONFIG', message);
}
