/**
 * Starting the reference IdP: data folder (PKI, keys), its state (./state: SQLite in the data
 * folder, or PostgreSQL for several hosts; replay and lockout optionally in Redis), the STS
 * pipeline, discovery routes, and the https server.
 *
 * @module
 */
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { FairQueue } from './auth/fair-queue.js';
import { PasswordCheck } from './auth/password-check.js';
import { DEFAULT_CONFIG, type IdpConfig } from './config.js';
import {
  certNamesOrigin,
  type IdpEndpoints,
  idpEndpoints,
  isWildcard,
  listenOrigin,
  parsePublicUrl,
  pkiOptionsFor,
} from './endpoints.js';
import { type FaultInjection, faultsEnabled } from './faults/injection.js';
import { listenOrFail } from './listen.js';
import { jsonLogger, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { workerId } from './metrics-cluster.js';
import { mexDocument, STS_PATHS } from './mex-document.js';
import { defaultDataDir, loadOrCreatePki } from './pki.js';
import { loadOrCreateAdminToken } from './psso/admin-token.js';
import { loadHpkeResponsePolicy } from './psso/hpke-policy.js';
import { loadOrCreateKeyContextKey } from './psso/key-context.js';
import { idTokenKey } from './psso/keys.js';
import { loadOrCreateLoginEncryptionKey } from './psso/login-encryption-key.js';
import { loadOrCreateNonceKey, ServerNonces } from './psso/server-nonce.js';
import { inDomains } from './realm.js';
import { discoveryRoutes } from './routes/discovery.js';
import { pssoRoutes } from './routes/psso.js';
import { pssoConfiguration, pssoConfigurationRoute } from './routes/psso-configuration.js';
import { announceFaults, stsRoutes } from './routes/sts.js';
import { userKeyRoutes } from './routes/user-keys.js';
import { issueAssertion, unsignedAssertion } from './saml/index.js';
import { openIdpState } from './state/open.js';
import type { RelyingParty } from './state/records.js';
import type { LockoutStore, RelyingPartyStore } from './state/types.js';
import { CredentialCache } from './sts/credential-cache.js';
import type { StsDeps, StsSettings } from './sts/handle.js';
import { cachedLockout } from './sts/lockout-cache.js';
import type { TlsFiles } from './tls-files.js';

/** Options of {@link startIdp}. */
export interface IdpOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (an ephemeral port). */
  readonly port?: number;
  /** Default {@link defaultDataDir}. */
  readonly dataDir?: string;
  readonly config?: IdpConfig;
  /**
   * `postgres://…`: keep every kind of state (users, devices, keys, refresh tokens, replay,
   * nonces, lockout) in PostgreSQL, shared by several hosts. Without it all of it lives in the
   * data folder's SQLite database, shared by every process on that folder.
   */
  readonly database?: string;
  /**
   * Share replay, consumed nonces and lockout through Redis (several hosts), whichever database
   * holds the rest.
   */
  readonly redisUrl?: string;
  readonly faults?: FaultInjection;
  readonly logger?: Logger;
  readonly clock?: () => Date;
  /** Create the demo user if absent (default true). */
  readonly demoUser?: boolean;
  /**
   * The origin clients reach (`https://host[:port]`, no path): advertised in MEX, the user realm,
   * the issuer and the Platform SSO endpoints instead of the listening address. Its host is added
   * to the generated TLS certificate.
   */
  readonly publicUrl?: string;
  /** Extra names (DNS or IP) of the generated TLS certificate. */
  readonly tlsHostnames?: readonly string[];
  /** The operator's own TLS certificate and key (PEM files) instead of the generated pair. */
  readonly tls?: TlsFiles;
}

/** A running IdP. */
export interface RunningIdp {
  readonly origin: string;
  readonly mexUrl: string;
  readonly realmUrl: string;
  readonly sts13Url: string;
  readonly sts2005Url: string;
  /** Every endpoint, the Platform SSO ones included. */
  readonly endpoints: IdpEndpoints;
  /** The port listened on (the public URL's port may differ, behind a proxy). */
  readonly port: number;
  /** The TLS certificate served, and whether it is the generated one (else `tls`). */
  readonly tlsCertFile: string;
  readonly tlsGenerated: boolean;
  /** The local CA was made again for a new name: every client needs the new `caFile`. */
  readonly caReplaced: boolean;
  /** Absolute path of the local CA certificate (PEM) clients must trust. */
  readonly caFile: string;
  readonly caPem: string;
  /** The admin token file (mode 0600): `Authorization: Bearer` for `POST /psso/devices`. */
  readonly adminTokenFile: string;
  /** Absolute path of the token-signing certificate (PEM). */
  readonly signingCertFile: string;
  readonly signingCertPem: string;
  /** Present only when the demo user was created by this start: its password, shown once. */
  readonly demoUser: { readonly upn: string; readonly password: string | undefined };
  readonly dataDir: string;
  readonly metrics: Metrics;
  close(): Promise<void>;
}

/**
 * Starts the IdP.
 *
 * @example
 * ```ts
 * const idp = await startIdp({ dataDir: '/tmp/idp', port: 0 });
 * console.log(idp.mexUrl, idp.caFile);
 * await idp.close();
 * ```
 */
export async function startIdp(options: IdpOptions = {}): Promise<RunningIdp> {
  const config = options.config ?? DEFAULT_CONFIG;
  const log = options.logger ?? jsonLogger();
  const clock = options.clock ?? (() => new Date());
  const faults = options.faults ?? {};
  const dataDir = options.dataDir ?? defaultDataDir();
  const publicOrigin =
    options.publicUrl === undefined ? undefined : parsePublicUrl(options.publicUrl);
  const pki = await loadOrCreatePki(dataDir, pkiOptionsFor(options));
  if (
    publicOrigin !== undefined &&
    !pki.tlsGenerated &&
    !certNamesOrigin(pki.tlsCertPem, publicOrigin)
  )
    log.log('warn', 'tls.public_name', {
      tlsCertFile: pki.tlsCertFile,
      message: 'the --tls-cert certificate does not name the --public-url host',
    });
  if (pki.caReplaced)
    log.log('warn', 'pki.ca_replaced', {
      caFile: pki.caFile,
      message:
        'a TLS name was outside the local CA: a new CA was made; give every client the new CA file',
    });
  const state = await openIdpState({
    dataDir,
    ...(options.database === undefined ? {} : { database: options.database }),
    ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
    now: () => clock().getTime(),
    logger: log,
  });
  let demo: { created: boolean; password?: string };
  try {
    for (const rp of config.relyingParties) await state.relyingParties.upsert(rp);
    demo = options.demoUser === false ? { created: false } : await state.users.ensureDemoUser();
  } catch (e) {
    await state.close();
    throw e;
  }
  const replay = state.replay;
  const lockout: LockoutStore = cachedLockout(state.lockout);
  const metrics = new Metrics(workerId());
  const signing = { privateKey: pki.signingKey, certificateDer: pki.signingCertDer };
  // One password check for every password-bearing method: one lockout, one bounded fair queue.
  const passwords = new PasswordCheck({
    verify: (upn, password) => state.users.verify(upn, password),
    burn: (password) => state.users.burnPasswordCheck(password),
    lockout,
    credentials: new CredentialCache(config.credentialCacheSeconds * 1000),
    queue: new FairQueue(config.passwordChecks ?? DEFAULT_CONFIG.passwordChecks),
    policy: {
      threshold: config.lockout.threshold,
      windowMs: config.lockout.windowSeconds * 1000,
      lockoutMs: config.lockout.lockoutSeconds * 1000,
      familiarMs:
        (config.lockout.familiarDays ?? DEFAULT_CONFIG.lockout.familiarDays ?? 0) * 86_400_000,
    },
    clock,
  });
  const deps: StsDeps = {
    passwords,
    relyingParty: cachedRelyingParties(state.relyingParties),
    issueAssertion: (params) => issueAssertion(params, signing),
    unsignedAssertion: (params) => unsignedAssertion(params),
    replay,
  };
  const app = createApp(
    {
      tls: { key: pki.tlsKeyPem, cert: pki.tlsCertPem },
      maxBodyBytes: config.maxBodyBytes,
      requestTimeoutMs: config.requestTimeoutMs,
      handshakeTimeoutMs: config.handshakeTimeoutMs,
      headersTimeoutMs: config.headersTimeoutMs,
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      ...(config.maxConnections === undefined ? {} : { maxConnections: config.maxConnections }),
      ...(config.metricsToken === undefined ? {} : { metricsToken: config.metricsToken }),
      healthy: () => state.ping(),
    },
    metrics,
    log,
  );
  // The origin is known once listening; routes read it through this holder.
  let origin = '';
  const settings: StsSettings = {
    get issuer() {
      return config.issuer ?? `${origin}/adfs/services/trust`;
    },
    tokenLifetimeMs: config.tokenLifetimeSeconds * 1000,
    freshness: {
      windowMs: config.freshnessSeconds * 1000,
      skewMs: config.clockSkewSeconds * 1000,
      strict: config.strict,
    },
    maxBodyBytes: config.maxBodyBytes,
    faults,
    clock,
    strict: config.strict,
    get defaultRecipient() {
      return `${origin}/psso/token`;
    },
  };
  stsRoutes(app, deps, settings, metrics, log);
  const nonces = new ServerNonces({
    key: await loadOrCreateNonceKey(dataDir),
    consumed: state.nonces,
    clock,
    skewMs: config.clockSkewSeconds * 1000,
  });
  const idKey = await idTokenKey(pki.signingKey);
  const refreshTokens = state.refreshTokens;
  const admin = await loadOrCreateAdminToken(dataDir);
  pssoRoutes(
    app,
    {
      device: (kid) => state.devices.get(kid),
      nonces,
      user: (upn) => state.users.get(upn),
      passwords,
      isFederated: (upn) => inDomains(upn, config.federatedDomains),
      replay,
      refreshTokens,
      idTokenKey: idKey,
      loginRequestEncryption: await loadOrCreateLoginEncryptionKey(dataDir),
      saml: {
        trustedCertificates: [pki.signingCertPem],
        trustedIssuers: () => [settings.issuer],
        audience: config.relyingParties[0]?.identifier ?? 'urn:federation:MicrosoftOnline',
      },
      issuer: () => origin,
      endpoint: () => `${origin}/psso/token`,
      clock,
      skewSeconds: config.clockSkewSeconds,
      embedded: {
        userKey: (kid) => state.userKeys.get(kid),
        smartCardCas: () => state.smartCardCas.certificates(),
        ...(config.smartCard === undefined ? {} : { smartCardMapping: config.smartCard.mapping }),
      },
      keyContextKey: await loadOrCreateKeyContextKey(dataDir),
      hpke: await loadHpkeResponsePolicy(dataDir),
    },
    idKey,
    metrics,
    log,
    admin,
    state.devices,
  );
  pssoConfigurationRoute(app, () =>
    pssoConfiguration(origin, { federationRequestURN: config.relyingParties[0]?.identifier }),
  );
  userKeyRoutes(
    app,
    {
      device: (kid) => state.devices.get(kid),
      nonces,
      refreshTokens,
      user: (upn) => state.users.get(upn),
      addUserKey: (upn, jwk) => state.userKeys.add(upn, jwk),
      endpoint: () => `${origin}/psso/user-keys`,
      clock,
      skewSeconds: config.clockSkewSeconds,
    },
    metrics,
    log,
  );
  await app.register(async (scoped) => {
    discoveryRoutes(
      scoped,
      {
        federatedDomains: config.federatedDomains,
        managedDomains: config.managedDomains,
        get mexUrl() {
          return `${origin}${STS_PATHS.mex}`;
        },
        get activeAuthUrl() {
          return `${origin}${STS_PATHS.usernamemixed2005}`;
        },
        cloudAudienceUrn: 'urn:federation:MicrosoftOnline',
        cloudInstanceName: 'login.microsoftonline.com',
      },
      () => mexDocument(origin),
    );
  });
  const host = options.host ?? '127.0.0.1';
  try {
    await listenOrFail(app, host, options.port ?? 0);
  } catch (e) {
    await app.close().catch(() => undefined);
    await state.close().catch(() => undefined);
    throw e;
  }
  const address = app.server.address() as AddressInfo;
  origin = publicOrigin ?? listenOrigin(address);
  if (publicOrigin === undefined && isWildcard(address))
    log.log('warn', 'idp.wildcard_address', {
      origin,
      message: 'listening on every address but advertising loopback: pass --public-url',
    });
  if (faultsEnabled(faults)) announceFaults(faults, log);
  log.log('info', 'idp.started', {
    origin,
    listen: listenOrigin(address),
    dataDir,
    database: state.backends.durable,
    redis: options.redisUrl !== undefined,
  });
  const endpoints = idpEndpoints(origin);
  return {
    origin,
    mexUrl: endpoints.mex,
    realmUrl: endpoints.userRealm,
    sts13Url: endpoints.sts13,
    sts2005Url: endpoints.sts2005,
    endpoints,
    port: address.port,
    tlsCertFile: pki.tlsCertFile,
    tlsGenerated: pki.tlsGenerated,
    caReplaced: pki.caReplaced,
    caFile: pki.caFile,
    caPem: pki.caPem,
    adminTokenFile: admin.file,
    signingCertFile: pki.signingCertFile,
    signingCertPem: pki.signingCertPem,
    demoUser: { upn: 'demo@federated.example', password: demo.created ? demo.password : undefined },
    dataDir,
    metrics,
    async close() {
      await app.close();
      await state.close();
    },
  };
}

/** Relying parties change rarely: read them from the database at most every 10 s. */
function cachedRelyingParties(
  rps: RelyingPartyStore,
): (identifier: string) => Promise<RelyingParty | undefined> {
  let loaded = 0;
  let byId = new Map<string, RelyingParty>();
  return async (identifier) => {
    const now = Date.now();
    if (now - loaded > 10_000) {
      byId = new Map((await rps.list()).map((rp) => [rp.identifier, rp]));
      loaded = now;
    }
    return byId.get(identifier);
  };
}
