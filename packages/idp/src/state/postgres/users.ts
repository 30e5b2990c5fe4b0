/**
 * Users in PostgreSQL (`users`, keyed by `upn_key`, the canonical UPN). Removing a user takes its
 * lockout state, refresh tokens and (by foreign key) its keys in one transaction; a new password
 * revokes its refresh tokens in the same transaction.
 *
 * @module
 */
import { type UserRow, UserStoreBase, type UserStoreOptions } from '../users.js';
import type { PgDatabase, Query } from './database.js';

const COLUMNS = 'upn, password_hash, immutable_id, created_at';

/**
 * A {@link UserStore} over PostgreSQL.
 *
 * @example
 * ```ts
 * const users = new PgUserStore(db);
 * await users.add('alice@example.com', password);
 * ```
 */
export class PgUserStore extends UserStoreBase {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase, options: UserStoreOptions = {}) {
    super(options);
    this.#db = db;
  }

  protected async findRow(key: string): Promise<UserRow | undefined> {
    const { rows } = await this.#db.query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE upn_key = $1`,
      [key],
    );
    return rows[0];
  }

  protected async insertRow(key: string, row: UserRow): Promise<boolean> {
    // Taken (by another host at the same instant, too): nothing inserted, no error.
    const { rowCount } = await this.#db.query(
      `INSERT INTO users (upn_key, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [key, row.upn, row.password_hash, row.immutable_id, row.created_at],
    );
    return rowCount === 1;
  }

  protected async deleteUser(key: string): Promise<boolean> {
    return this.#db.transaction(async (q) => {
      const { rowCount } = await q('DELETE FROM users WHERE upn_key = $1', [key]);
      if (rowCount === 0) return false;
      await q('DELETE FROM lockout_counters WHERE user_key = $1', [key]);
      await q('DELETE FROM lockout_sources WHERE user_key = $1', [key]);
      await revokeRefreshTokens(q, key);
      return true;
    });
  }

  protected async updatePassword(key: string, hash: string): Promise<UserRow | undefined> {
    return this.#db.transaction(async (q) => {
      const { rows } = await q<UserRow>(
        `UPDATE users SET password_hash = $2 WHERE upn_key = $1 RETURNING ${COLUMNS}`,
        [key, hash],
      );
      if (rows[0] !== undefined) await revokeRefreshTokens(q, key);
      return rows[0];
    });
  }

  protected async allRows(): Promise<UserRow[]> {
    const { rows } = await this.#db.query<UserRow>(
      `SELECT ${COLUMNS} FROM users ORDER BY upn_key COLLATE "C", upn COLLATE "C"`,
    );
    return rows;
  }
}

/**
 * Deletes every refresh token family of the user of canonical UPN `key` (their tokens go by
 * foreign key); resolves how many tokens went.
 *
 * @example
 * ```ts
 * await db.transaction((q) => revokeRefreshTokens(q, canonicalUsername(upn)));
 * ```
 */
export async function revokeRefreshTokens(q: Query, key: string): Promise<number> {
  const { rowCount } = await q(
    'DELETE FROM refresh_tokens WHERE family IN (SELECT id FROM refresh_families WHERE user_key = $1)',
    [key],
  );
  await q('DELETE FROM refresh_families WHERE user_key = $1', [key]);
  return rowCount;
}
