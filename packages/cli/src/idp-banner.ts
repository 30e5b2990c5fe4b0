/**
 * What `psso-wstrust idp` prints once it listens: every endpoint (MEX, user realm, both STS
 * endpoints, the Platform SSO endpoints, health and metrics) and the files an operator needs, as
 * text for people or as one JSON line (`--json`) for scripts.
 *
 * @module
 */
import type { IdpEndpoints } from 'psso-wstrust-idp';
import { err as pc } from './colors.js';

/** What a start reports (the JSON line's fields; `mexUrl`…`demoUser` kept for compatibility). */
export interface IdpStartInfo {
  readonly mexUrl: string;
  readonly realmUrl: string;
  readonly sts13Url: string;
  readonly sts2005Url: string;
  readonly caFile: string;
  readonly signingCertFile: string;
  readonly adminTokenFile: string;
  readonly dataDir: string;
  /** The PostgreSQL database holding the state (password shown as `***`); absent: SQLite. */
  readonly database?: string;
  readonly demoUser: { readonly upn: string; readonly password: string | undefined };
  readonly origin: string;
  readonly port: number | undefined;
  readonly endpoints: IdpEndpoints;
  readonly tlsCertFile: string;
  readonly tlsGenerated: boolean;
  readonly caReplaced: boolean;
  readonly workers?: number;
}

/**
 * The start information of an IdP at `origin`.
 *
 * @example
 * ```ts
 * printStartInfo(startInfo({ ...files, endpoints: idp.endpoints, origin: idp.origin }), false);
 * ```
 */
export function startInfo(
  o: Omit<IdpStartInfo, 'mexUrl' | 'realmUrl' | 'sts13Url' | 'sts2005Url'>,
): IdpStartInfo {
  return {
    mexUrl: o.endpoints.mex,
    realmUrl: o.endpoints.userRealm,
    sts13Url: o.endpoints.sts13,
    sts2005Url: o.endpoints.sts2005,
    ...o,
  };
}

/**
 * Prints the start information: one JSON line on stdout with `json`, else a banner.
 *
 * @example
 * ```ts
 * printStartInfo(info, flags.json === true);
 * ```
 */
export function printStartInfo(info: IdpStartInfo, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(info)}\n`);
    return;
  }
  const w = (s: string) => process.stdout.write(`${s}\n`);
  const e = info.endpoints;
  const workers = info.workers === undefined ? '' : ` (${info.workers} workers)`;
  w(pc.bold(`psso-wstrust reference IdP listening on ${info.origin}${workers}`));
  w(`  MEX:                 ${e.mex}`);
  w(`  user realm:          ${e.userRealm}<user>`);
  w(`  user realm (query):  ${e.userRealmPreauth}&user=<user>`);
  w(`  STS WS-Trust 1.3:    ${e.sts13}`);
  w(`  STS WS-Trust 2005:   ${e.sts2005}`);
  w(`  Platform SSO nonce:  ${e.pssoNonce}`);
  w(`  Platform SSO token:  ${e.pssoToken}`);
  w(`  Platform SSO JWKS:   ${e.pssoJwks}`);
  w(`  device registration: ${e.pssoDevices}  (admin token)`);
  w(`  PSSO configuration:  ${e.pssoConfiguration}  (psso init --idp)`);
  w(`  health:              ${e.health}`);
  w(`  metrics:             ${e.metrics}`);
  if (info.tlsGenerated) w(`  CA for clients:      ${info.caFile}`);
  else w(`  TLS certificate:     ${info.tlsCertFile}  (--tls-cert: clients trust its issuer)`);
  w(`  token signing cert:  ${info.signingCertFile}`);
  w(`  admin token file:    ${info.adminTokenFile}`);
  w(`  data folder:         ${info.dataDir}`);
  if (info.database !== undefined) w(`  database:            ${info.database}`);
  if (info.demoUser.password !== undefined) {
    w(
      `  demo user:           ${info.demoUser.upn}  password: ${info.demoUser.password}  (shown once)`,
    );
  } else {
    w(`  demo user:           ${info.demoUser.upn} (password shown when it was created)`);
  }
  if (info.caReplaced)
    w(
      pc.yellow(
        pc.bold(
          `  WARNING: a new local CA was made for a new TLS name: give every client the new ${info.caFile}`,
        ),
      ),
    );
  w('');
  const ca = info.tlsGenerated ? ` --ca ${info.caFile}` : '';
  w(
    `Try: psso-wstrust login --mex ${e.mex} --urn urn:federation:MicrosoftOnline --username ${info.demoUser.upn}${ca}`,
  );
  w('Stop with Ctrl-C.');
}
