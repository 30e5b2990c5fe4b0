/**
 * The HPKE response settings of a login configuration (docs/PLATFORM-SSO.md §2, §3.7):
 * `hpkePreSharedKey` (standard base64, at least 32 bytes) with `hpkePreSharedKeyID` (non-empty;
 * both or neither) select PSK mode, `hpkeAuthPublicKey` (a public P-256, P-384 or X25519 JWK, the
 * IdP's sender key) selects Auth mode; both give AuthPSK. {@link checkHpkeConfiguration} is the
 * load-time check, {@link hpkeResponseKey} builds what the device decrypts with.
 *
 * @module
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '../../errors.js';
import type { HpkeResponseKey } from '../../jose/hpke/decrypt.js';
import { hpkeKeyType } from '../../jose/hpke/suites.js';
import type { HpkeDeviceKey } from '../keys/hpke-key.js';
import type { LoginConfiguration } from './types.js';

const fieldError = (field: string, why: string) =>
  new ConfigError('PSSO_ERR_CONFIG_FIELD', `${field} ${why}`);

const STD_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function pskBytes(text: string): Buffer {
  if (!STD_B64.test(text)) throw fieldError('hpkePreSharedKey', 'must be standard base64');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length < 32 || bytes.length > 128)
    throw fieldError('hpkePreSharedKey', 'must be 32 to 128 bytes');
  return bytes;
}

function authKey(jwk: unknown): KeyObject {
  if (typeof jwk !== 'object' || jwk === null || (jwk as { d?: unknown }).d !== undefined)
    throw fieldError('hpkeAuthPublicKey', 'must be a public JWK');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  } catch {
    throw fieldError('hpkeAuthPublicKey', 'is not a valid public JWK');
  }
  if (hpkeKeyType(key) === undefined)
    throw fieldError('hpkeAuthPublicKey', 'must be a P-256, P-384 or X25519 key');
  return key;
}

/**
 * Checks the HPKE fields of a parsed configuration.
 *
 * @throws {ConfigError} `PSSO_ERR_CONFIG_FIELD` (the message names the field, never its value).
 * @example
 * ```ts
 * checkHpkeConfiguration(config); // in parseLoginConfiguration
 * ```
 */
export function checkHpkeConfiguration(config: Partial<LoginConfiguration>): void {
  const { hpkePreSharedKey: psk, hpkePreSharedKeyID: id, hpkeAuthPublicKey: auth } = config;
  if ((psk === undefined) !== (id === undefined))
    throw fieldError(
      psk === undefined ? 'hpkePreSharedKey' : 'hpkePreSharedKeyID',
      'is required with the other HPKE pre-shared key field',
    );
  if (psk !== undefined) pskBytes(psk);
  if (id !== undefined && id === '') throw fieldError('hpkePreSharedKeyID', 'must not be empty');
  if (auth !== undefined) authKey(auth);
}

/**
 * What the device decrypts an HPKE response with: its HPKE key, the request nonce as `info`,
 * and the configured PSK (id as UTF-8) and auth key.
 *
 * @example
 * ```ts
 * const hpke = hpkeResponseKey(config, keys.hpkeEncryption, contextNonce);
 * ```
 */
export function hpkeResponseKey(
  config: Pick<LoginConfiguration, 'hpkePreSharedKey' | 'hpkePreSharedKeyID' | 'hpkeAuthPublicKey'>,
  key: HpkeDeviceKey,
  nonce: string,
): HpkeResponseKey {
  const { hpkePreSharedKey: psk, hpkePreSharedKeyID: id, hpkeAuthPublicKey: auth } = config;
  return {
    privateKey: key.privateKey,
    info: nonce,
    ...(psk === undefined || id === undefined
      ? {}
      : { psk: { key: pskBytes(psk), id: new TextEncoder().encode(id) } }),
    ...(auth === undefined ? {} : { authPublicKey: authKey(auth) }),
  };
}
