/**
 * PostgreSQL connection URLs: which strings name one, and how one is shown (logs, errors, the
 * start banner) without its password.
 *
 * @module
 */

/**
 * Whether `value` is a `postgres://` or `postgresql://` URL.
 *
 * @example
 * ```ts
 * isPostgresUrl('postgres://idp@db.example/idp'); // true
 * isPostgresUrl('./idp-data'); // false
 * ```
 */
export function isPostgresUrl(value: unknown): value is string {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'postgres:' || protocol === 'postgresql:';
}

/**
 * The URL with its password (in the userinfo or a `password=` parameter) replaced by `***`.
 * Anything that is not a URL is shown as `postgres://…` only.
 *
 * @example
 * ```ts
 * redactDatabaseUrl('postgres://idp:s3cret@db:5432/idp'); // 'postgres://idp:***@db:5432/idp'
 * ```
 */
export function redactDatabaseUrl(value: string): string {
  if (!URL.canParse(value)) return 'postgres://…';
  const url = new URL(value);
  if (url.password !== '') url.password = '***';
  for (const key of [...url.searchParams.keys()])
    if (/pass/i.test(key)) url.searchParams.set(key, '***');
  return url.toString();
}

/**
 * What a log line says the database is: `host:port/database`, nothing about who connects.
 *
 * @example
 * ```ts
 * databaseTarget('postgres://idp:s3cret@db:5432/idp'); // 'db:5432/idp'
 * ```
 */
export function databaseTarget(value: string): string {
  if (!URL.canParse(value)) return 'postgres';
  const url = new URL(value);
  return `${url.host || 'localhost'}${url.pathname}`;
}
