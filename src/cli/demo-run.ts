/**
 * The `demo` command's work, with no outside services. Starts the reference IdP
 * in-process on an ephemeral port (a federated and a managed domain), registers a fresh device,
 * and runs a static WS-Trust login, a dynamic WS-Trust login, a managed password login and a
 * refresh, showing each step, then a summary. Exit 0 only if all succeed.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PssoError } from '../errors.js';
import { silentLogger } from '../idp/log.js';
import { startIdp } from '../idp/server.js';
import { openIdpStore } from '../idp/store/index.js';
import { parseLoginConfiguration } from '../psso/config/load.js';
import { resolveLoginConfiguration } from '../psso/config/types.js';
import { type PssoStep, pssoLogin, pssoRefresh } from '../psso/flow/login.js';
import { generateDeviceKeys, publicJwk } from '../psso/keys/device-keys.js';
import { err as pc } from './colors.js';
import { prepareSavedDemo, printSavedDemo } from './demo-save.js';
import { errorFields, formatErrorText } from './error-report.js';
import { done, printJson, progress } from './output.js';

interface Row {
  run: string;
  result: 'ok' | 'failed';
  ms: number;
  detail: string;
  steps: readonly PssoStep[];
}

/** Runs the demo; sets process.exitCode. */
export async function runDemo(flags: { json?: boolean; saveConfig?: string }): Promise<void> {
  const json = flags.json === true;
  const saved =
    flags.saveConfig === undefined ? undefined : await prepareSavedDemo(flags.saveConfig);
  const data = saved?.idpData ?? mkdtempSync(join(tmpdir(), 'psso-demo-'));
  const idp = await startIdp({ dataDir: data, logger: silentLogger });
  try {
    const keys = saved === undefined ? generateDeviceKeys() : await saved.deviceKeys();
    const managed = {
      upn: 'bob@managed.example',
      password: `demo-${Math.random().toString(36).slice(2)}`,
    };
    const store = openIdpStore(data);
    try {
      store.devices.add(
        'psso',
        publicJwk(keys.signing.publicKey),
        publicJwk(keys.encryption.publicKey),
      );
      await store.users.add(managed.upn, managed.password);
    } finally {
      store.close();
    }
    if (!json) done(`reference IdP on ${idp.origin}, device ${keys.signing.kid} registered`);
    const base = {
      clientID: 'psso',
      issuer: idp.origin,
      tokenEndpointURL: `${idp.origin}/psso/token`,
      jwksEndpointURL: `${idp.origin}/psso/jwks`,
      nonceEndpointURL: `${idp.origin}/psso/nonce`,
      refreshEndpointURL: `${idp.origin}/psso/token`,
      federationRequestURN: 'urn:federation:MicrosoftOnline',
      invalidCredentialPredicate:
        "error = 'invalid_grant' AND suberror != 'device_authentication_failed'",
    };
    const staticConfig = resolveLoginConfiguration(
      parseLoginConfiguration({ ...base, federationType: 'wsTrust', federationMEXURL: idp.mexUrl }),
    );
    const dynamicConfig = resolveLoginConfiguration(
      parseLoginConfiguration({
        ...base,
        federationType: 'dynamicWSTrust',
        federationUserPreauthenticationURL: `${idp.origin}/common/UserRealm?api-version=1.0`,
        federationMEXURLKeypath: 'federation_metadata_url',
        federationPredicate: "account_type = 'Federated'",
      }),
    );
    const http = { ca: idp.caPem };
    const demoUser = { upn: idp.demoUser.upn, password: idp.demoUser.password ?? '' };
    const rows: Row[] = [];
    let refreshToken = '';
    const run = async (
      name: string,
      fn: (
        onStep: (s: PssoStep) => void,
      ) => Promise<{ steps: readonly PssoStep[]; detail: string }>,
    ) => {
      if (!json) progress(pc.bold(name));
      const t0 = performance.now();
      try {
        const r = await fn((s) => {
          if (!json) done(`  ${s.step.padEnd(17)} ${String(s.ms).padStart(7)} ms  ${s.detail}`);
        });
        rows.push({
          run: name,
          result: 'ok',
          ms: Math.round(performance.now() - t0),
          detail: r.detail,
          steps: r.steps,
        });
      } catch (e) {
        const code = (e as { code?: string }).code ?? 'error';
        rows.push({
          run: name,
          result: 'failed',
          ms: Math.round(performance.now() - t0),
          detail: code,
          steps: [],
        });
        if (!json) {
          process.stderr.write(`${pc.red('✗')} ${name}: ${code}\n`);
          // The same cause, details and remediation as any other command's error.
          if (e instanceof PssoError)
            for (const line of formatErrorText(errorFields(e))) process.stderr.write(`  ${line}\n`);
        }
      }
    };
    await run('static WS-Trust login', async (onStep) => {
      const r = await pssoLogin({
        config: staticConfig,
        username: demoUser.upn,
        password: demoUser.password,
        keys,
        http,
        onStep,
      });
      refreshToken = r.response.refreshToken;
      return { steps: r.steps, detail: `federated, id_token sub ${String(r.idTokenClaims.sub)}` };
    });
    await run('dynamic WS-Trust login', async (onStep) => {
      const r = await pssoLogin({
        config: dynamicConfig,
        username: demoUser.upn,
        password: demoUser.password,
        keys,
        http,
        onStep,
      });
      return {
        steps: r.steps,
        detail: `${r.federated ? 'federated' : 'not federated'}, id_token sub ${String(r.idTokenClaims.sub)}`,
      };
    });
    await run('managed password login', async (onStep) => {
      const r = await pssoLogin({
        config: dynamicConfig,
        username: managed.upn,
        password: managed.password,
        keys,
        http,
        onStep,
      });
      return {
        steps: r.steps,
        detail: `${r.federated ? 'federated' : 'password'}, id_token sub ${String(r.idTokenClaims.sub)}`,
      };
    });
    await run('refresh', async (onStep) => {
      const r = await pssoRefresh({ config: staticConfig, keys, refreshToken, http, onStep });
      return { steps: r.steps, detail: `id_token sub ${String(r.idTokenClaims.sub)}` };
    });
    const ok = rows.every((r) => r.result === 'ok');
    const savedInfo = await saved?.finish(idp);
    if (json)
      printJson({ ok, idp: idp.origin, runs: rows, ...(savedInfo && { saved: savedInfo }) });
    else {
      console.log('\nstep                      result   time     detail');
      for (const r of rows)
        console.log(
          `${r.run.padEnd(25)} ${r.result.padEnd(8)} ${`${r.ms} ms`.padEnd(8)} ${r.detail}`,
        );
    }
    if (savedInfo !== undefined && !json) printSavedDemo(savedInfo);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await idp.close();
    if (saved === undefined) rmSync(data, { recursive: true, force: true });
  }
}
