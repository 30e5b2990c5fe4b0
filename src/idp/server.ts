/**
 * Starting the reference IdP: data folder (PKI, SQLite), replay and lockout stores (memory or
 * Redis), the STS pipeline, discovery routes, and the https server.
 *
 * @module
 */
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { DEFAULT_CONFIG, type IdpConfig } from './config.js';
import { type FaultInjection, faultsEnabled } from './faults/injection.js';
import { jsonLogger, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { workerId } from './metrics-cluster.js';
import { mexDocument, STS_PATHS } from './mex-document.js';
import { defaultDataDir, loadOrCreatePki } from './pki.js';
import { loadOrCreateAdminToken } from './psso/admin-token.js';
import { idTokenKey } from './psso/keys.js';
import { ServerNonceStore } from './psso/nonce-store.js';
import { RefreshTokenStore } from './psso/refresh-tokens.js';
import { inDomains } from './realm.js';
import { createReplayStores } from './replay/index.js';
import type { LockoutStore, ReplayCache } from './replay/types.js';
import { discoveryRoutes } from './routes/discovery.js';
import { pssoRoutes } from './routes/psso.js';
import { announceFaults, stsRoutes } from './routes/sts.js';
import { issueAssertion, unsignedAssertion } from './saml/index.js';
import { openIdpStore } from './store/index.js';
import type { RelyingParty } from './store/types.js';
import { CredentialCache } from './sts/credential-cache.js';
import type { StsDeps, StsSettings } from './sts/handle.js';
import { cachedLockout } from './sts/lockout-cache.js';

/** Options of {@link startIdp}. */
export interface IdpOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (an ephemeral port). */
  readonly port?: number;
  /** Default {@link defaultDataDir}. */
  readonly dataDir?: string;
  readonly config?: IdpConfig;
  /** Share replay and lockout state through Redis (several IdP processes). */
  readonly redisUrl?: string;
  readonly faults?: FaultInjection;
  readonly logger?: Logger;
  readonly clock?: () => Date;
  /** Create the demo user if absent (default true). */
  readonly demoUser?: boolean;
}

/** A running IdP. */
export interface RunningIdp {
  readonly origin: string;
  readonly mexUrl: string;
  readonly realmUrl: string;
  readonly sts13Url: string;
  readonly sts2005Url: string;
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
  const pki = await loadOrCreatePki(dataDir);
  const store = openIdpStore(dataDir);
  for (const rp of config.relyingParties) store.relyingParties.upsert(rp);
  const demo = options.demoUser === false ? { created: false } : await store.users.ensureDemoUser();
  const stores = await createReplayStores({
    ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
    logger: log,
  });
  const replay: ReplayCache = stores.replay;
  const lockout: LockoutStore = cachedLockout(stores.lockout ?? store.lockout);
  const metrics = new Metrics(workerId());
  const signing = { privateKey: pki.signingKey, certificateDer: pki.signingCertDer };
  const deps: StsDeps = {
    authenticate: (upn, password) => store.users.authenticate(upn, password),
    burnPasswordCheck: () => store.users.burnPasswordCheck(),
    relyingParty: cachedRelyingParties(store.relyingParties),
    issueAssertion: (params) => issueAssertion(params, signing),
    unsignedAssertion: (params) => unsignedAssertion(params),
    replay,
    lockout,
    credentials: new CredentialCache(config.credentialCacheSeconds * 1000),
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
      healthy: async () => (stores.ping === undefined ? true : stores.ping()),
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
    lockout: {
      threshold: config.lockout.threshold,
      windowMs: config.lockout.windowSeconds * 1000,
      lockoutMs: config.lockout.lockoutSeconds * 1000,
    },
    maxBodyBytes: config.maxBodyBytes,
    faults,
    clock,
  };
  stsRoutes(app, deps, settings, metrics, log);
  const nonces = new ServerNonceStore(store.database);
  const idKey = await idTokenKey(pki.signingKey);
  const admin = await loadOrCreateAdminToken(dataDir);
  pssoRoutes(
    app,
    nonces,
    {
      device: (kid) => store.devices.get(kid),
      nonces,
      user: (upn) => store.users.get(upn),
      authenticate: (upn, password) => store.users.authenticate(upn, password),
      isFederated: (upn) => inDomains(upn, config.federatedDomains),
      replay,
      refreshTokens: new RefreshTokenStore(store.database),
      idTokenKey: idKey,
      saml: {
        trustedCertificates: [pki.signingCertPem],
        trustedIssuers: () => [settings.issuer],
        audience: config.relyingParties[0]?.identifier ?? 'urn:federation:MicrosoftOnline',
      },
      issuer: () => origin,
      endpoint: () => `${origin}/psso/token`,
      clock,
      skewSeconds: config.clockSkewSeconds,
    },
    idKey,
    metrics,
    log,
    admin,
    store.devices,
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
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  origin = `https://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  if (faultsEnabled(faults)) announceFaults(faults, log);
  log.log('info', 'idp.started', { origin, dataDir, redis: options.redisUrl !== undefined });
  return {
    origin,
    mexUrl: `${origin}${STS_PATHS.mex}`,
    realmUrl: `${origin}/common/userrealm/`,
    sts13Url: `${origin}${STS_PATHS.usernamemixed13}`,
    sts2005Url: `${origin}${STS_PATHS.usernamemixed2005}`,
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
      await replay.close();
      if (stores.lockout !== undefined) await stores.lockout.close();
      store.close();
    },
  };
}

/** Relying parties change rarely: read them from the database at most every 10 s. */
function cachedRelyingParties(rps: {
  list(): RelyingParty[];
}): (identifier: string) => RelyingParty | undefined {
  let loaded = 0;
  let byId = new Map<string, RelyingParty>();
  return (identifier) => {
    const now = Date.now();
    if (now - loaded > 10_000) {
      byId = new Map(rps.list().map((rp) => [rp.identifier, rp]));
      loaded = now;
    }
    return byId.get(identifier);
  };
}
