/**
 * A SmartCard credential for a SmartCard login (docs/PLATFORM-SSO.md §3.9): the card's private key
 * (RSA of at least 2048 bits, EC P-256 or P-384) and its certificate chain, leaf first, sent as the
 * embedded assertion's `x5c`. A Mac reads them from the token through CryptoTokenKit; this project
 * reads PEM files.
 *
 * @module
 */
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../errors.js';
import { type AssertionAlgorithm, assertionAlgorithm } from '../../jose/embedded-assertion.js';

/** A SmartCard's key and certificates. */
export interface SmartCardCredential {
  readonly privateKey: KeyObject;
  /** The chain as `x5c` carries it: standard base64 DER, leaf first. */
  readonly certificates: readonly string[];
  /** The algorithm the key signs with. */
  readonly alg: AssertionAlgorithm;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Builds a SmartCard credential from a PEM private key and PEM certificates (leaf first; a list of
 * PEM texts or one text holding several).
 *
 * @throws {TypeError} when the key is not usable (see `assertionAlgorithm`), there is no
 *   certificate, or the leaf certificate is not the key's.
 * @example
 * ```ts
 * const card = smartCardCredential(keyPem, chainPem);
 * card.alg; // 'RS256'
 * ```
 */
export function smartCardCredential(
  privateKeyPem: string | KeyObject,
  certificatesPem: string | readonly string[],
): SmartCardCredential {
  const privateKey =
    typeof privateKeyPem === 'string' ? createPrivateKey(privateKeyPem) : privateKeyPem;
  if (privateKey.type !== 'private') throw new TypeError('a private key is required');
  const alg = assertionAlgorithm(privateKey);
  const text = typeof certificatesPem === 'string' ? certificatesPem : certificatesPem.join('\n');
  const certs = (text.match(PEM_CERT) ?? []).map((pem) => new X509Certificate(pem));
  const leaf = certs[0];
  if (leaf === undefined) throw new TypeError('at least one PEM certificate is required');
  const spki = (k: KeyObject) => k.export({ format: 'der', type: 'spki' });
  if (!spki(leaf.publicKey).equals(spki(createPublicKey(privateKey))))
    throw new TypeError('the first certificate is not the private key’s');
  return { privateKey, certificates: certs.map((c) => c.raw.toString('base64')), alg };
}

/**
 * Reads a SmartCard credential from a PEM private key file and a PEM certificate file (the leaf
 * first, then any intermediates).
 *
 * @throws {ConfigError} `PSSO_ERR_KEYS_FILE` when a file cannot be read or does not hold a usable
 *   key and matching certificate (the message never quotes the files).
 * @example
 * ```ts
 * const card = await loadSmartCard('card.key.pem', 'card.chain.pem');
 * await pssoLogin({ config, username, keys, smartCard: card });
 * ```
 */
export async function loadSmartCard(
  keyFile: string,
  certFile: string,
): Promise<SmartCardCredential> {
  let keyPem: string;
  let certPem: string;
  try {
    [keyPem, certPem] = await Promise.all([readFile(keyFile, 'utf8'), readFile(certFile, 'utf8')]);
  } catch (e) {
    throw new ConfigError('PSSO_ERR_KEYS_FILE', 'cannot read the SmartCard key or certificate', {
      cause: e,
    });
  }
  try {
    return smartCardCredential(keyPem, certPem);
  } catch (e) {
    const why = e instanceof TypeError ? e.message : 'not a PEM key and certificate';
    // The cause is dropped on purpose: it could describe key material.
    throw new ConfigError('PSSO_ERR_KEYS_FILE', `the SmartCard files are not usable: ${why}`);
  }
}
