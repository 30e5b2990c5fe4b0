/**
 * Users' Secure Enclave keys in PostgreSQL (`user_keys`, removed with their user by foreign
 * key); the checks are shared with SQLite (../user-keys.ts).
 *
 * @module
 */
import { type UserKeyRow, UserKeyStoreBase } from '../user-keys.js';
import { type PgDatabase, sqlState } from './database.js';

const KEY_COLUMNS = 'kid, upn, jwk, created_at';

/**
 * Users' keys over PostgreSQL: registering is one `INSERT … SELECT … ON CONFLICT DO NOTHING`.
 *
 * @example
 * ```ts
 * await new PgUserKeyStore(db).add('alice@example.com', jwk);
 * ```
 */
export class PgUserKeyStore extends UserKeyStoreBase {
  constructor(private readonly db: PgDatabase) {
    super();
  }

  protected async insertRow(
    userKey: string,
    row: Omit<UserKeyRow, 'upn'>,
  ): Promise<UserKeyRow | 'no-user'> {
    try {
      const { rows } = await this.db.query<UserKeyRow>(
        `INSERT INTO user_keys (kid, user_key, upn, jwk, created_at)
         SELECT $1, upn_key, upn, $3, $4 FROM users WHERE upn_key = $2
         ON CONFLICT (kid) DO NOTHING RETURNING ${KEY_COLUMNS}`,
        [row.kid, userKey, row.jwk, row.created_at],
      );
      if (rows[0] !== undefined) return rows[0];
    } catch (e) {
      // The user was removed by another host between the SELECT and the foreign key check.
      if (sqlState(e) === '23503') return 'no-user';
      throw e;
    }
    // Nothing inserted: no such user, or the key is registered already (to whom?).
    const { rows } = await this.db.query<{ user_exists: boolean } & Partial<UserKeyRow>>(
      `SELECT EXISTS (SELECT 1 FROM users WHERE upn_key = $2) AS user_exists, k.kid, k.upn, k.jwk,
         k.created_at FROM (SELECT 1) AS one LEFT JOIN user_keys k ON k.kid = $1`,
      [row.kid, userKey],
    );
    const found = rows[0];
    if (found?.user_exists !== true || found.kid == null) return 'no-user';
    return found as UserKeyRow;
  }

  protected async findRow(kid: string): Promise<UserKeyRow | undefined> {
    return (
      await this.db.query<UserKeyRow>(`SELECT ${KEY_COLUMNS} FROM user_keys WHERE kid = $1`, [kid])
    ).rows[0];
  }

  protected async allRows(userKey?: string): Promise<UserKeyRow[]> {
    return (
      userKey === undefined
        ? await this.db.query<UserKeyRow>(
            `SELECT ${KEY_COLUMNS} FROM user_keys ORDER BY user_key COLLATE "C", created_at`,
          )
        : await this.db.query<UserKeyRow>(
            `SELECT ${KEY_COLUMNS} FROM user_keys WHERE user_key = $1 ORDER BY created_at`,
            [userKey],
          )
    ).rows;
  }

  protected async deleteRow(kid: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM user_keys WHERE kid = $1', [kid])).rowCount > 0;
  }
}
