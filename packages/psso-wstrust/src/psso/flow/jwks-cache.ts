/**
 * The client's cache of IdP JSON Web Key Sets (docs/PLATFORM-SSO.md §3.7): per JWKS URL, bounded in
 * age, in URLs and in keys, so a key the IdP removes stops being trusted once the cached copy is
 * older than its maximum age, and a stream of tokens naming unknown kids cannot make us hammer
 * the IdP (one refetch per URL per interval at most).
 *
 * @module
 */
import { LoginError } from '../../errors.js';
import type { HttpOptions } from '../../http/options.js';
import {
  assertRecordedResponse,
  type HttpResponse,
  type RecordedResponse,
  sendHttpRequest,
} from '../../http/request.js';
import { JSON_MEDIA_TYPE } from '../../protocol/media-types.js';
import { jsonObject } from './json.js';

/** Bounds and clock of a {@link JwksCache}; every field has a default. */
export interface JwksCacheOptions {
  /** Age after which a JWKS is fetched again before use, when the response has no max-age; default 10 min. */
  readonly maxAgeMs?: number;
  /** A response's `Cache-Control: max-age` is clamped to at least this; default 1 min. */
  readonly minAgeMs?: number;
  /** ... and at most this; default 24 h. */
  readonly maxAgeCeilingMs?: number;
  /** JWKS URLs kept at most; past this the least recently used is dropped; default 16. */
  readonly maxUrls?: number;
  /** Keys a JWKS may hold; more is refused (`PSSO_ERR_JWKS`); default 32. */
  readonly maxKeys?: number;
  /** At most one refetch per URL per this interval for an unknown kid; default 30 s. */
  readonly unknownKidRefetchMs?: number;
  /** The clock, in ms since the epoch; default `Date.now`. */
  readonly now?: () => number;
}

/** The defaults of {@link JwksCacheOptions}. */
export const JWKS_CACHE_DEFAULTS = {
  maxAgeMs: 10 * 60_000,
  minAgeMs: 60_000,
  maxAgeCeilingMs: 24 * 3600_000,
  maxUrls: 16,
  maxKeys: 32,
  unknownKidRefetchMs: 30_000,
} as const;

interface Entry {
  readonly jwks: Record<string, unknown>;
  readonly expiresAt: number;
}

/**
 * GETs the JWKS at `url` and returns the response as received, whatever its status.
 *
 * @throws {HttpError} on a transport failure or a limit breach.
 *
 * @example
 * ```ts
 * const jwks = processJwksResponse(await jwksRequest(config.jwksEndpointURL, { ca }));
 * ```
 */
export async function jwksRequest(url: URL | string, options?: HttpOptions): Promise<HttpResponse> {
  return sendHttpRequest({ method: 'GET', url, headers: { accept: JSON_MEDIA_TYPE } }, options);
}

/**
 * Judges a JWKS answer, in order: the status (any 2xx), the content type (not checked), the
 * shape (a JSON object), the number of keys (at most `maxKeys`, default 32). The keys themselves
 * are judged when an id_token is verified against them.
 *
 * @throws {LoginError} `PSSO_ERR_JWKS` (with `status` for a non-2xx answer).
 *
 * @example
 * ```ts
 * const jwks = processJwksResponse({ status: 200, headers: {}, body });
 * ```
 */
export function processJwksResponse(
  response: RecordedResponse,
  options: { readonly maxKeys?: number } = {},
): Record<string, unknown> {
  assertRecordedResponse(response, 'processJwksResponse');
  if (response.status < 200 || response.status > 299)
    throw new LoginError('PSSO_ERR_JWKS', 'The JWKS request failed', { status: response.status });
  const jwks = jsonObject(response.body, 'PSSO_ERR_JWKS', 'JWKS');
  const maxKeys = options.maxKeys ?? JWKS_CACHE_DEFAULTS.maxKeys;
  if (Array.isArray(jwks.keys) && jwks.keys.length > maxKeys)
    throw new LoginError('PSSO_ERR_JWKS', `The JWKS has more than ${maxKeys} keys: refused`);
  return jwks;
}

/**
 * A bounded, time-limited JWKS cache. One shared instance serves the library; tests make their
 * own with an injected clock.
 *
 * @example
 * ```ts
 * const cache = new JwksCache({ now: () => clock });
 * const { payload } = await cache.verify(config.jwksEndpointURL, http, (jwks) =>
 *   verifyIdToken(idToken, { jwks, issuer, clientId, nonce }),
 * );
 * ```
 */
export class JwksCache {
  readonly #o: Required<JwksCacheOptions>;
  /** Insertion order is recency order (a hit moves the entry to the end). */
  readonly #entries = new Map<string, Entry>();
  /** One fetch in flight per URL; concurrent callers share it. */
  readonly #inflight = new Map<string, Promise<Entry>>();
  /** When the last fetch per URL started, kept apart from the entries (a failed fetch counts). */
  readonly #fetchedAt = new Map<string, number>();

  constructor(options: JwksCacheOptions = {}) {
    this.#o = { ...JWKS_CACHE_DEFAULTS, now: Date.now, ...options };
    for (const k of Object.keys(JWKS_CACHE_DEFAULTS) as (keyof typeof JWKS_CACHE_DEFAULTS)[]) {
      const v = this.#o[k];
      if (!Number.isFinite(v) || v < (k === 'unknownKidRefetchMs' ? 0 : 1))
        throw new TypeError(`JwksCache: ${k} must be a positive number`);
    }
  }

  /** The number of URLs cached (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Runs `verify` with the JWKS of `url`: the cached copy while younger than its maximum age,
   * else a fresh one. When `verify` fails with `PSSO_ERR_JWKS` (typically an unknown kid) on a
   * cached copy, the JWKS is fetched again and `verify` retried, unless this URL was fetched
   * less than `unknownKidRefetchMs` ago: then the error stands.
   *
   * @throws {LoginError} `PSSO_ERR_JWKS` (fetch failed, not a JSON object, too many keys, or
   *   what `verify` throws), or an `HttpError`.
   *
   * @example
   * ```ts
   * await cache.verify(url, { ca }, (jwks) => verifyIdToken(token, { jwks, issuer, clientId }));
   * ```
   */
  async verify<T>(
    url: URL,
    http: HttpOptions | undefined,
    verify: (jwks: Record<string, unknown>) => Promise<T>,
  ): Promise<T> {
    const key = url.href;
    const cached = this.#entries.get(key);
    if (cached !== undefined && this.#o.now() < cached.expiresAt) {
      this.#touch(key, cached);
      try {
        return await verify(cached.jwks);
      } catch (e) {
        if (!(e instanceof LoginError && e.code === 'PSSO_ERR_JWKS')) throw e;
        // Unknown kid: refetch at most once per interval per URL, so random kids cannot flood.
        const last = this.#fetchedAt.get(key) ?? Number.NEGATIVE_INFINITY;
        if (this.#o.now() - last < this.#o.unknownKidRefetchMs && !this.#inflight.has(key)) throw e;
      }
    }
    // Missing, expired (a removed key stops being trusted here), or an unknown kid allowed through.
    const fresh = await this.#fetch(url, http);
    return verify(fresh.jwks);
  }

  #fetch(url: URL, http: HttpOptions | undefined): Promise<Entry> {
    const key = url.href;
    const pending = this.#inflight.get(key);
    if (pending !== undefined) return pending;
    this.#fetchedAt.set(key, this.#o.now());
    const p = this.#load(url, http).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, p);
    return p;
  }

  async #load(url: URL, http: HttpOptions | undefined): Promise<Entry> {
    const key = url.href;
    const res = await jwksRequest(url, http);
    const jwks = processJwksResponse(res, { maxKeys: this.#o.maxKeys });
    const ageMs = this.#ageMs(res.headers['cache-control']);
    const entry: Entry = { jwks, expiresAt: this.#o.now() + ageMs };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#o.maxUrls) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
      this.#fetchedAt.delete(oldest);
    }
    return entry;
  }

  /** `Cache-Control: max-age` clamped to [minAgeMs, maxAgeCeilingMs]; no-store/no-cache: the minimum. */
  #ageMs(cacheControl: string | undefined): number {
    const { maxAgeMs, minAgeMs, maxAgeCeilingMs } = this.#o;
    const clamp = (ms: number) => Math.min(maxAgeCeilingMs, Math.max(minAgeMs, ms));
    if (cacheControl === undefined) return maxAgeMs;
    const directives = cacheControl
      .toLowerCase()
      .split(',')
      .map((d) => d.trim());
    if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return minAgeMs;
    const ages = directives.filter((d) => d.startsWith('max-age='));
    // RFC 9111 §4.2.1: a duplicate or invalid max-age makes the freshness unknown: our default.
    const m = ages.length === 1 ? /^max-age="?(\d{1,10})"?$/.exec(ages[0] ?? '') : null;
    return m?.[1] === undefined ? maxAgeMs : clamp(Number(m[1]) * 1000);
  }

  #touch(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
  }
}
