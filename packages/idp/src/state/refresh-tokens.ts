/**
 * Refresh tokens, whatever the backend: random, stored only as SHA-256 digests (so they survive a
 * restart and are shared by every process on the store), expiring, bound to the device that
 * received them, single use, and grouped in families for reuse detection (OAuth 2.0 Security BCP,
 * RFC 9700 §4.14.2):
 *
 * - a login starts a family; each refresh rotates the token: the presented one is marked used (its
 *   digest kept until the family expires) and a new one of the same family is issued, in one
 *   transaction, so a store failure half-way leaves the presented token valid;
 * - presenting a used token again means two parties hold the family (a stolen token, or a client
 *   that lost an answer): the whole family is revoked and every token of it refused afterwards;
 * - the device binding is part of the atomic consume, so a token presented by another device is
 *   refused, changes nothing, and stays valid for its own device (nobody can revoke a family they
 *   cannot present from its device).
 *
 * What the backends share: the token and digest format, and how a token that was not consumed is
 * judged.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import type { LookupResult, PresentingDevice, RefreshRefusal } from './records.js';

/** The default lifetime of a refresh token: 14 days. */
export const DEFAULT_REFRESH_LIFETIME_MS = 14 * 24 * 3600_000;

/** What a backend knows of a presented token it did not consume. */
export interface SeenToken {
  readonly used: boolean;
  readonly deviceKid: string;
  readonly clientId: string;
  /** Whether its family is revoked (or gone). */
  readonly revoked: boolean;
}

/** A stored token with its grant, for a lookup. */
export interface StoredToken extends SeenToken {
  readonly upn: string;
  readonly family: string;
  readonly expires: number;
}

/**
 * A new refresh token: 32 random bytes, base64url.
 *
 * @example
 * ```ts
 * const token = newRefreshToken(); // 43 characters
 * ```
 */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What is stored of a token: standard base64 of its SHA-256.
 *
 * @example
 * ```ts
 * refreshDigest(token); // 44 characters
 * ```
 */
export function refreshDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}

/**
 * Why a token that the atomic consume did not take was refused. `'reuse'` tells the caller to
 * revoke the token's family.
 *
 * @example
 * ```ts
 * const reason = refusalOf(seen, device);
 * if (reason === 'reuse') revokeFamily(family);
 * ```
 */
export function refusalOf(seen: SeenToken | undefined, device: PresentingDevice): RefreshRefusal {
  if (seen === undefined) return 'unknown';
  if (seen.deviceKid !== device.deviceKid || seen.clientId !== device.clientId)
    return 'other-device';
  if (seen.used) return 'reuse';
  if (seen.revoked) return 'revoked';
  return 'expired';
}

/**
 * The answer of a read-only lookup of `row` for `device` at `now` (epoch ms).
 *
 * @example
 * ```ts
 * return lookupResult(row, device, Date.now());
 * ```
 */
export function lookupResult(
  row: StoredToken | undefined,
  device: PresentingDevice,
  now: number,
): LookupResult {
  if (row === undefined) return { ok: false, reason: 'unknown' };
  if (row.deviceKid !== device.deviceKid || row.clientId !== device.clientId)
    return { ok: false, reason: 'other-device' };
  if (row.revoked) return { ok: false, reason: 'revoked' };
  if (row.used) return { ok: false, reason: 'used' };
  if (row.expires <= now) return { ok: false, reason: 'expired' };
  const { upn, family, expires } = row;
  return {
    ok: true,
    grant: { upn, clientId: device.clientId, deviceKid: device.deviceKid, expires, family },
  };
}
