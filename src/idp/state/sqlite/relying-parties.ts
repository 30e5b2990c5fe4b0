/**
 * The relying parties the STS issues tokens for, keyed by their AppliesTo identifier (compared
 * exactly). `urn:federation:MicrosoftOnline` (SAML 1.1) is seeded when the database is created.
 *
 * @module
 */
import type { IdpDatabase } from './database.js';
import type { RelyingParty } from './types.js';

/** Longest relying-party identifier accepted. */
export const MAX_IDENTIFIER_LENGTH = 1024;

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

interface Row {
  identifier: string;
  saml_version: '1.1' | '2.0';
  recipient: string | null;
}

/**
 * Relying parties in the IdP database.
 *
 * @example
 * ```ts
 * const rps = new RelyingPartyStore(db);
 * rps.upsert({ identifier: 'urn:example:app', samlVersion: '2.0' });
 * rps.get('urn:federation:MicrosoftOnline'); // { identifier: …, samlVersion: '1.1' }
 * ```
 */
export class RelyingPartyStore {
  readonly #db: IdpDatabase;

  constructor(db: IdpDatabase) {
    this.#db = db;
  }

  /**
   * Every relying party, sorted by identifier.
   *
   * @example
   * ```ts
   * rps.list().map((rp) => rp.identifier);
   * ```
   */
  list(): RelyingParty[] {
    const rows = this.#db.guard(() =>
      this.#db.statement('SELECT * FROM relying_parties ORDER BY identifier').all(),
    ) as Row[];
    return rows.map(record);
  }

  /**
   * The relying party with exactly this identifier, or `undefined`.
   *
   * @throws {IdpError} `PSSO_ERR_IDP_STORE_UNAVAILABLE` when the database fails.
   * @example
   * ```ts
   * const rp = rps.get(appliesTo);
   * if (rp === undefined) throw new StsFault('unknown-relying-party', WIRE.invalidRequest);
   * ```
   */
  get(identifier: string): RelyingParty | undefined {
    if (typeof identifier !== 'string') return undefined;
    const row = this.#db.guard(() =>
      this.#db.statement('SELECT * FROM relying_parties WHERE identifier = ?').get(identifier),
    ) as Row | undefined;
    return row === undefined ? undefined : record(row);
  }

  /**
   * Adds a relying party, or changes the SAML version and Recipient of an existing one.
   *
   * @throws {TypeError} for an empty, over-long or control-character identifier, a SAML version
   *   other than `'1.1'` and `'2.0'`, or a `recipient` that is not an absolute http(s) URL or is
   *   given for SAML 1.1 (which has no Recipient).
   * @example
   * ```ts
   * rps.upsert({ identifier: 'urn:federation:MicrosoftOnline', samlVersion: '2.0' });
   * ```
   */
  upsert(rp: RelyingParty): RelyingParty {
    const { identifier, samlVersion, recipient } = rp;
    if (typeof identifier !== 'string' || identifier === '' || CONTROL.test(identifier))
      throw new TypeError('the identifier must be a non-empty string without control characters');
    if (identifier.length > MAX_IDENTIFIER_LENGTH)
      throw new TypeError(`the identifier must be at most ${MAX_IDENTIFIER_LENGTH} characters`);
    if (samlVersion !== '1.1' && samlVersion !== '2.0')
      throw new TypeError("samlVersion must be '1.1' or '2.0'");
    if (recipient !== undefined) checkRecipient(recipient, samlVersion);
    this.#db.guard(() =>
      this.#db
        .statement(
          `INSERT INTO relying_parties (identifier, saml_version, recipient) VALUES (?, ?, ?)
           ON CONFLICT (identifier) DO UPDATE SET saml_version = excluded.saml_version,
             recipient = excluded.recipient`,
        )
        .run(identifier, samlVersion, recipient ?? null),
    );
    return { identifier, samlVersion, ...(recipient === undefined ? {} : { recipient }) };
  }
}

function record(row: Row): RelyingParty {
  return {
    identifier: row.identifier,
    samlVersion: row.saml_version,
    ...(row.recipient === null ? {} : { recipient: row.recipient }),
  };
}

/** A Recipient is an absolute http(s) URL, for a SAML 2.0 relying party. */
function checkRecipient(recipient: unknown, samlVersion: '1.1' | '2.0'): void {
  if (samlVersion !== '2.0')
    throw new TypeError('recipient applies to SAML 2.0 relying parties only');
  if (
    typeof recipient !== 'string' ||
    recipient.length > MAX_IDENTIFIER_LENGTH ||
    CONTROL.test(recipient) ||
    !/^https?:\/\/[^\s]+$/.test(recipient) ||
    !URL.canParse(recipient)
  )
    throw new TypeError('recipient must be an absolute http(s) URL');
}
