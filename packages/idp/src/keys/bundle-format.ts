/**
 * The IdP key bundle: every key in a data folder that makes two IdP hosts interchangeable, as one
 * versioned JSON document (`idp keys export` writes it, `idp keys import` reads it).
 *
 * ```json
 * { "format": "psso-wstrust-idp-keys", "version": 1, "exportedAt": "2025-…Z",
 *   "keys": { "ca": {"certificate", "privateKey"}, "signing": {"certificate", "privateKey"},
 *             "serverNonceKey", "keyContextKey", "loginEncryptionKey", "adminToken",
 *             "hpkeSenderKeys"?, "hpkeSettings"? },
 *   "digest": "<base64url SHA-256 of the canonical JSON of keys>" }
 * ```
 *
 * - `ca`: the local CA (PEM certificate and PKCS#8 key): clients trust one CA whichever host
 *   answers, and each host issues its own TLS certificate from it.
 * - `signing`: the token-signing key and certificate (SAML assertions, id_tokens, the JWKS).
 * - `serverNonceKey`, `keyContextKey`: 32-byte keys (base64url) sealing server nonces and
 *   Platform SSO 2.0 key_contexts: a nonce or key_context from one host opens on the other.
 * - `loginEncryptionKey`: the P-256 key Macs encrypt passwords to (published in the JWKS).
 * - `adminToken`: `POST /psso/devices` behind a load balancer reaches either host; it is no more
 *   secret than the keys beside it.
 * - `hpkeSenderKeys`, `hpkeSettings`: the HPKE Auth-mode sender keys and `hpke.json` (PSKs),
 *   when the folder has them.
 *
 * Not in it: the TLS pair (each host re-issues its own from the CA, for its names), `server.json`
 * (a host's port), the database (users, devices, tokens: shared through a database, not a file),
 * and the metrics token (configuration: `--config`).
 *
 * The digest detects a damaged or hand-edited file; it is no signature. The bundle holds private
 * keys: it is written 0600 and must travel as a secret.
 *
 * @module
 */
import { createHash, createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { IdpError } from 'psso-wstrust';
import { caProblem, signingKeyProblem } from '../pki-checks.js';
import { isAdminToken } from '../psso/admin-token.js';
import { parseHpkeSenderKeys, parseHpkeSettings } from '../psso/hpke-policy.js';

/** The `format` of a key bundle. */
export const KEY_BUNDLE_FORMAT = 'psso-wstrust-idp-keys';
/** The bundle version this code writes and reads. */
export const KEY_BUNDLE_VERSION = 1;
/** The largest bundle read (keys are a few KB; PSK tables stay small). */
export const MAX_KEY_BUNDLE_BYTES = 1024 * 1024;

/** A certificate and its private key, PEM. */
export interface PemPair {
  readonly certificate: string;
  readonly privateKey: string;
}

/** The keys of a bundle (see the module header). */
export interface IdpKeys {
  readonly ca: PemPair;
  readonly signing: PemPair;
  readonly serverNonceKey: string;
  readonly keyContextKey: string;
  readonly loginEncryptionKey: string;
  readonly adminToken: string;
  readonly hpkeSenderKeys?: Readonly<Record<string, unknown>>;
  readonly hpkeSettings?: Readonly<Record<string, unknown>>;
}

/** A key bundle (version 1). */
export interface IdpKeyBundle {
  readonly format: typeof KEY_BUNDLE_FORMAT;
  readonly version: typeof KEY_BUNDLE_VERSION;
  readonly exportedAt: string;
  readonly keys: IdpKeys;
  readonly digest: string;
}

/** Fingerprints an operator compares between hosts (no secret). */
export interface IdpKeysSummary {
  /** SHA-256 fingerprints of the certificates, colon-separated hex as OpenSSL prints them. */
  readonly caFingerprint: string;
  readonly signingFingerprint: string;
  readonly optional: readonly ('hpkeSenderKeys' | 'hpkeSettings')[];
}

/**
 * JSON with object keys sorted at every level: one text per value (the digest, comparisons).
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [2] }); // '{"a":[2],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return canonical(value);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null)
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * The digest of a bundle's keys: base64url SHA-256 of their canonical JSON.
 *
 * @example
 * ```ts
 * keysDigest(bundle.keys) === bundle.digest; // for an intact bundle
 * ```
 */
export function keysDigest(keys: IdpKeys): string {
  return createHash('sha256').update(canonical(keys)).digest('base64url');
}

/**
 * A bundle of `keys`, stamped with `now` and its digest.
 *
 * @example
 * ```ts
 * const bundle = makeKeyBundle(keys, new Date());
 * ```
 */
export function makeKeyBundle(keys: IdpKeys, now: Date): IdpKeyBundle {
  return {
    format: KEY_BUNDLE_FORMAT,
    version: KEY_BUNDLE_VERSION,
    exportedAt: now.toISOString(),
    keys,
    digest: keysDigest(keys),
  };
}

/**
 * The text of a bundle: indented JSON, a final newline.
 *
 * @example
 * ```ts
 * await writeFile(out, serializeKeyBundle(bundle), { mode: 0o600 });
 * ```
 */
export function serializeKeyBundle(bundle: IdpKeyBundle): string {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

const bundleError = (code: 'FORMAT' | 'VERSION' | 'INVALID', message: string) =>
  new IdpError(`PSSO_ERR_IDP_KEY_BUNDLE_${code}`, message);

/**
 * Reads a bundle: the format, the version, the digest, then every key ({@link checkIdpKeys}).
 * Messages name the field, never a key's bytes.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_KEY_BUNDLE_FORMAT` for text that is not a JSON bundle (over
 *   1 MiB, a field missing or mistyped, a digest that does not match);
 *   `PSSO_ERR_IDP_KEY_BUNDLE_VERSION` for a version other than 1;
 *   `PSSO_ERR_IDP_KEY_BUNDLE_INVALID` for a key that does not parse or does not match.
 * @example
 * ```ts
 * const bundle = parseKeyBundle(await readFile('idp-keys.json'));
 * ```
 */
export function parseKeyBundle(input: string | Uint8Array, now = new Date()): IdpKeyBundle {
  const bytes = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (bytes > MAX_KEY_BUNDLE_BYTES) throw bundleError('FORMAT', 'the key bundle is over 1 MiB');
  let json: unknown;
  try {
    json = JSON.parse(typeof input === 'string' ? input : Buffer.from(input).toString('utf8'));
  } catch {
    throw bundleError('FORMAT', 'the key bundle is not JSON');
  }
  const o = record(json, 'the key bundle', 'FORMAT');
  if (o.format !== KEY_BUNDLE_FORMAT)
    throw bundleError('FORMAT', `not a key bundle: "format" is not "${KEY_BUNDLE_FORMAT}"`);
  if (o.version !== KEY_BUNDLE_VERSION)
    throw bundleError(
      'VERSION',
      `key bundle version ${JSON.stringify(o.version)?.slice(0, 20)}: this IdP reads version ${KEY_BUNDLE_VERSION}`,
    );
  if (typeof o.exportedAt !== 'string' || Number.isNaN(Date.parse(o.exportedAt)))
    throw bundleError('FORMAT', 'the key bundle has no "exportedAt" date');
  const keys = shape(o.keys);
  if (typeof o.digest !== 'string' || o.digest !== keysDigest(keys))
    throw bundleError(
      'FORMAT',
      'the key bundle digest does not match its keys: the file was changed or damaged',
    );
  checkIdpKeys(keys, (message) => bundleError('INVALID', message), now);
  // The digest was just checked equal to the keys' own: no need to compute it again.
  return {
    format: KEY_BUNDLE_FORMAT,
    version: KEY_BUNDLE_VERSION,
    exportedAt: new Date(o.exportedAt).toISOString(),
    keys,
    digest: o.digest,
  };
}

function record(value: unknown, what: string, code: 'FORMAT' | 'INVALID'): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bundleError(code, `${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** The fields of `keys` with their types (their content is {@link checkIdpKeys}'s). */
function shape(value: unknown): IdpKeys {
  const k = record(value, '"keys"', 'FORMAT');
  const text = (v: unknown, name: string): string => {
    if (typeof v !== 'string' || v === '') throw bundleError('FORMAT', `"keys.${name}" is missing`);
    return v;
  };
  const pair = (name: 'ca' | 'signing'): PemPair => {
    const p = record(k[name], `"keys.${name}"`, 'FORMAT');
    return {
      certificate: text(p.certificate, `${name}.certificate`),
      privateKey: text(p.privateKey, `${name}.privateKey`),
    };
  };
  const optional = (name: 'hpkeSenderKeys' | 'hpkeSettings') =>
    k[name] === undefined ? {} : { [name]: record(k[name], `"keys.${name}"`, 'FORMAT') };
  return {
    ca: pair('ca'),
    signing: pair('signing'),
    serverNonceKey: text(k.serverNonceKey, 'serverNonceKey'),
    keyContextKey: text(k.keyContextKey, 'keyContextKey'),
    loginEncryptionKey: text(k.loginEncryptionKey, 'loginEncryptionKey'),
    adminToken: text(k.adminToken, 'adminToken'),
    ...optional('hpkeSenderKeys'),
    ...optional('hpkeSettings'),
  };
}

/**
 * Checks that every key parses and is what the IdP needs: each certificate matches its key, the
 * CA is a CA valid at `now` with a P-256 key, the signing key RSA ≥ 2048, the sealing keys 32
 * bytes, the login encryption key P-256, the admin token usable, the HPKE files well formed (and
 * sender keys present when `hpkeSettings` asks for Auth mode). `fail` makes the error.
 *
 * @throws what `fail` returns, naming the field.
 * @example
 * ```ts
 * checkIdpKeys(keys, (m) => new IdpError('PSSO_ERR_IDP_KEY_BUNDLE_INVALID', m), new Date());
 * ```
 */
export function checkIdpKeys(keys: IdpKeys, fail: (message: string) => IdpError, now: Date): void {
  const ca = pemPair(keys.ca, 'ca', fail);
  const caWrong = caProblem(ca.cert, ca.key, now);
  if (caWrong !== undefined) throw fail(`the CA certificate ${caWrong}`);
  const signing = pemPair(keys.signing, 'signing', fail);
  const signingWrong = signingKeyProblem(signing.key);
  if (signingWrong !== undefined) throw fail(`the signing key ${signingWrong}`);
  for (const name of ['serverNonceKey', 'keyContextKey'] as const)
    if (
      !/^[A-Za-z0-9_-]{43}$/.test(keys[name]) ||
      Buffer.from(keys[name], 'base64url').length !== 32
    )
      throw fail(`${name} is not a 32-byte base64url key`);
  const login = privateKey(keys.loginEncryptionKey, 'loginEncryptionKey', fail);
  if (login.asymmetricKeyType !== 'ec' || login.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw fail('loginEncryptionKey is not a P-256 key');
  if (!isAdminToken(keys.adminToken)) throw fail('adminToken is not a usable admin token');
  const settings =
    keys.hpkeSettings === undefined
      ? undefined
      : recode(() => parseHpkeSettings(keys.hpkeSettings, 'hpkeSettings'), fail);
  if (keys.hpkeSenderKeys !== undefined)
    recode(() => parseHpkeSenderKeys(keys.hpkeSenderKeys, 'hpkeSenderKeys'), fail);
  else if (settings?.auth === true)
    throw fail('hpkeSettings asks for Auth mode, but there are no hpkeSenderKeys');
}

/** Runs a data-folder parser, its refusal re-made by `fail` (same message). */
function recode<T>(run: () => T, fail: (message: string) => IdpError): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof IdpError) throw fail(e.message);
    throw e;
  }
}

function privateKey(pem: string, name: string, fail: (m: string) => IdpError): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    throw fail(`${name} is not a PEM private key`);
  }
}

function pemPair(
  pair: PemPair,
  name: string,
  fail: (m: string) => IdpError,
): { cert: X509Certificate; key: KeyObject } {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pair.certificate);
  } catch {
    throw fail(`${name}.certificate is not a PEM certificate`);
  }
  const key = privateKey(pair.privateKey, `${name}.privateKey`, fail);
  if (!cert.checkPrivateKey(key))
    throw fail(`${name}.privateKey does not match the key of ${name}.certificate`);
  return { cert, key };
}

/**
 * The fingerprints of a bundle's certificates, for operators to compare (never a secret).
 *
 * @example
 * ```ts
 * summarizeKeys(bundle.keys).signingFingerprint; // 'AB:CD:…'
 * ```
 */
export function summarizeKeys(keys: IdpKeys): IdpKeysSummary {
  return {
    caFingerprint: new X509Certificate(keys.ca.certificate).fingerprint256,
    signingFingerprint: new X509Certificate(keys.signing.certificate).fingerprint256,
    optional: (['hpkeSenderKeys', 'hpkeSettings'] as const).filter((k) => keys[k] !== undefined),
  };
}
