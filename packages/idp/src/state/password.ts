/**
 * Password hashing with scrypt (node:crypto, run on the libuv thread pool).
 *
 * Hashes are stored as `scrypt$N$r$p$salt$hash` (salt 16 random bytes, hash 32 bytes, both base64
 * without padding), so each hash carries its own cost and a later default can differ without
 * breaking stored users. Passwords are hashed as UTF-8 of their NFC normalization.
 *
 * Cost: N=2^14, r=8, p=1 (16 MiB of memory per hash). Measured on the 2-core development VM
 * (Node 20.20): about 47 ms per hash; N=2^15 took 106 ms, N=2^16 183 ms, N=2^17 371 ms. This
 * follows the Node/libsodium "interactive" level: a login stays well under a tenth of a second and
 * the 4-thread pool sustains ~80 checks/s, while the online guessing rate is bounded by lockout.
 * It is below OWASP's offline-cracking recommendation (N=2^17, or N=2^14 with p=5); raise it by
 * passing other {@link ScryptParams} when the database may leak to an offline attacker.
 *
 * @module
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost parameters: CPU/memory cost `N` (a power of two), block size `r`, parallelism `p`. */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * The default cost: N=2^14, r=8, p=1 (about 47 ms and 16 MiB per hash here).
 *
 * @example
 * ```ts
 * const hash = await hashPassword(password, { ...DEFAULT_SCRYPT_PARAMS, N: 2 ** 15 });
 * ```
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = Object.freeze({ N: 2 ** 14, r: 8, p: 1 });

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Bounds accepted from a stored hash, so a tampered row cannot ask for gigabytes. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEMORY = 256 * 1024 * 1024;
const B64 = /^[A-Za-z0-9+/]+$/;

/**
 * Hashes `password` with a fresh 16-byte salt.
 *
 * @throws {TypeError} when `password` is not a non-empty string or `params` are out of range.
 * @example
 * ```ts
 * const stored = await hashPassword('correct horse'); // 'scrypt$16384$8$1$…$…'
 * ```
 */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  if (typeof password !== 'string' || password === '')
    throw new TypeError('password must be a non-empty string');
  if (!validParams(params)) throw new TypeError('scrypt parameters out of range');
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, params, HASH_BYTES);
  return format(params, salt, hash);
}

/**
 * Whether `password` matches `stored`, compared in constant time. A malformed `stored` value costs
 * a check against {@link DUMMY_HASH} and answers `false`.
 *
 * @example
 * ```ts
 * if (await verifyPassword(row.password_hash, password)) { ... }
 * ```
 */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  if (typeof password !== 'string') throw new TypeError('password must be a string');
  const parsed = parse(stored);
  const target = parsed ?? (parse(DUMMY_HASH) as Parsed);
  const actual = await derive(password, target.salt, target.params, target.hash.length);
  return timingSafeEqual(actual, target.hash) && parsed !== undefined;
}

/**
 * A well-formed hash with the default cost and random salt and digest, made once per process: no
 * password matches it, and checking one against it costs what checking a real user's costs. Used
 * for unknown users so their refusal takes as long as a wrong password.
 *
 * @example
 * ```ts
 * const ok = await verifyPassword(row?.password_hash ?? DUMMY_HASH, password);
 * ```
 */
export const DUMMY_HASH: string = format(
  DEFAULT_SCRYPT_PARAMS,
  randomBytes(SALT_BYTES),
  randomBytes(HASH_BYTES),
);

/** What the user store needs to hash and check passwords (injectable in tests). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(stored: string, password: string): Promise<boolean>;
  /** A hash no password matches, with the cost of a real one (see {@link DUMMY_HASH}). */
  readonly dummyHash: string;
}

/**
 * The scrypt {@link PasswordHasher} with the default cost.
 *
 * @example
 * ```ts
 * const users = new UserStore(db, { hasher: scryptHasher });
 * ```
 */
export const scryptHasher: PasswordHasher = Object.freeze({
  hash: (password: string) => hashPassword(password),
  verify: verifyPassword,
  dummyHash: DUMMY_HASH,
});

interface Parsed {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function format(params: ScryptParams, salt: Buffer, hash: Buffer): string {
  const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  return `scrypt$${params.N}$${params.r}$${params.p}$${b64(salt)}$${b64(hash)}`;
}

function parse(stored: unknown): Parsed | undefined {
  if (typeof stored !== 'string') return undefined;
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  if (![n, r, p].every((v) => /^[1-9]\d{0,7}$/.test(v))) return undefined;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (!validParams(params) || !B64.test(salt) || !B64.test(hash)) return undefined;
  const saltBytes = Buffer.from(salt, 'base64');
  const hashBytes = Buffer.from(hash, 'base64');
  if (saltBytes.length < 8 || hashBytes.length < 16 || hashBytes.length > 64) return undefined;
  return { params, salt: saltBytes, hash: hashBytes };
}

function validParams({ N, r, p }: ScryptParams): boolean {
  return (
    Number.isInteger(N) &&
    N >= 2 &&
    N <= MAX_N &&
    (N & (N - 1)) === 0 &&
    Number.isInteger(r) &&
    r >= 1 &&
    r <= MAX_R &&
    Number.isInteger(p) &&
    p >= 1 &&
    p <= MAX_P &&
    128 * N * r <= MAX_MEMORY
  );
}

function derive(password: string, salt: Buffer, params: ScryptParams, length: number) {
  const { N, r, p } = params;
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(
      Buffer.from(password.normalize('NFC'), 'utf8'),
      salt,
      length,
      { N, r, p, maxmem: 256 * N * r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}
