/**
 * The built CLI (`packages/cli/dist/main.js`) as the benchmarks start it: a real user's process,
 * so without the `psso-source` export condition the npm scripts put in NODE_OPTIONS (with it,
 * plain node would be sent to the TypeScript sources and fail).
 *
 * @example
 * ```ts
 * spawn(process.execPath, [BUILT_CLI, 'idp', '--json'], { env: builtCliEnv() });
 * ```
 */
import { fileURLToPath } from 'node:url';

/** Path of the built CLI entry. */
export const BUILT_CLI = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

/** This process's environment with the source condition taken out of NODE_OPTIONS. */
export function builtCliEnv(): NodeJS.ProcessEnv {
  const options = (process.env.NODE_OPTIONS ?? '')
    .split(/\s+/)
    .filter((o) => o !== '' && o !== '--conditions=psso-source')
    .join(' ');
  return { ...process.env, NODE_OPTIONS: options };
}
