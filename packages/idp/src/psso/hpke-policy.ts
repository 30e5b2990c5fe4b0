/**
 * The reference IdP's HPKE response modes (docs/PLATFORM-SSO.md §2 `hpkePreSharedKey`/`…ID`/
 * `hpkeAuthPublicKey`, §3.7). Base mode needs nothing. The optional file `hpke.json` in the data
 * folder (mode 0600: it holds pre-shared keys) selects the others:
 *
 * ```json
 * { "psk": { "id": "psk-1", "key": "<std-b64, 32..128 bytes>" },
 *   "devicePsks": { "<device signing kid>": { "id": "…", "key": "…" } },
 *   "auth": true }
 * ```
 *
 * - PSK mode: a device's own entry in `devicePsks`, else the global `psk`. The id is UTF-8, as the
 *   device's `hpkePreSharedKeyID` string.
 * - Auth mode (`"auth": true`): the IdP seals with a static sender key of the suite's key type,
 *   kept in `hpke-sender-keys.json` (0600, created once: one P-256, one P-384, one X25519 private
 *   JWK). Its public JWK is what devices configure as `hpkeAuthPublicKey`
 *   ({@link HpkeResponsePolicy.senderPublicJwk}).
 * - Both: AuthPSK.
 *
 * @module
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { join, resolve } from 'node:path';
import type { HpkePsk } from 'psso-wstrust/jose';
import {
  type HpkeKeyType,
  type HpkeSuiteName,
  hpkeCipherSuite,
  hpkeKeyType,
} from 'psso-wstrust/jose';
import type { DeviceRecord } from '../state/records.js';
import { createFileOnce, dataDirError } from '../store/data-dir.js';
import { readSecretFile } from '../store/secret-file.js';

/** What the token endpoint asks when it seals an HPKE response. */
export interface HpkeResponsePolicy {
  /** The PSK for this device (PSK mode), if any. */
  psk(device: DeviceRecord): HpkePsk | undefined;
  /** The IdP sender private key for the suite (Auth mode), if Auth mode is on. */
  senderKey(suite: HpkeSuiteName): KeyObject | undefined;
  /** The public JWK devices configure as `hpkeAuthPublicKey`, if Auth mode is on. */
  senderPublicJwk(suite: HpkeSuiteName): Record<string, string> | undefined;
}

/** The policy of an IdP without `hpke.json`: Base mode. */
export const BASE_MODE: HpkeResponsePolicy = Object.freeze({
  psk: () => undefined,
  senderKey: () => undefined,
  senderPublicJwk: () => undefined,
});

/** The HPKE settings file's name inside the data folder (optional, 0600: it holds PSKs). */
export const HPKE_SETTINGS_FILE = 'hpke.json';
/** The HPKE sender keys file's name inside the data folder (Auth mode only, 0600). */
export const HPKE_SENDER_KEYS_FILE = 'hpke-sender-keys.json';
const POLICY_FILE = HPKE_SETTINGS_FILE;
const SENDER_FILE = HPKE_SENDER_KEYS_FILE;
const KEY_TYPES: readonly HpkeKeyType[] = ['P-256', 'P-384', 'X25519'];
const STD_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function parsePsk(value: unknown, file: string): HpkePsk {
  const { id, key } = (typeof value === 'object' && value !== null ? value : {}) as {
    id?: unknown;
    key?: unknown;
  };
  const bytes = typeof key === 'string' && STD_B64.test(key) ? Buffer.from(key, 'base64') : null;
  if (
    typeof id !== 'string' ||
    id === '' ||
    bytes === null ||
    bytes.length < 32 ||
    bytes.length > 128
  )
    throw dataDirError(
      `${file}: a pre-shared key needs a non-empty "id" and a standard-base64 "key" of 32 to 128 bytes`,
    );
  return { id: new TextEncoder().encode(id), key: bytes };
}

async function senderKeys(dataDir: string): Promise<Map<HpkeKeyType, KeyObject>> {
  const file = join(resolve(dataDir), SENDER_FILE);
  let text = await readSecretFile(file, 'the HPKE sender key file');
  if (text === undefined) {
    const jwk = (k: KeyObject) => k.export({ format: 'jwk' });
    const made = JSON.stringify({
      'P-256': jwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey),
      'P-384': jwk(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey),
      X25519: jwk(generateKeyPairSync('x25519').privateKey),
    });
    const created = await createFileOnce(file, `${made}\n`, 0o600);
    text = created ? made : await readSecretFile(file, 'the HPKE sender key file');
  }
  let json: unknown;
  try {
    json = JSON.parse(text ?? '');
  } catch {
    json = undefined;
  }
  return parseHpkeSenderKeys(json, file);
}

/**
 * The sender keys of `hpke-sender-keys.json` (parsed JSON): one private JWK per key type.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` naming `file` when a key is missing, does not parse
 *   or is of another type.
 * @example
 * ```ts
 * const keys = parseHpkeSenderKeys(JSON.parse(text), file); // keys.get('X25519')
 * ```
 */
export function parseHpkeSenderKeys(json: unknown, file: string): Map<HpkeKeyType, KeyObject> {
  const keys = new Map<HpkeKeyType, KeyObject>();
  const o = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  for (const type of KEY_TYPES) {
    let key: KeyObject | undefined;
    try {
      key = createPrivateKey({ key: o[type] as import('node:crypto').JsonWebKey, format: 'jwk' });
    } catch {
      key = undefined;
    }
    if (key === undefined || hpkeKeyType(key) !== type)
      throw dataDirError(`${file} does not hold the HPKE sender keys: delete it to make new ones`);
    keys.set(type, key);
  }
  return keys;
}

/** What `hpke.json` selects. */
export interface HpkeSettings {
  /** The global PSK (PSK mode), if any. */
  readonly psk: HpkePsk | undefined;
  /** Per-device PSKs, by device signing kid. */
  readonly devicePsks: ReadonlyMap<string, HpkePsk>;
  /** Auth mode: the IdP seals with its sender keys. */
  readonly auth: boolean;
}

/**
 * Checks the parsed content of `hpke.json` (see the module header).
 *
 * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` naming `file` for anything malformed.
 * @example
 * ```ts
 * const settings = parseHpkeSettings(JSON.parse(text), file); // settings.auth
 * ```
 */
export function parseHpkeSettings(json: unknown, file: string): HpkeSettings {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw dataDirError(`${file} is not a JSON object`);
  const o = json as Record<string, unknown>;
  const psk = o.psk === undefined ? undefined : parsePsk(o.psk, file);
  const devicePsks = new Map<string, HpkePsk>();
  const devices = o.devicePsks ?? {};
  if (typeof devices !== 'object' || devices === null)
    throw dataDirError(`${file}: bad devicePsks`);
  for (const [kid, value] of Object.entries(devices)) devicePsks.set(kid, parsePsk(value, file));
  if (o.auth !== undefined && typeof o.auth !== 'boolean')
    throw dataDirError(`${file}: "auth" must be true or false`);
  return { psk, devicePsks, auth: o.auth === true };
}

/**
 * Loads the HPKE response policy of a data folder ({@link BASE_MODE} without `hpke.json`).
 *
 * @throws {IdpError} `PSSO_ERR_IDP_DATA_DIR` for a malformed file, `PSSO_ERR_IDP_KEY_FILE_MODE`
 *   when other users may read it.
 * @example
 * ```ts
 * const hpke = await loadHpkeResponsePolicy(dataDir);
 * ```
 */
export async function loadHpkeResponsePolicy(dataDir: string): Promise<HpkeResponsePolicy> {
  const file = join(resolve(dataDir), POLICY_FILE);
  const text = await readSecretFile(file, 'the HPKE settings file');
  if (text === undefined) return BASE_MODE;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw dataDirError(`${file} is not a JSON object`);
  }
  const settings = parseHpkeSettings(json, file);
  const global = settings.psk;
  const perDevice = settings.devicePsks;
  const senders = settings.auth ? await senderKeys(dataDir) : undefined;
  const senderKey = (suite: HpkeSuiteName) => senders?.get(hpkeCipherSuite(suite).keyType);
  return {
    psk: (device) => perDevice.get(device.signingKid) ?? global,
    senderKey,
    senderPublicJwk(suite) {
      const key = senderKey(suite);
      if (key === undefined) return undefined;
      const { kty, crv, x, y } = createPublicKey(key).export({ format: 'jwk' });
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries({ kty, crv, x, y })) if (v !== undefined) out[k] = v;
      return out;
    },
  };
}
