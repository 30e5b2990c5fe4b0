/**
 * `check --config`: every login method of the shared table (`src/psso/methods.ts`,
 * docs/PLATFORM-SSO.md §1, §3.6–§3.12) run against the IdP with the configuration and device keys
 * given, in order, one session (a refresh uses the last login's refresh token), each graded
 * pass, fail (with its `PSSO_ERR_*` code) or skipped (with why: what the configuration or the run
 * does not give it). A new method in the table is graded with no change here.
 *
 * @module
 */
import type { HttpOptions } from '../http/options.js';
import type { ResolvedLoginConfiguration } from '../psso/config/types.js';
import type { DeviceKeys } from '../psso/keys/device-keys.js';
import {
  type MethodInputs,
  newMethodSession,
  PSSO_METHODS,
  type PssoMethod,
  runMethod,
} from '../psso/methods.js';
import type { MethodResult } from './report.js';

/** Options of {@link gradeMethods}. */
export interface GradeMethodsOptions {
  readonly config: ResolvedLoginConfiguration;
  readonly keys: DeviceKeys;
  readonly username: string;
  /** The credentials the methods may use (the password, a user key…). */
  readonly inputs: MethodInputs;
  readonly http?: HttpOptions;
  /** Called as each method starts. Never given a secret. */
  readonly onProgress?: (message: string) => void;
  /** The methods to run; default every method ({@link PSSO_METHODS}). */
  readonly methods?: readonly PssoMethod[];
}

/**
 * Runs and grades each method. Never throws for a failure of the IdP: that is a failed method.
 *
 * @example
 * ```ts
 * const methods = await gradeMethods({ config, keys, username, inputs: { password }, http: { ca } });
 * methods.filter((m) => m.status === 'fail').map((m) => `${m.id}: ${m.code}`);
 * ```
 */
export async function gradeMethods(o: GradeMethodsOptions): Promise<MethodResult[]> {
  const session = newMethodSession();
  const results: MethodResult[] = [];
  for (const method of o.methods ?? PSSO_METHODS) {
    o.onProgress?.(`login method: ${method.label}`);
    const r = await runMethod(method, {
      config: o.config,
      keys: o.keys,
      username: o.username,
      ...o.inputs,
      session,
      ...(o.http === undefined ? {} : { http: o.http }),
    });
    const status = r.result === 'ok' ? 'pass' : r.result === 'failed' ? 'fail' : 'skipped';
    results.push({
      id: r.id,
      label: r.label,
      status,
      durationMs: r.ms,
      needs: Object.entries(method.needs)
        .filter(([, v]) => v === true)
        .map(([k]) => k),
      detail: r.detail,
      ...(r.code === undefined ? {} : { code: r.code }),
      ...(status === 'skipped' ? { skippedBecause: r.detail } : {}),
      ...(r.samlVersion === undefined ? {} : { samlVersion: r.samlVersion }),
      steps: r.steps.map((s) => ({ step: s.step, ms: s.ms })),
    });
  }
  return results;
}
