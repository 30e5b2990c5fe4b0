/**
 * Which public keys `idp device add` registers: the client's device key file (`--keys`, written
 * by `psso keys create`, private or public form; docs/PLATFORM-SSO.md §3.3) of which only the public
 * members are taken, or the two public JWK files (`--signing-jwk`, `--encryption-jwk`).
 *
 * @module
 */
import { publicPartsOfKeyFile } from 'psso-wstrust/psso';
import { UsageError } from './usage.js';

/** The key flags of `idp device add`. */
export interface DeviceKeyFlags {
  keys?: string;
  signingJwk?: string;
  encryptionJwk?: string;
}

/**
 * The signing and encryption public keys the flags name; a private part in the key file is
 * dropped here and never reaches the store.
 *
 * @throws {UsageError} for no or conflicting key flags, or a file that is not a key file.
 * @example
 * ```ts
 * const { signing, encryption } = devicePublicKeys(flags, readJwk);
 * await state.devices.add(flags.clientId, signing, encryption);
 * ```
 */
export function devicePublicKeys(
  flags: DeviceKeyFlags,
  readJson: (path: string) => unknown,
): { signing: unknown; encryption: unknown } {
  const jwks = flags.signingJwk !== undefined || flags.encryptionJwk !== undefined;
  if (flags.keys !== undefined) {
    if (jwks) throw new UsageError('give --keys, or --signing-jwk and --encryption-jwk, not both');
    try {
      return publicPartsOfKeyFile(readJson(flags.keys));
    } catch (e) {
      if (e instanceof TypeError) throw new UsageError(`${flags.keys}: ${e.message}`);
      throw e;
    }
  }
  if (flags.signingJwk === undefined || flags.encryptionJwk === undefined)
    throw new UsageError(
      'give --keys FILE (psso keys create), or --signing-jwk and --encryption-jwk',
    );
  return { signing: readJson(flags.signingJwk), encryption: readJson(flags.encryptionJwk) };
}
