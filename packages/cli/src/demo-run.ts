/**
 * The `demo` command's work, with no outside services. Starts two reference IdPs in-process on
 * ephemeral ports (IdP 1: a federated and a managed domain, its relying party SAML 1.1; IdP 2: its
 * relying party SAML 2.0), registers a fresh device at both, and runs every login method of
 * `demo-methods.ts` (docs/PLATFORM-SSO.md §1, §3.6–§3.8), showing each step, then a table: method,
 * result, time, detail. Exit 0 only if all succeed.
 *
 * @module
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SamlVersion } from 'psso-wstrust';
import { PssoError } from 'psso-wstrust';
import type { PssoStep } from 'psso-wstrust/psso';
import { generateDeviceKeys } from 'psso-wstrust/psso';
import { DEFAULT_CONFIG, type RunningIdp, silentLogger, startIdp } from 'psso-wstrust-idp';
import { err as pc } from './colors.js';
import { DEMO_METHODS } from './demo-methods.js';
import { prepareSavedDemo, printSavedDemo } from './demo-save.js';
import { DEMO_SAML2_URN, demoWorld, enrolDemoDevice, enrolDemoExtras } from './demo-world.js';
import { errorFields, formatErrorText } from './error-report.js';
import { done, printJson, progress } from './output.js';

/** One row of the summary (`runs[]` in `--json`). */
export interface DemoRow {
  /** The row's name (`DEMO_METHODS[].name`). */
  run: string;
  /** The shared method's id (`password`, `federated`, `refresh`…). */
  method: string;
  result: 'ok' | 'failed';
  ms: number;
  detail: string;
  samlVersion?: SamlVersion;
  steps: readonly PssoStep[];
}

/** The `demo` flags. */
export interface DemoFlags {
  json?: boolean;
  /** Keep the first IdP's data, a login configuration and registered keys in this folder. */
  saveConfig?: string;
}

/** Runs the demo; sets process.exitCode. */
export async function runDemo(flags: DemoFlags): Promise<void> {
  const json = flags.json === true;
  const saved =
    flags.saveConfig === undefined ? undefined : await prepareSavedDemo(flags.saveConfig);
  const dirs = [
    saved?.idpData ?? mkdtempSync(join(tmpdir(), 'psso-demo-')),
    mkdtempSync(join(tmpdir(), 'psso-demo-')),
  ];
  const idps: RunningIdp[] = [];
  try {
    const [dir1, dir2] = dirs as [string, string];
    const idp = await startIdp({ dataDir: dir1, logger: silentLogger });
    idps.push(idp);
    const idp2 = await startIdp({
      dataDir: dir2,
      logger: silentLogger,
      config: {
        ...DEFAULT_CONFIG,
        relyingParties: [{ identifier: DEMO_SAML2_URN, samlVersion: '2.0' }],
      },
    });
    idps.push(idp2);
    const keys = saved === undefined ? generateDeviceKeys() : await saved.deviceKeys();
    const managed = {
      upn: 'bob@managed.example',
      password: `demo-${Math.random().toString(36).slice(2)}`,
    };
    await enrolDemoDevice(dir1, keys, managed);
    await enrolDemoDevice(dir2, keys);
    if (!json)
      done(
        `reference IdPs on ${idp.origin} and ${idp2.origin}, device ${keys.signing.kid} registered`,
      );
    const extras = await enrolDemoExtras(dir1, keys, managed);
    const world = demoWorld(idp, idp2, extras, managed, (s) => {
      if (!json) done(`  ${s.step.padEnd(17)} ${String(s.ms).padStart(7)} ms  ${s.detail}`);
    });
    // Hooks that need the configurations (e.g. saving one) go here: `world.configs`.
    const rows: DemoRow[] = [];
    for (const entry of DEMO_METHODS) {
      if (!json) progress(pc.bold(entry.name));
      const t0 = performance.now();
      const row = { run: entry.name, method: entry.method.id };
      try {
        const r = await entry.run(world);
        const ms = Math.round(performance.now() - t0);
        if (r.skippedBecause !== undefined)
          rows.push({ ...row, result: 'failed', ms, detail: r.skippedBecause, steps: r.steps });
        else
          rows.push({
            ...row,
            result: 'ok',
            ms,
            detail: r.detail,
            ...(r.samlVersion === undefined ? {} : { samlVersion: r.samlVersion }),
            steps: r.steps,
          });
      } catch (e) {
        const code = (e as { code?: string }).code ?? 'error';
        rows.push({
          ...row,
          result: 'failed',
          ms: Math.round(performance.now() - t0),
          detail: code,
          steps: [],
        });
        if (!json) {
          process.stderr.write(`${pc.red('✗')} ${entry.name}: ${code}\n`);
          // The same cause, details and remediation as any other command's error.
          if (e instanceof PssoError)
            for (const line of formatErrorText(errorFields(e))) process.stderr.write(`  ${line}\n`);
        }
      }
    }
    const ok = rows.every((r) => r.result === 'ok');
    const savedInfo = await saved?.finish(idp);
    if (json)
      printJson({
        ok,
        idp: idp.origin,
        idps: [idp.origin, idp2.origin],
        runs: rows,
        ...(savedInfo && { saved: savedInfo }),
      });
    else {
      console.log(`\n${'method'.padEnd(25)} ${'result'.padEnd(8)} ${'time'.padEnd(8)} detail`);
      for (const r of rows)
        console.log(
          `${r.run.padEnd(25)} ${r.result.padEnd(8)} ${`${r.ms} ms`.padEnd(8)} ${r.detail}`,
        );
    }
    if (savedInfo !== undefined && !json) printSavedDemo(savedInfo);
    process.exitCode = ok ? 0 : 1;
  } finally {
    for (const i of idps) await i.close();
    for (const d of dirs) if (d !== saved?.idpData) rmSync(d, { recursive: true, force: true });
  }
}
