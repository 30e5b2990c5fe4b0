/**
 * Relying parties in PostgreSQL (`relying_parties`); the checks are shared with SQLite
 * (../relying-parties.ts).
 *
 * @module
 */
import { type RelyingPartyRow, RelyingPartyStoreBase } from '../relying-parties.js';
import type { PgDatabase } from './database.js';

/**
 * Relying parties over PostgreSQL.
 *
 * @example
 * ```ts
 * await new PgRelyingPartyStore(db).upsert({ identifier: 'urn:example:app', samlVersion: '2.0' });
 * ```
 */
export class PgRelyingPartyStore extends RelyingPartyStoreBase {
  constructor(private readonly db: PgDatabase) {
    super();
  }

  protected async allRows(): Promise<RelyingPartyRow[]> {
    return (
      await this.db.query<RelyingPartyRow>(
        'SELECT identifier, saml_version, recipient FROM relying_parties ORDER BY identifier COLLATE "C"',
      )
    ).rows;
  }

  protected async findRow(identifier: string): Promise<RelyingPartyRow | undefined> {
    return (
      await this.db.query<RelyingPartyRow>(
        'SELECT identifier, saml_version, recipient FROM relying_parties WHERE identifier = $1',
        [identifier],
      )
    ).rows[0];
  }

  protected async upsertRow(row: RelyingPartyRow): Promise<void> {
    await this.db.query(
      `INSERT INTO relying_parties (identifier, saml_version, recipient) VALUES ($1, $2, $3)
       ON CONFLICT (identifier) DO UPDATE SET saml_version = EXCLUDED.saml_version,
         recipient = EXCLUDED.recipient`,
      [row.identifier, row.saml_version, row.recipient],
    );
  }
}
