/**
 * `psso-wstrust idp user key add|list|remove` (users' Secure Enclave keys) and `psso-wstrust idp
 * smartcard-ca add|list|remove` (CAs trusted to issue SmartCard certificates), in the reference
 * IdP's data folder (docs/PLATFORM-SSO.md §3.9).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadDeviceKeys } from 'psso-wstrust/psso';
import type { SmartCardCaRecord, UserKeyRecord } from 'psso-wstrust-idp/admin';
import { type StateFlags, stateOptions, withIdpState } from '../idp-state.js';
import { done, printJson } from '../output.js';
import { isRegistrationInvalid, UsageError } from '../usage.js';

type DataFlags = StateFlags;

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${what} from ${path}`);
  }
}

/** The public JWK of `--jwk FILE`, or of the user key in the client key file `--keys FILE`. */
async function userJwk(flags: { jwk?: string; keys?: string }): Promise<unknown> {
  if ((flags.jwk === undefined) === (flags.keys === undefined))
    throw new UsageError('give one of --jwk FILE and --keys FILE');
  if (flags.jwk !== undefined) {
    try {
      return JSON.parse(readText(flags.jwk, 'a JSON Web Key')) as unknown;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`cannot read a JSON Web Key from ${flags.jwk}`);
    }
  }
  const keys = await loadDeviceKeys(flags.keys as string);
  const user = keys?.userSecureEnclaveKey;
  if (user === undefined) throw new UsageError(`${flags.keys} holds no user Secure Enclave key`);
  const { kid: _kid, ...jwk } = user.publicJwk; // only the public part leaves the file
  return jwk;
}

const keyJson = (k: UserKeyRecord) => ({ upn: k.upn, kid: k.kid, createdAt: k.createdAt });
const caJson = (c: SmartCardCaRecord) => ({
  fingerprint: c.fingerprint,
  subject: c.subject,
  notAfter: c.certificate.validTo,
  createdAt: c.createdAt,
});

/**
 * Adds `key add --user U (--jwk F | --keys F)`, `key list [--user U]` and `key remove KID` under
 * `idp user` (which must be registered first).
 *
 * @example
 * ```ts
 * registerIdpUser(idp);
 * registerIdpUserKey(idp);
 * // psso-wstrust idp user key add --user alice@example.com --keys device-keys.json
 * ```
 */
export function registerIdpUserKey(idp: Command): void {
  const user = idp.commands.find((c) => c.name() === 'user');
  if (user === undefined) throw new TypeError('register `idp user` first');
  const key = user.command('key').description("manage users' Secure Enclave keys");
  stateOptions(
    key
      .command('add')
      .description("register a user's P-256 public key")
      .requiredOption('--user <upn>', 'the user principal name')
      .option('--jwk <file>', 'the public key as a JWK file')
      .option(
        '--keys <file>',
        'a psso device key file holding a user key (its public part is used)',
      ),
  )
    .option('--json', 'print the key as JSON')
    .action(async (flags: DataFlags & { user: string; jwk?: string; keys?: string }) => {
      const jwk = await userJwk(flags);
      await withIdpState(flags, { mustExist: true }, async (state) => {
        let added: UserKeyRecord;
        try {
          added = await state.userKeys.add(flags.user, jwk);
        } catch (e) {
          if (isRegistrationInvalid(e)) throw new UsageError(e.message);
          throw e;
        }
        if (flags.json === true) printJson({ key: keyJson(added) });
        else done(`registered user key ${added.kid} for ${added.upn}`);
      });
    });
  stateOptions(
    key.command('list').description('list user keys').option('--user <upn>', 'only this user’s'),
  )
    .option('--json', 'print JSON')
    .action(async (flags: DataFlags & { user?: string }) => {
      await withIdpState(flags, { mustExist: true }, async (state) => {
        const all = (await state.userKeys.list(flags.user)).map(keyJson);
        if (flags.json === true) printJson({ keys: all });
        else for (const k of all) console.log(`${k.kid}  ${k.upn}  ${k.createdAt}`);
      });
    });
  stateOptions(
    key
      .command('remove')
      .description('remove a user key by its kid')
      .argument('<kid>', 'the key id'),
  ).action(async (kid: string, flags: DataFlags) => {
    await withIdpState(flags, { mustExist: true }, async (state) => {
      await state.userKeys.remove(kid);
      done(`removed user key ${kid}`);
    });
  });
}

/**
 * Adds `smartcard-ca add FILE`, `smartcard-ca list` and `smartcard-ca remove FINGERPRINT` under
 * `idp`.
 *
 * @example
 * ```ts
 * registerIdpSmartCardCa(idp);
 * // psso-wstrust idp smartcard-ca add corp-smartcard-ca.pem
 * ```
 */
export function registerIdpSmartCardCa(idp: Command): void {
  const ca = idp
    .command('smartcard-ca')
    .description('manage the CAs trusted to issue SmartCard certificates');
  stateOptions(
    ca
      .command('add')
      .description('trust a CA certificate (PEM) for SmartCard logins')
      .argument('<file>', 'the CA certificate (PEM)'),
  )
    .option('--json', 'print the CA as JSON')
    .action(async (file: string, flags: DataFlags) => {
      const pem = readText(file, 'a PEM certificate');
      await withIdpState(flags, {}, async (state) => {
        let added: SmartCardCaRecord;
        try {
          added = await state.smartCardCas.add(pem);
        } catch (e) {
          if (e instanceof TypeError) throw new UsageError(e.message);
          throw e;
        }
        if (flags.json === true) printJson({ ca: caJson(added) });
        else done(`trusting ${added.subject} (${added.fingerprint}) for SmartCard logins`);
      });
    });
  stateOptions(ca.command('list').description('list the trusted SmartCard CAs'))
    .option('--json', 'print JSON')
    .action(async (flags: DataFlags) => {
      await withIdpState(flags, { mustExist: true }, async (state) => {
        const all = (await state.smartCardCas.list()).map(caJson);
        if (flags.json === true) printJson({ cas: all });
        else for (const c of all) console.log(`${c.fingerprint}  ${c.subject}  ${c.notAfter}`);
      });
    });
  stateOptions(
    ca
      .command('remove')
      .description('stop trusting a CA (by its SHA-256 fingerprint)')
      .argument('<fingerprint>', 'the SHA-256 fingerprint (hex, colons allowed)'),
  ).action(async (fingerprint: string, flags: DataFlags) => {
    await withIdpState(flags, { mustExist: true }, async (state) => {
      await state.smartCardCas.remove(fingerprint);
      done(`removed SmartCard CA ${fingerprint}`);
    });
  });
}
