/**
 * The relying parties in the IdP's SQLite database (`relying_parties`).
 *
 * @module
 */
import { type RelyingPartyRow, RelyingPartyStoreBase } from '../relying-parties.js';
import type { IdpDatabase } from './database.js';

const COLUMNS = 'identifier, saml_version, recipient';

/**
 * A {@link RelyingPartyStore} over the IdP database.
 *
 * @example
 * ```ts
 * const rps = new SqliteRelyingPartyStore(db);
 * await rps.upsert({ identifier: 'urn:example:app', samlVersion: '2.0' });
 * ```
 */
export class SqliteRelyingPartyStore extends RelyingPartyStoreBase {
  constructor(private readonly db: IdpDatabase) {
    super();
  }

  protected async allRows(): Promise<RelyingPartyRow[]> {
    return this.db.guard(
      () =>
        this.db
          .statement(`SELECT ${COLUMNS} FROM relying_parties ORDER BY identifier`)
          .all() as RelyingPartyRow[],
    );
  }

  protected async findRow(identifier: string): Promise<RelyingPartyRow | undefined> {
    return this.db.guard(
      () =>
        this.db
          .statement(`SELECT ${COLUMNS} FROM relying_parties WHERE identifier = ?`)
          .get(identifier) as RelyingPartyRow | undefined,
    );
  }

  protected async upsertRow(row: RelyingPartyRow): Promise<void> {
    this.db.guard(() =>
      this.db
        .statement(
          `INSERT INTO relying_parties (${COLUMNS}) VALUES (?, ?, ?)
           ON CONFLICT (identifier) DO UPDATE SET saml_version = excluded.saml_version,
             recipient = excluded.recipient`,
        )
        .run(row.identifier, row.saml_version, row.recipient),
    );
  }
}
