/**
 * Moving an IdP's keys between data folders, so that two hosts with separate folders are
 * interchangeable (`idp keys export` / `idp keys import`): {@link exportIdpKeys} reads the key
 * files into a bundle (./bundle-format.ts says what is in it, and what is not), and
 * {@link importIdpKeys} writes a bundle's keys into a folder.
 *
 * Import checks everything before it writes anything: the bundle (format, version, digest, every
 * key parses and each certificate matches its key), then the folder: a key file that differs from
 * the bundle's (or an HPKE file the bundle does not have) is a conflict, refused unless `force`.
 * Absent files are created with `createFileOnce` (complete before their name appears, never over
 * a file that appeared meanwhile); with `force`, files are replaced with `writeFilesAtomic` (every
 * content staged before the first rename). Secrets are written 0600, certificates 0644, as the IdP
 * writes them itself; both run under the data folder's key lock, as key generation does.
 *
 * After an import the host re-issues its TLS certificate from the imported CA on its next start.
 * The CA's name constraints must permit that host's names, or the host makes a new CA (and logs
 * `pki.ca_replaced`): make the CA, on the first host, with every `--tls-hostname` of the cluster.
 *
 * @module
 */
import { statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { IdpError } from 'psso-wstrust';
import { PKI_FILES } from '../pki.js';
import { ADMIN_TOKEN_FILE } from '../psso/admin-token.js';
import { HPKE_SENDER_KEYS_FILE, HPKE_SETTINGS_FILE } from '../psso/hpke-policy.js';
import { KEY_CONTEXT_KEY_FILE } from '../psso/key-context.js';
import { LOGIN_ENCRYPTION_KEY_FILE } from '../psso/login-encryption-key.js';
import { NONCE_KEY_FILE } from '../psso/server-nonce.js';
import {
  createFileOnce,
  dataDirError,
  ensureDataDir,
  writeFilesAtomic,
} from '../store/data-dir.js';
import { withDataDirLock } from '../store/lock.js';
import { readSecretFile } from '../store/secret-file.js';
import {
  canonicalJson,
  checkIdpKeys,
  type IdpKeyBundle,
  type IdpKeys,
  type IdpKeysSummary,
  makeKeyBundle,
  parseKeyBundle,
  serializeKeyBundle,
  summarizeKeys,
} from './bundle-format.js';

/** One file of the key material: its name in the data folder, its mode, its bundle content. */
interface KeyFileSpec {
  readonly name: string;
  /** 0600 for a secret, 0644 for a certificate (as the IdP writes them itself). */
  readonly mode: 0o600 | 0o644;
  /** Text (PEM, a key or token line) or JSON (compared as canonical JSON). */
  readonly kind: 'text' | 'json';
  /** The bundle's content for it; `undefined`: the bundle has none (the optional HPKE files). */
  readonly content: (keys: IdpKeys) => string | undefined;
}

/** A file with the content a given bundle writes to it. */
interface KeyFile extends Omit<KeyFileSpec, 'content'> {
  readonly content: string | undefined;
}

const line = (text: string) => `${text.replace(/\r\n/g, '\n').trim()}\n`;
const json = (value: unknown) => (value === undefined ? undefined : `${JSON.stringify(value)}\n`);

/** The key files, each private key before its certificate (a crash between leaves no pair). */
const KEY_FILES: readonly KeyFileSpec[] = [
  { name: PKI_FILES.caKey, mode: 0o600, kind: 'text', content: (k) => line(k.ca.privateKey) },
  { name: PKI_FILES.caCert, mode: 0o644, kind: 'text', content: (k) => line(k.ca.certificate) },
  {
    name: PKI_FILES.signingKey,
    mode: 0o600,
    kind: 'text',
    content: (k) => line(k.signing.privateKey),
  },
  {
    name: PKI_FILES.signingCert,
    mode: 0o644,
    kind: 'text',
    content: (k) => line(k.signing.certificate),
  },
  { name: NONCE_KEY_FILE, mode: 0o600, kind: 'text', content: (k) => line(k.serverNonceKey) },
  { name: KEY_CONTEXT_KEY_FILE, mode: 0o600, kind: 'text', content: (k) => line(k.keyContextKey) },
  {
    name: LOGIN_ENCRYPTION_KEY_FILE,
    mode: 0o600,
    kind: 'text',
    content: (k) => line(k.loginEncryptionKey),
  },
  { name: ADMIN_TOKEN_FILE, mode: 0o600, kind: 'text', content: (k) => line(k.adminToken) },
  {
    name: HPKE_SENDER_KEYS_FILE,
    mode: 0o600,
    kind: 'json',
    content: (k) => json(k.hpkeSenderKeys),
  },
  { name: HPKE_SETTINGS_FILE, mode: 0o600, kind: 'json', content: (k) => json(k.hpkeSettings) },
];

/** The files optional in a bundle. */
const OPTIONAL = new Set([HPKE_SENDER_KEYS_FILE, HPKE_SETTINGS_FILE]);

/** A file's text, or `undefined` when absent; secrets must be 0600 or stricter. */
async function readKeyFile(dir: string, name: string, mode: number): Promise<string | undefined> {
  const path = join(dir, name);
  if (mode === 0o600) return readSecretFile(path, 'the key file');
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw dataDirError(`cannot read ${path}`, e);
  }
}

/** Whether a file's text holds what `file` would write (line endings and JSON layout aside). */
function sameContent(file: KeyFile, text: string): boolean {
  if (file.content === undefined) return false;
  if (file.kind === 'text')
    return text.replace(/\r\n/g, '\n').trim() === file.content.replace(/\r\n/g, '\n').trim();
  try {
    return canonicalJson(JSON.parse(text)) === canonicalJson(JSON.parse(file.content));
  } catch {
    return false;
  }
}

/** Options of {@link exportIdpKeys}. */
export interface ExportOptions {
  /** The clock for `exportedAt` and the CA validity check (default `() => new Date()`). */
  readonly clock?: () => Date;
}

/**
 * Reads the key material of `dataDir` into a bundle (see ./bundle-format.ts), checked as an
 * import would check it. Writes nothing (but for a moment the folder's key lock file).
 *
 * @throws {IdpError} `PSSO_ERR_IDP_KEYS_MISSING` for a folder that does not exist, or naming the
 *   files missing (the IdP never started on the folder); `PSSO_ERR_IDP_DATA_DIR` for a file that cannot be read or is corrupt;
 *   `PSSO_ERR_IDP_KEY_FILE_MODE` for a secret other users may read.
 * @example
 * ```ts
 * const bundle = await exportIdpKeys('/var/lib/idp-a');
 * await writeFile('idp-keys.json', serializeKeyBundle(bundle), { mode: 0o600 });
 * ```
 */
export async function exportIdpKeys(
  dataDir: string,
  options: ExportOptions = {},
): Promise<IdpKeyBundle> {
  const dir = resolve(dataDir);
  const now = (options.clock ?? (() => new Date()))();
  // Export writes nothing: a folder that does not exist is not made.
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() !== true)
    throw new IdpError('PSSO_ERR_IDP_KEYS_MISSING', `${dir} is not an IdP data folder`);
  const texts = await withDataDirLock(dir, 'pki', async () => {
    const out = new Map<string, string>();
    for (const f of KEY_FILES) {
      const text = await readKeyFile(dir, f.name, f.mode);
      if (text !== undefined) out.set(f.name, text);
    }
    return out;
  });
  const missing = KEY_FILES.map((f) => f.name).filter(
    (name) => !OPTIONAL.has(name) && !texts.has(name),
  );
  if (missing.length > 0)
    throw new IdpError(
      'PSSO_ERR_IDP_KEYS_MISSING',
      `${dir} has no ${missing.join(', ')}: start the IdP once on it (psso-wstrust idp --data ${dir})`,
    );
  const text = (name: string) => (texts.get(name) ?? '').replace(/\r\n/g, '\n').trim();
  const parsed = (name: string): Record<string, unknown> | undefined => {
    if (!texts.has(name)) return undefined;
    try {
      return JSON.parse(text(name)) as Record<string, unknown>;
    } catch {
      throw dataDirError(`${join(dir, name)} is not JSON`);
    }
  };
  const hpkeSenderKeys = parsed(HPKE_SENDER_KEYS_FILE);
  const hpkeSettings = parsed(HPKE_SETTINGS_FILE);
  const keys: IdpKeys = {
    ca: { certificate: line(text(PKI_FILES.caCert)), privateKey: line(text(PKI_FILES.caKey)) },
    signing: {
      certificate: line(text(PKI_FILES.signingCert)),
      privateKey: line(text(PKI_FILES.signingKey)),
    },
    serverNonceKey: text(NONCE_KEY_FILE),
    keyContextKey: text(KEY_CONTEXT_KEY_FILE),
    loginEncryptionKey: line(text(LOGIN_ENCRYPTION_KEY_FILE)),
    adminToken: text(ADMIN_TOKEN_FILE),
    ...(hpkeSenderKeys === undefined ? {} : { hpkeSenderKeys }),
    ...(hpkeSettings === undefined ? {} : { hpkeSettings }),
  };
  checkIdpKeys(keys, (message) => dataDirError(`${dir}: ${message}`), now);
  return makeKeyBundle(keys, now);
}

/** Options of {@link importIdpKeys}. */
export interface ImportOptions {
  /** Replace key files that differ from the bundle's, and remove HPKE files it does not have. */
  readonly force?: boolean;
  /** The clock for the CA validity check (default `() => new Date()`). */
  readonly clock?: () => Date;
}

/** What {@link importIdpKeys} did, by file name (no secret). */
export interface ImportResult {
  readonly dataDir: string;
  readonly created: readonly string[];
  readonly replaced: readonly string[];
  readonly removed: readonly string[];
  readonly unchanged: readonly string[];
  readonly summary: IdpKeysSummary;
}

/**
 * Writes a bundle's keys into `dataDir` (created 0700 when absent). Everything is checked before
 * anything is written (see the module header); importing the same bundle again changes nothing.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_KEY_BUNDLE_FORMAT`, `_VERSION` or `_INVALID` for a bad
 *   bundle (nothing written); `PSSO_ERR_IDP_KEY_BUNDLE_CONFLICT` naming the files that differ,
 *   without `force` (nothing written); `PSSO_ERR_IDP_KEY_FILE_MODE` for an existing secret other
 *   users may read; `PSSO_ERR_IDP_DATA_DIR` when the folder cannot be written.
 * @example
 * ```ts
 * const r = await importIdpKeys('/var/lib/idp-b', await readFile('idp-keys.json'));
 * console.log(r.created, r.summary.signingFingerprint);
 * ```
 */
export async function importIdpKeys(
  dataDir: string,
  bundle: IdpKeyBundle | string | Uint8Array,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const now = (options.clock ?? (() => new Date()))();
  // A bundle object is checked exactly as its text would be.
  const checked = parseKeyBundle(
    typeof bundle === 'string' || bundle instanceof Uint8Array
      ? bundle
      : serializeKeyBundle(bundle),
    now,
  );
  const dir = ensureDataDir(dataDir);
  const files: KeyFile[] = KEY_FILES.map((f) => ({ ...f, content: f.content(checked.keys) }));
  return withDataDirLock(dir, 'pki', async () => {
    const existing = new Map<string, string>();
    for (const f of files) {
      const text = await readKeyFile(dir, f.name, f.mode);
      if (text !== undefined) existing.set(f.name, text);
    }
    const state = (f: KeyFile) => {
      const text = existing.get(f.name);
      if (f.content === undefined) return text === undefined ? 'absent' : 'remove';
      if (text === undefined) return 'create';
      return sameContent(f, text) ? 'unchanged' : 'replace';
    };
    const states = files.map((f) => [f, state(f)] as const);
    const pick = (s: ReturnType<typeof state>) => states.filter(([, t]) => t === s).map(([f]) => f);
    const [create, replace, remove, unchanged] = [
      pick('create'),
      pick('replace'),
      pick('remove'),
      pick('unchanged'),
    ];
    const conflicts = [...replace, ...remove].map((f) => f.name);
    if (conflicts.length > 0 && options.force !== true)
      throw conflict(
        dir,
        conflicts,
        'differ from the bundle; nothing was changed: pass --force (importIdpKeys: force) to replace them',
      );
    if (options.force === true) {
      await writeFilesAtomic(
        [...create, ...replace].map((f) => ({
          path: join(dir, f.name),
          content: f.content ?? '',
          mode: f.mode,
        })),
      );
      for (const f of remove) await rm(join(dir, f.name), { force: true });
    } else {
      for (const f of create) {
        if (await createFileOnce(join(dir, f.name), f.content ?? '', f.mode)) continue;
        // Another process created it since the check (an IdP started on the folder).
        const raced = await readKeyFile(dir, f.name, f.mode);
        if (raced === undefined || !sameContent(f, raced))
          throw conflict(
            dir,
            [f.name],
            'appeared while importing (an IdP starting on the folder?): import again with no IdP running on it',
          );
      }
    }
    const names = (list: KeyFile[]) => list.map((f) => f.name);
    return {
      dataDir: dir,
      created: names(create),
      replaced: names(replace),
      removed: names(remove),
      unchanged: names(unchanged),
      summary: summarizeKeys(checked.keys),
    };
  });
}

function conflict(dir: string, names: readonly string[], what: string): IdpError {
  return new IdpError('PSSO_ERR_IDP_KEY_BUNDLE_CONFLICT', `${names.join(', ')} in ${dir} ${what}`);
}
