/**
 * The certification authorities trusted to issue SmartCard certificates (docs/PLATFORM-SSO.md
 * §3.9), whatever the backend: a SmartCard login's `x5c` chain must end at one of them. Kept as
 * PEM, keyed by the SHA-256 fingerprint; only CA certificates (basicConstraints CA) are accepted.
 * The checks and the read cache live here; a backend supplies three row operations.
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { IdpError } from 'psso-wstrust';
import type { SmartCardCaRecord } from './records.js';
import type { SmartCardCaStore } from './types.js';

/** A trusted CA as a backend stores it. */
export interface SmartCardCaRow {
  readonly fingerprint: string;
  readonly subject: string;
  readonly pem: string;
  readonly created_at: string;
}

const fingerprintOf = (c: X509Certificate) => c.fingerprint256.replaceAll(':', '').toUpperCase();

/**
 * A {@link SmartCardCaStore} over three row operations of a backend.
 *
 * @example
 * ```ts
 * const ca = await smartCardCas.add(readFileSync('smartcard-ca.pem', 'utf8'));
 * verifySmartCardChain(x5c, await smartCardCas.certificates(), now);
 * ```
 */
export abstract class SmartCardCaStoreBase implements SmartCardCaStore {
  #cache: { readonly at: number; readonly cas: readonly X509Certificate[] } | undefined;

  /** @param cacheMs how long {@link certificates} keeps what it read (ms); 0 reads every time. */
  constructor(private readonly cacheMs = 10_000) {}

  /** Inserts the row unless its fingerprint is there already. */
  protected abstract insertRow(row: SmartCardCaRow): Promise<void>;
  /** Every row, oldest first. */
  protected abstract allRows(): Promise<SmartCardCaRow[]>;
  /** `false` when there was no such row. */
  protected abstract deleteRow(fingerprint: string): Promise<boolean>;

  async add(pem: string): Promise<SmartCardCaRecord> {
    const blocks =
      typeof pem === 'string'
        ? pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)
        : null;
    if (blocks?.length !== 1) throw new TypeError('exactly one PEM certificate is required');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(blocks[0] as string);
    } catch {
      throw new TypeError('the PEM block is not an X.509 certificate');
    }
    if (!cert.ca) throw new TypeError('the certificate is not a CA certificate (basicConstraints)');
    const row: SmartCardCaRow = {
      fingerprint: fingerprintOf(cert),
      subject: cert.subject.replaceAll('\n', ', '),
      pem: cert.toString(),
      created_at: new Date().toISOString(),
    };
    await this.insertRow(row);
    this.#cache = undefined;
    return caRecord(row);
  }

  async list(): Promise<SmartCardCaRecord[]> {
    return (await this.allRows()).map(caRecord);
  }

  async certificates(): Promise<readonly X509Certificate[]> {
    const now = Date.now();
    if (this.#cache === undefined || now - this.#cache.at >= this.cacheMs)
      this.#cache = { at: now, cas: (await this.list()).map((r) => r.certificate) };
    return this.#cache.cas;
  }

  async remove(fingerprint: string): Promise<void> {
    const removed = await this.deleteRow(fingerprint.replaceAll(':', '').toUpperCase());
    this.#cache = undefined;
    if (!removed) throw new IdpError('PSSO_ERR_IDP_USER_NOT_FOUND', 'No such trusted CA');
  }
}

function caRecord(row: SmartCardCaRow): SmartCardCaRecord {
  return {
    fingerprint: row.fingerprint,
    subject: row.subject,
    certificate: new X509Certificate(row.pem),
    createdAt: row.created_at,
  };
}
