/**
 * A compact JWS whose two JSON segments are written as a Mac writes them ({@link nsJsonStringify}:
 * pretty-printed, `" : "`, keys in the given order) and signed with node:crypto. jose's `SignJWT`
 * always writes compact `JSON.stringify` text, so the signing input is built here and only the
 * signature primitive is delegated (docs/PLATFORM-SSO.md §3.3, §3.4, §3.9; docs/PSSO-PEERS.md §5). Every
 * request JWT the client signs goes through {@link signCompactJws}: login, refresh, key requests
 * and embedded assertions.
 *
 * Algorithms: ES256 (P-256), ES384 (P-384), ES512 (P-521) with the raw `r‖s` signature JWS
 * requires (`dsaEncoding: 'ieee-p1363'`), and RS256/RS384/RS512 (RSASSA-PKCS1-v1_5, at least
 * 2048-bit keys), so a SmartCard key signs the same way.
 *
 * @module
 */
import { type KeyObject, sign } from 'node:crypto';
import { type NsJsonOptions, type NsJsonValue, nsJsonStringify } from './nsjson.js';

/** The JWS algorithms {@link signCompactJws} signs with. */
export type CompactJwsAlgorithm = 'ES256' | 'ES384' | 'ES512' | 'RS256' | 'RS384' | 'RS512';

const ALGORITHMS: Readonly<
  Record<CompactJwsAlgorithm, { readonly hash: string; readonly curve?: string }>
> = {
  ES256: { hash: 'sha256', curve: 'prime256v1' },
  ES384: { hash: 'sha384', curve: 'secp384r1' },
  ES512: { hash: 'sha512', curve: 'secp521r1' },
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
};

/** A JSON object for a JWS segment: a plain object (insertion order) or a `Map` (entry order). */
export type JwsObject =
  | ReadonlyMap<string, NsJsonValue | undefined>
  | { readonly [key: string]: NsJsonValue | undefined };

/** Inputs of {@link signCompactJws}. */
export interface CompactSignParams {
  /** The protected header, in order; its `alg` chooses the algorithm. */
  readonly header: JwsObject;
  /** The payload: a JSON object (serialized like the header) or raw bytes. */
  readonly payload: JwsObject | Uint8Array;
  /** The private key; its type must match `alg`. */
  readonly key: KeyObject;
  /** Serializer options (default: slashes left unescaped, as a Mac writes them). */
  readonly json?: NsJsonOptions;
}

function headerAlg(header: JwsObject): CompactJwsAlgorithm {
  const alg = header instanceof Map ? header.get('alg') : (header as Record<string, unknown>).alg;
  if (typeof alg !== 'string' || !Object.hasOwn(ALGORITHMS, alg))
    throw new TypeError('the header alg must be one of ES256, ES384, ES512, RS256, RS384, RS512');
  return alg as CompactJwsAlgorithm;
}

/**
 * The key checked against `alg`: an EC key on the algorithm's curve, or an RSA key of at least
 * 2048 bits. A private key is required.
 */
function checkedKey(key: KeyObject, alg: CompactJwsAlgorithm): KeyObject {
  if (key?.type !== 'private') throw new TypeError('a private key is required to sign');
  const { curve } = ALGORITHMS[alg];
  const details = key.asymmetricKeyDetails;
  if (curve !== undefined) {
    if (key.asymmetricKeyType !== 'ec' || details?.namedCurve !== curve)
      throw new TypeError(`${alg} needs an EC key on ${curve}`);
  } else if (key.asymmetricKeyType !== 'rsa' || (details?.modulusLength ?? 0) < 2048) {
    throw new TypeError(`${alg} needs an RSA key of at least 2048 bits`);
  }
  return key;
}

const segment = (value: JwsObject | Uint8Array, json: NsJsonOptions | undefined): string =>
  Buffer.from(
    value instanceof Uint8Array ? value : nsJsonStringify(value as NsJsonValue, json),
  ).toString('base64url');

/**
 * Signs a compact JWS: `b64url(NSJSON(header)) . b64url(NSJSON(payload)) . b64url(signature)`.
 * Verify the result with jose (`compactVerify`, `jwtVerify`); the pretty JSON parses as any JSON.
 *
 * @throws {TypeError} when `alg` is not supported, the key does not fit it, or a value cannot be
 *   serialized.
 * @example
 * ```ts
 * const jwt = signCompactJws({
 *   header: { typ: 'platformsso-key-request+jwt', alg: 'ES256', kid: keyId(signing.publicKey) },
 *   payload: orderKeys(claims, KEY_REQUEST_ORDER),
 *   key: signing.privateKey,
 * });
 * await compactVerify(jwt, signing.publicKey); // jose
 * ```
 */
export function signCompactJws(params: CompactSignParams): string {
  const alg = headerAlg(params.header);
  const key = checkedKey(params.key, alg);
  const input = `${segment(params.header, params.json)}.${segment(params.payload, params.json)}`;
  const signature = sign(ALGORITHMS[alg].hash, Buffer.from(input, 'ascii'), {
    key,
    ...(alg.startsWith('ES') ? { dsaEncoding: 'ieee-p1363' as const } : {}),
  });
  return `${input}.${signature.toString('base64url')}`;
}

/**
 * The JWS algorithm a key (public or private) signs with by default: ES256/ES384/ES512 by curve, RS256 for RSA (as
 * macOS chooses for a SmartCard key of that type, §3.9).
 *
 * @throws {TypeError} for any other key.
 * @example
 * ```ts
 * jwsAlgorithmFor(card.privateKey); // 'RS256' for an RSA-2048 card key
 * ```
 */
export function jwsAlgorithmFor(key: KeyObject): CompactJwsAlgorithm {
  if (key?.asymmetricKeyType === 'rsa') return 'RS256';
  const curve = key?.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  for (const [alg, { curve: c }] of Object.entries(ALGORITHMS))
    if (c !== undefined && c === curve) return alg as CompactJwsAlgorithm;
  throw new TypeError('no JWS algorithm for this key');
}
