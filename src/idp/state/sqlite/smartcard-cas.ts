/**
 * The certification authorities trusted to issue SmartCard certificates (docs/PLATFORM-SSO.md §3.9): a
 * SmartCard login's `x5c` chain must end at one of them. Kept in the IdP database as PEM, keyed by
 * the SHA-256 fingerprint; only CA certificates (basicConstraints CA) are accepted.
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { IdpError } from '../../errors.js';
import type { IdpDatabase } from './database.js';

/** A trusted SmartCard CA. */
export interface SmartCardCaRecord {
  /** SHA-256 fingerprint, upper-case hex without separators. */
  readonly fingerprint: string;
  readonly subject: string;
  readonly certificate: X509Certificate;
  readonly createdAt: string;
}

interface Row {
  fingerprint: string;
  subject: string;
  pem: string;
  created_at: string;
}

const fingerprintOf = (c: X509Certificate) => c.fingerprint256.replaceAll(':', '').toUpperCase();

/** Trusted SmartCard CAs over the IdP database. */
export class SmartCardCaStore {
  #cache: { readonly at: number; readonly cas: readonly X509Certificate[] } | undefined;

  constructor(
    private readonly db: IdpDatabase,
    /** How long {@link certificates} keeps what it read (ms); 0 reads every time. */
    private readonly cacheMs = 10_000,
  ) {}

  /**
   * Trusts a CA certificate (PEM). Adding it again changes nothing.
   *
   * @throws {TypeError} when the text is not one PEM certificate or not a CA certificate.
   * @example
   * ```ts
   * const ca = smartCardCas.add(readFileSync('smartcard-ca.pem', 'utf8'));
   * ```
   */
  add(pem: string): SmartCardCaRecord {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    if (blocks?.length !== 1) throw new TypeError('exactly one PEM certificate is required');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(blocks[0] as string);
    } catch {
      throw new TypeError('the PEM block is not an X.509 certificate');
    }
    if (!cert.ca) throw new TypeError('the certificate is not a CA certificate (basicConstraints)');
    const row: Row = {
      fingerprint: fingerprintOf(cert),
      subject: cert.subject.replaceAll('\n', ', '),
      pem: cert.toString(),
      created_at: new Date().toISOString(),
    };
    this.db.guard(() =>
      this.db
        .statement(
          'INSERT OR IGNORE INTO smartcard_cas (fingerprint, subject, pem, created_at) VALUES (?, ?, ?, ?)',
        )
        .run(row.fingerprint, row.subject, row.pem, row.created_at),
    );
    this.#cache = undefined;
    return toRecord(row);
  }

  /**
   * Every trusted CA.
   *
   * @example
   * ```ts
   * smartCardCas.list().map((ca) => ca.subject);
   * ```
   */
  list(): SmartCardCaRecord[] {
    const rows = this.db.guard(() =>
      this.db.statement('SELECT * FROM smartcard_cas ORDER BY created_at').all(),
    ) as Row[];
    return rows.map(toRecord);
  }

  /**
   * The trusted CA certificates (read at most every `cacheMs`).
   *
   * @example
   * ```ts
   * verifySmartCardChain(x5c, smartCardCas.certificates(), now);
   * ```
   */
  certificates(): readonly X509Certificate[] {
    const now = Date.now();
    if (this.#cache === undefined || now - this.#cache.at >= this.cacheMs)
      this.#cache = { at: now, cas: this.list().map((r) => r.certificate) };
    return this.#cache.cas;
  }

  /**
   * Stops trusting a CA (by fingerprint, any case, colons allowed).
   *
   * @throws {IdpError} `PSSO_ERR_IDP_USER_NOT_FOUND` when no such CA is trusted.
   * @example
   * ```ts
   * smartCardCas.remove('AB12…');
   * ```
   */
  remove(fingerprint: string): void {
    const key = fingerprint.replaceAll(':', '').toUpperCase();
    const { changes } = this.db.guard(() =>
      this.db.statement('DELETE FROM smartcard_cas WHERE fingerprint = ?').run(key),
    );
    this.#cache = undefined;
    if (changes === 0) throw new IdpError('PSSO_ERR_IDP_USER_NOT_FOUND', 'No such trusted CA');
  }
}

function toRecord(row: Row): SmartCardCaRecord {
  return {
    fingerprint: row.fingerprint,
    subject: row.subject,
    certificate: new X509Certificate(row.pem),
    createdAt: row.created_at,
  };
}
