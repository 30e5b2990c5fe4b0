/**
 * The IdP's configuration file (JSON) and its defaults. Every field is checked on load; a bad one
 * is `PSSO_ERR_IDP_CONFIG` naming the field.
 *
 * @module
 */
import { IdpError } from 'psso-wstrust';
import { readConfigJson } from './config-file.js';
import { isPostgresUrl } from './state/postgres/url.js';
import type { RelyingParty } from './state/records.js';

/** The configuration. */
export interface IdpConfig {
  /** The SAML Issuer. Default `<origin>/adfs/services/trust`. */
  readonly issuer?: string;
  readonly federatedDomains: readonly string[];
  readonly managedDomains: readonly string[];
  /**
   * Relying parties (added to the database on start). `recipient` (SAML 2.0 only): the
   * SubjectConfirmationData Recipient, default the IdP's own `/psso/token`.
   */
  readonly relyingParties: readonly RelyingParty[];
  /**
   * Extranet lockout, shared by every password-bearing method. A partial object merges with the
   * defaults. `familiarDays`: a source (client address) where the user logged in within that many
   * days is familiar and has its own counter, so failures from elsewhere lock out only unfamiliar
   * sources (AD FS extranet smart lockout); 0 disables it (one counter for all sources).
   */
  readonly lockout: {
    readonly threshold: number;
    readonly windowSeconds: number;
    readonly lockoutSeconds: number;
    /** Default 14. */
    readonly familiarDays?: number;
  };
  /**
   * The password-check (scrypt) queue: checks running at once, waiting at once (all sources), and
   * running or waiting per source. Past a bound: "busy, retry later". A partial object merges.
   */
  readonly passwordChecks?: {
    readonly concurrency: number;
    readonly queue: number;
    readonly perSource: number;
  };
  /** UsernameToken Created freshness window and Nonce memory. */
  readonly freshnessSeconds: number;
  readonly clockSkewSeconds: number;
  /**
   * Require Nonce + Created and a security Timestamp, and a usable `wsa:MessageID` (by default a
   * request without one is served as AD FS serves it: no RelatesTo, a warning in the log).
   */
  readonly strict: boolean;
  readonly maxBodyBytes: number;
  readonly tokenLifetimeSeconds: number;
  /** Verified-credential cache lifetime; 0 disables it. */
  readonly credentialCacheSeconds: number;
  /** Whole-request deadline (slow clients are cut off). */
  readonly requestTimeoutMs: number;
  /** TLS handshake deadline from the TCP accept (a socket that never sends a ClientHello). */
  readonly handshakeTimeoutMs: number;
  /** Deadline for a request's headers (capped at `requestTimeoutMs`). */
  readonly headersTimeoutMs: number;
  /** How long an idle keep-alive connection is kept. */
  readonly keepAliveTimeoutMs: number;
  /** Connection cap; default: the open-file limit less a reserve (see `defaultMaxConnections`). */
  readonly maxConnections?: number;
  /** When set, `GET /metrics` requires `Authorization: Bearer <metricsToken>`. */
  readonly metricsToken?: string;
  /**
   * `postgres://…`: keep the IdP's state in this PostgreSQL database (several hosts share it), as
   * `--database` does (which wins). Absent: SQLite in the data folder.
   */
  readonly database?: string;
  /**
   * SmartCard logins: how a certificate names its user, tried in order: `upn` (SAN otherName UPN),
   * `email` (SAN rfc822Name). Default `["upn", "email"]`.
   */
  readonly smartCard?: { readonly mapping: readonly ('upn' | 'email')[] };
}

const DEFAULT_PASSWORD_CHECKS = Object.freeze({ concurrency: 4, queue: 128, perSource: 16 });

/** The defaults. */
export const DEFAULT_CONFIG: IdpConfig = Object.freeze<IdpConfig>({
  federatedDomains: ['federated.example'],
  managedDomains: ['managed.example'],
  relyingParties: [{ identifier: 'urn:federation:MicrosoftOnline', samlVersion: '1.1' as const }],
  lockout: { threshold: 5, windowSeconds: 600, lockoutSeconds: 1800, familiarDays: 14 },
  passwordChecks: DEFAULT_PASSWORD_CHECKS,
  freshnessSeconds: 300,
  clockSkewSeconds: 120,
  strict: false,
  maxBodyBytes: 64 * 1024,
  tokenLifetimeSeconds: 3600,
  credentialCacheSeconds: 60,
  requestTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
});

type Json = Record<string, unknown>;

/** The top-level fields that are (always present) whole numbers. */
type WholeField = {
  [K in keyof IdpConfig]-?: IdpConfig[K] extends number ? K : never;
}[keyof IdpConfig];

/**
 * Reads and checks a configuration file; fields left out take their defaults.
 *
 * @throws {IdpError} `PSSO_ERR_IDP_CONFIG`: the file does not exist, cannot be read, is not JSON
 *   (with line and column), or a field is wrong.
 */
export function loadConfig(path: string): IdpConfig {
  return checkConfig(readConfigJson(path));
}

/** Checks a configuration object (merged over the defaults). */
export function checkConfig(raw: unknown): IdpConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    bad('the configuration must be a JSON object');
  const o = raw as Json;
  const known = new Set([
    ...Object.keys(DEFAULT_CONFIG),
    'issuer',
    'maxConnections',
    'metricsToken',
    'smartCard',
    'database',
  ]);
  for (const key of Object.keys(o)) if (!known.has(key)) bad(`unknown field "${key.slice(0, 40)}"`);
  const lockout = section(o.lockout, DEFAULT_CONFIG.lockout, 'lockout');
  const checks = section(o.passwordChecks, DEFAULT_PASSWORD_CHECKS, 'passwordChecks');
  /** A top-level whole number in [min, max]; left out, its default. */
  const whole = (name: WholeField, min: number, max: number) =>
    int(o[name] ?? DEFAULT_CONFIG[name], name, min, max);
  const config: IdpConfig = {
    ...(o.issuer === undefined ? {} : { issuer: str(o.issuer, 'issuer') }),
    federatedDomains: strings(
      o.federatedDomains ?? DEFAULT_CONFIG.federatedDomains,
      'federatedDomains',
    ),
    managedDomains: strings(o.managedDomains ?? DEFAULT_CONFIG.managedDomains, 'managedDomains'),
    relyingParties: parties(o.relyingParties ?? DEFAULT_CONFIG.relyingParties),
    lockout: {
      threshold: int(lockout.threshold, 'lockout.threshold', 1, 1000),
      windowSeconds: int(lockout.windowSeconds, 'lockout.windowSeconds', 1, 86_400),
      lockoutSeconds: int(lockout.lockoutSeconds, 'lockout.lockoutSeconds', 1, 86_400 * 30),
      familiarDays: int(lockout.familiarDays, 'lockout.familiarDays', 0, 365),
    },
    passwordChecks: {
      concurrency: int(checks.concurrency, 'passwordChecks.concurrency', 1, 256),
      queue: int(checks.queue, 'passwordChecks.queue', 1, 100_000),
      perSource: int(checks.perSource, 'passwordChecks.perSource', 1, 100_000),
    },
    freshnessSeconds: whole('freshnessSeconds', 1, 3600),
    clockSkewSeconds: whole('clockSkewSeconds', 0, 3600),
    strict: bool(o.strict ?? DEFAULT_CONFIG.strict, 'strict'),
    maxBodyBytes: whole('maxBodyBytes', 1024, 1024 * 1024),
    tokenLifetimeSeconds: whole('tokenLifetimeSeconds', 60, 86_400),
    credentialCacheSeconds: whole('credentialCacheSeconds', 0, 3600),
    requestTimeoutMs: whole('requestTimeoutMs', 100, 300_000),
    handshakeTimeoutMs: whole('handshakeTimeoutMs', 100, 120_000),
    headersTimeoutMs: whole('headersTimeoutMs', 100, 300_000),
    keepAliveTimeoutMs: whole('keepAliveTimeoutMs', 100, 600_000),
    ...(o.maxConnections === undefined
      ? {}
      : { maxConnections: int(o.maxConnections, 'maxConnections', 1, 1_000_000) }),
    ...(o.metricsToken === undefined ? {} : { metricsToken: secret(o.metricsToken) }),
    ...(o.smartCard === undefined ? {} : { smartCard: smartCardSection(o.smartCard) }),
    ...(o.database === undefined ? {} : { database: databaseUrl(o.database) }),
  };
  return config;
}

/** A nested object: its fields over the defaults' (every field optional); unknown fields refused. */
function section(v: unknown, defaults: object, name: string): Json {
  if (v === undefined) return { ...defaults };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`${name} must be an object`);
  for (const key of Object.keys(v))
    if (!(key in defaults)) bad(`unknown field "${name}.${key.slice(0, 40)}"`);
  return { ...defaults, ...(v as Json) };
}

function bad(message: string): never {
  throw new IdpError('PSSO_ERR_IDP_CONFIG', `Invalid configuration: ${message}`);
}

function str(v: unknown, name: string): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > 2048)
    bad(`${name} must be a non-empty string`);
  return v;
}

function databaseUrl(v: unknown): string {
  if (!isPostgresUrl(v)) bad('database must be a postgres:// or postgresql:// URL');
  return v;
}

function secret(v: unknown): string {
  if (typeof v !== 'string' || !/^[\x21-\x7e]{16,512}$/.test(v))
    bad('metricsToken must be 16 to 512 printable ASCII characters without spaces');
  return v;
}

function strings(v: unknown, name: string): string[] {
  if (!Array.isArray(v)) bad(`${name} must be an array of strings`);
  return v.map((x, i) => str(x, `${name}[${i}]`));
}

function int(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    bad(`${name} must be an integer from ${min} to ${max}`);
  return v;
}

function smartCardSection(v: unknown): { mapping: ('upn' | 'email')[] } {
  const o = section(v, { mapping: ['upn', 'email'] }, 'smartCard');
  const mapping = o.mapping;
  if (
    !Array.isArray(mapping) ||
    mapping.length === 0 ||
    mapping.some((m) => m !== 'upn' && m !== 'email') ||
    new Set(mapping).size !== mapping.length
  )
    bad('smartCard.mapping must be a non-empty list of "upn" and "email", each at most once');
  return { mapping: mapping as ('upn' | 'email')[] };
}

function bool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') bad(`${name} must be true or false`);
  return v;
}

function parties(v: unknown): RelyingParty[] {
  if (!Array.isArray(v) || v.length === 0) bad('relyingParties must be a non-empty array');
  return v.map((p, i) => {
    const o = (typeof p === 'object' && p !== null ? p : {}) as Json;
    const samlVersion = o.samlVersion ?? '1.1';
    if (samlVersion !== '1.1' && samlVersion !== '2.0')
      bad(`relyingParties[${i}].samlVersion must be "1.1" or "2.0"`);
    const identifier = str(o.identifier, `relyingParties[${i}].identifier`);
    if (o.recipient === undefined) return { identifier, samlVersion };
    const recipient = str(o.recipient, `relyingParties[${i}].recipient`);
    if (samlVersion !== '2.0') bad(`relyingParties[${i}].recipient needs samlVersion "2.0"`);
    if (!/^https?:\/\/\S+$/.test(recipient) || !URL.canParse(recipient))
      bad(`relyingParties[${i}].recipient must be an absolute http(s) URL`);
    return { identifier, samlVersion, recipient };
  });
}
