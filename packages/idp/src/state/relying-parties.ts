/**
 * The relying parties the STS issues tokens for, whatever the backend, keyed by their AppliesTo
 * identifier (compared exactly). `urn:federation:MicrosoftOnline` (SAML 1.1) is seeded when the
 * database is created. The checks live here; a backend supplies three row operations.
 *
 * @module
 */
import type { RelyingParty } from './records.js';
import type { RelyingPartyStore } from './types.js';
import { CONTROL } from './validate.js';

/** Longest relying-party identifier accepted. */
export const MAX_IDENTIFIER_LENGTH = 1024;

/** The relying party seeded on creation: Microsoft Entra ID (Office 365), SAML 1.1. */
export const DEFAULT_RELYING_PARTY = Object.freeze({
  identifier: 'urn:federation:MicrosoftOnline',
  samlVersion: '1.1',
} as const);

/** A relying party as a backend stores it. */
export interface RelyingPartyRow {
  readonly identifier: string;
  readonly saml_version: '1.1' | '2.0';
  readonly recipient: string | null;
}

/**
 * A {@link RelyingPartyStore} over three row operations of a backend.
 *
 * @example
 * ```ts
 * await rps.upsert({ identifier: 'urn:example:app', samlVersion: '2.0' });
 * await rps.get('urn:federation:MicrosoftOnline'); // { identifier: …, samlVersion: '1.1' }
 * ```
 */
export abstract class RelyingPartyStoreBase implements RelyingPartyStore {
  /** Every row, sorted by identifier. */
  protected abstract allRows(): Promise<RelyingPartyRow[]>;
  protected abstract findRow(identifier: string): Promise<RelyingPartyRow | undefined>;
  /** Inserts the row, or updates version and recipient of the same identifier. */
  protected abstract upsertRow(row: RelyingPartyRow): Promise<void>;

  async list(): Promise<RelyingParty[]> {
    return (await this.allRows()).map(relyingParty);
  }

  async get(identifier: string): Promise<RelyingParty | undefined> {
    if (typeof identifier !== 'string') return undefined;
    const row = await this.findRow(identifier);
    return row === undefined ? undefined : relyingParty(row);
  }

  async upsert(rp: RelyingParty): Promise<RelyingParty> {
    const { identifier, samlVersion, recipient } = rp;
    if (typeof identifier !== 'string' || identifier === '' || CONTROL.test(identifier))
      throw new TypeError('the identifier must be a non-empty string without control characters');
    if (identifier.length > MAX_IDENTIFIER_LENGTH)
      throw new TypeError(`the identifier must be at most ${MAX_IDENTIFIER_LENGTH} characters`);
    if (samlVersion !== '1.1' && samlVersion !== '2.0')
      throw new TypeError("samlVersion must be '1.1' or '2.0'");
    if (recipient !== undefined) checkRecipient(recipient, samlVersion);
    await this.upsertRow({
      identifier,
      saml_version: samlVersion,
      recipient: recipient ?? null,
    });
    return { identifier, samlVersion, ...(recipient === undefined ? {} : { recipient }) };
  }
}

function relyingParty(row: RelyingPartyRow): RelyingParty {
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
