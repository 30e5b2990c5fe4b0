/**
 * `psso-wstrust idp device add|list|remove`: registers Platform SSO devices (their ES256 signing
 * and P-256 encryption public keys, as JWK files) in the reference IdP's data folder.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { DeviceRecord } from 'psso-wstrust-idp/admin';
import { type DeviceKeyFlags, devicePublicKeys } from '../device-key-flags.js';
import { type StateFlags, stateOptions, withIdpState } from '../idp-state.js';
import { done, printJson } from '../output.js';
import { isRegistrationInvalid, UsageError } from '../usage.js';

type DeviceFlags = StateFlags;

function readJwk(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    throw new UsageError(`cannot read a JSON Web Key from ${path}`);
  }
}

function deviceJson(d: DeviceRecord): Record<string, string> {
  return {
    clientId: d.clientId,
    signingKid: d.signingKid,
    encryptionKid: d.encryptionKid,
    createdAt: d.createdAt,
  };
}

/**
 * Adds `device add [--client-id ID] (--keys F | --signing-jwk F --encryption-jwk F)`, `device list` and
 * `device remove KID` (each with `[--data DIR | --database URL] [--json]`) under `idp`.
 *
 * @example
 * ```ts
 * registerIdpDevice(idpCommand);
 * // psso-wstrust idp device add --client-id psso --signing-jwk sign.jwk --encryption-jwk enc.jwk
 * ```
 */
export function registerIdpDevice(idp: Command): void {
  const device = idp.command('device').description('manage registered Platform SSO devices');
  stateOptions(
    device
      .command('add')
      .description('register a device from its key file (--keys) or its public JWK files')
      .requiredOption('--client-id <id>', 'the OAuth client_id the device logs in with', 'psso')
      .option(
        '--keys <file>',
        'the device key file (psso keys create) or its public form: only public parts are used',
      )
      .option('--signing-jwk <file>', 'the device signing public key (P-256 JWK)')
      .option('--encryption-jwk <file>', 'the device encryption public key (JWK)')
      .option(
        '--encryption-alg <alg>',
        'ECDH-ES (P-256, default) or an HPKE suite: HPKE-P256-SHA256-A256GCM, HPKE-P384-SHA384-A256GCM, HPKE-X25519-SHA256-ChaCha20Poly1305',
      ),
  )
    .option('--json', 'print the device as JSON')
    .action(
      async (
        flags: DeviceFlags & { clientId: string; encryptionAlg?: string } & DeviceKeyFlags,
      ) => {
        const keys = devicePublicKeys(flags, readJwk);
        const { signing } = keys;
        // An HPKE device registers the HPKE key of its key file (public members only).
        const encryption =
          flags.keys !== undefined && flags.encryptionAlg?.startsWith('HPKE-') === true
            ? hpkePublicJwk(readJwk(flags.keys))
            : keys.encryption;
        await withIdpState(flags, {}, async (state) => {
          let added: DeviceRecord;
          try {
            added = await state.devices.add(
              flags.clientId,
              signing,
              encryption,
              flags.encryptionAlg,
            );
          } catch (e) {
            // The administrator's key files: a bad one is a usage error (exit 2).
            if (isRegistrationInvalid(e)) throw new UsageError(e.message);
            throw e;
          }
          if (flags.json === true) printJson({ device: deviceJson(added) });
          else done(`registered device ${added.signingKid} for client ${added.clientId}`);
        });
      },
    );
  stateOptions(device.command('list').description('list registered devices'))
    .option('--json', 'print JSON')
    .action(async (flags: DeviceFlags) => {
      await withIdpState(flags, { mustExist: true }, async (state) => {
        const all = (await state.devices.list()).map(deviceJson);
        if (flags.json === true) printJson({ devices: all });
        else for (const d of all) console.log(`${d.signingKid}  ${d.clientId}  ${d.createdAt}`);
      });
    });
  stateOptions(
    device
      .command('remove')
      .description('remove a device by its signing kid')
      .argument('<kid>', 'the signing key id'),
  ).action(async (kid: string, flags: DeviceFlags) => {
    await withIdpState(flags, { mustExist: true }, async (state) => {
      await state.devices.remove(kid);
      done(`removed device ${kid}`);
    });
  });
}

/** The public members of the key file's `hpkeEncryption` key (`psso keys create --hpke-suite`). */
function hpkePublicJwk(file: unknown): Record<string, unknown> {
  const jwk = (file as { hpkeEncryption?: { jwk?: unknown } } | null)?.hpkeEncryption?.jwk;
  if (typeof jwk !== 'object' || jwk === null)
    throw new UsageError('the key file has no HPKE key: psso keys create --hpke-suite SUITE');
  const { kty, crv, x, y } = jwk as Record<string, unknown>;
  return { kty, crv, x, ...(y === undefined ? {} : { y }) };
}
