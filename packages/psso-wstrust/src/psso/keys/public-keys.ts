/**
 * The public side of a device key file: every named key it holds (signing, encryption, and any
 * key added later) as a public JWK with its `kid`, in PEM (SPKI) or in the ANSI X9.63 form macOS
 * uses (standard base64 of `04‖X‖Y`, docs/PLATFORM-SSO.md §3.3), and the public key file an IdP
 * registers a device from: `{ "version": 1, "signing": <JWK>, "encryption": <JWK> }`, the device
 * key file's shape without any private member.
 *
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { asP256Public, x963 } from '../../jose/key-id.js';
import type { DeviceKey, DeviceKeys, EcPublicJwk } from './device-keys.js';

/** One key of a device key file, by the member name it has in the file. */
export interface NamedKey {
  /** The member name in the key file (`signing`, `encryption`, …). */
  readonly name: string;
  /** The JWK `use`: `sig` or `enc`. */
  readonly use: 'sig' | 'enc';
  /** The key, when the file holds it. */
  readonly key: (keys: DeviceKeys) => DeviceKey | undefined;
}

/**
 * Every key a device key file may hold, in display order. A new kind of key is one line here:
 * `psso keys show` and the public key file then carry it.
 *
 * @example
 * ```ts
 * for (const n of NAMED_KEYS) console.log(n.name, n.key(keys)?.kid);
 * ```
 */
export const NAMED_KEYS: readonly NamedKey[] = Object.freeze([
  { name: 'signing', use: 'sig', key: (k: DeviceKeys) => k.signing },
  { name: 'encryption', use: 'enc', key: (k: DeviceKeys) => k.encryption },
  { name: 'userSecureEnclaveKey', use: 'sig', key: (k: DeviceKeys) => k.userSecureEnclaveKey },
]);

/** The formats `psso keys show --format` prints. */
export const PUBLIC_KEY_FORMATS = ['jwk', 'pem', 'x963'] as const;

/** A format of {@link PUBLIC_KEY_FORMATS}. */
export type PublicKeyFormat = (typeof PUBLIC_KEY_FORMATS)[number];

/** One public key, as {@link publicKeys} lists it. */
export interface PublicKeyView {
  readonly name: string;
  readonly use: 'sig' | 'enc';
  readonly kid: string;
  /** A JWK object for `jwk`, else a string (PEM, or standard base64 of the X9.63 key). */
  readonly value: EcPublicJwk | string;
}

/**
 * A public key in `format`: a JWK with `kid`, a PEM SPKI, or the standard base64 of `04‖X‖Y`.
 *
 * @example
 * ```ts
 * formatPublicKey(keys.signing, 'x963'); // 'BC3k…' (88 characters)
 * ```
 */
export function formatPublicKey(key: DeviceKey, format: PublicKeyFormat): EcPublicJwk | string {
  const pub: KeyObject = asP256Public(key.publicKey);
  if (format === 'jwk') return key.publicJwk;
  if (format === 'pem') return pub.export({ type: 'spki', format: 'pem' }) as string;
  return x963(pub).toString('base64');
}

/**
 * Every public key the file holds, in `format`. Never a private part.
 *
 * @example
 * ```ts
 * for (const k of publicKeys(keys, 'pem')) console.log(k.name, k.kid, k.value);
 * ```
 */
export function publicKeys(keys: DeviceKeys, format: PublicKeyFormat): PublicKeyView[] {
  const out: PublicKeyView[] = [];
  for (const n of NAMED_KEYS) {
    const key = n.key(keys);
    if (key !== undefined)
      out.push({ name: n.name, use: n.use, kid: key.kid, value: formatPublicKey(key, format) });
  }
  return out;
}

/**
 * The public key file of a device: `{ version: 1, <name>: <public JWK with kid>, … }`, what
 * `idp device add --keys` (or another IdP's enrolment) takes.
 *
 * @example
 * ```ts
 * writeFileSync('device.pub.json', JSON.stringify(publicKeyFile(keys), null, 2));
 * ```
 */
export function publicKeyFile(keys: DeviceKeys): Record<string, unknown> {
  const out: Record<string, unknown> = { version: 1 };
  for (const n of NAMED_KEYS) {
    const key = n.key(keys);
    if (key !== undefined) out[n.name] = key.publicJwk;
  }
  return out;
}

/** The public members of an EC JWK: what an IdP stores of a device key. */
export interface PublicEcMembers {
  readonly kty: unknown;
  readonly crv: unknown;
  readonly x: unknown;
  readonly y: unknown;
}

/**
 * The public members (`kty`, `crv`, `x`, `y`) of the `signing` and `encryption` keys of a device
 * key file, private (`d` present) or public: any private part is dropped here, never passed on.
 *
 * @throws {TypeError} when the value is not a key file of version 1 with both keys as objects.
 * @example
 * ```ts
 * const { signing, encryption } = publicPartsOfKeyFile(JSON.parse(text));
 * await state.devices.add('psso', signing, encryption);
 * ```
 */
export function publicPartsOfKeyFile(json: unknown): {
  signing: PublicEcMembers;
  encryption: PublicEcMembers;
} {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new TypeError('a device key file is a JSON object');
  const o = json as Record<string, unknown>;
  if (o.version !== 1) throw new TypeError('a device key file has "version": 1');
  const pick = (name: string): PublicEcMembers => {
    const k = o[name];
    if (typeof k !== 'object' || k === null || Array.isArray(k))
      throw new TypeError(`the device key file has no ${name} key`);
    const { kty, crv, x, y } = k as Record<string, unknown>;
    return { kty, crv, x, y };
  };
  return { signing: pick('signing'), encryption: pick('encryption') };
}
