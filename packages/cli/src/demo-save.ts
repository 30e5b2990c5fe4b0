/**
 * `demo --save-config DIR`: the demo runs with `DIR/idp` as its IdP data folder and leaves behind
 * what a first login needs, all matching: `DIR/login.json` (the IdP's discovery document as a
 * login configuration, docs/PLATFORM-SSO.md §2, with `$schema`), `DIR/device-keys.json` (mode 0600,
 * registered at the IdP), `DIR/ca.pem` (the IdP's local CA), `DIR/demo-password` (0600, the demo
 * user's password, never printed) and the IdP's port in `DIR/idp/server.json` so that
 * `idp --data DIR/idp` comes back on the same origin and the configuration stays valid. It then
 * prints the exact next commands.
 *
 * @module
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type DeviceKeys, loadOrCreateDeviceKeys } from 'psso-wstrust/psso';
import type { RunningIdp } from 'psso-wstrust-idp';
import { pssoConfiguration, savePort } from 'psso-wstrust-idp/admin';
import { initConfiguration } from './commands/psso-init.js';
import { writePrivateFile } from './private-file.js';
import { UsageError } from './usage.js';

/** The files a saved demo leaves, and the commands that use them. */
export interface SavedDemoInfo {
  readonly dir: string;
  readonly idpData: string;
  readonly config: string;
  readonly keys: string;
  readonly ca: string;
  /** `undefined` when the IdP data folder already existed (its password was shown then). */
  readonly passwordFile: string | undefined;
  readonly username: string;
  readonly commands: readonly string[];
}

/** A demo being saved to a folder. */
export interface SavedDemo {
  /** The IdP data folder (`DIR/idp`). */
  readonly idpData: string;
  /** The device keys, made and kept in `DIR/device-keys.json`. */
  deviceKeys(): Promise<DeviceKeys>;
  /** Writes the configuration, the CA, the password and the port. */
  finish(idp: RunningIdp): Promise<SavedDemoInfo>;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Prepares `dir` (created 0700 when absent). Refuses a folder that already holds a saved demo.
 *
 * @throws {UsageError} when `dir/login.json` or `dir/device-keys.json` exists.
 * @example
 * ```ts
 * const saved = await prepareSavedDemo('./psso-demo');
 * const idp = await startIdp({ dataDir: saved.idpData });
 * ```
 */
export async function prepareSavedDemo(dirText: string): Promise<SavedDemo> {
  const dir = resolve(dirText);
  const file = (name: string) => join(dir, name);
  for (const name of ['login.json', 'device-keys.json'])
    if (await exists(file(name)))
      throw new UsageError(`${file(name)} already exists: --save-config needs a new folder`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const idpData = file('idp');
  return {
    idpData,
    deviceKeys: () => loadOrCreateDeviceKeys(file('device-keys.json')),
    async finish(idp) {
      await savePort(idpData, idp.port);
      const config = initConfiguration(pssoConfiguration(idp.origin), {}, {});
      await writeFile(file('login.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });
      await writeFile(file('ca.pem'), idp.caPem, { mode: 0o644 });
      const password = idp.demoUser.password;
      const passwordFile = password === undefined ? undefined : file('demo-password');
      if (passwordFile !== undefined && password !== undefined)
        await writePrivateFile(passwordFile, `${password}\n`);
      const username = idp.demoUser.upn;
      const info: SavedDemoInfo = {
        dir,
        idpData,
        config: file('login.json'),
        keys: file('device-keys.json'),
        ca: file('ca.pem'),
        passwordFile,
        username,
        commands: [
          `psso-wstrust idp --data ${idpData}`,
          `psso-wstrust psso login --config ${file('login.json')} --keys ${file('device-keys.json')} --ca ${file('ca.pem')} --username ${username}${passwordFile === undefined ? '' : ` --password-stdin < ${passwordFile}`}`,
        ],
      };
      return info;
    },
  };
}

/**
 * Prints where the demo was saved and the exact next commands (on stderr).
 *
 * @example
 * ```ts
 * printSavedDemo(await saved.finish(idp));
 * ```
 */
export function printSavedDemo(info: SavedDemoInfo): void {
  const files = ['login.json', 'device-keys.json', 'ca.pem'];
  if (info.passwordFile !== undefined) files.push('demo-password');
  process.stderr.write(
    `\nSaved in ${info.dir}: ${files.join(', ')} (IdP data in ${info.idpData})\n`,
  );
  process.stderr.write('Next, in two terminals:\n');
  for (const c of info.commands) process.stderr.write(`  ${c}\n`);
}
