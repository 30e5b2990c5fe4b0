/**
 * Finding a real tool the tests need (redis-server, chromium) and deciding what its absence means:
 * a clear skip locally, a failure under CI (`CI=true`), where `.ci/run` installs it.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The first executable of `explicit` (e.g. `$REDIS_SERVER`), then each of `names` on PATH. */
export function findExecutable(
  explicit: readonly (string | undefined)[],
  names: readonly string[],
): string | undefined {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .flatMap((dir) => names.map((name) => join(dir, name)));
  for (const file of [...explicit.filter((f) => f !== undefined), ...onPath]) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // next
    }
  }
  return undefined;
}

/**
 * `false` when the tool was found; otherwise the reason to give node:test's `skip`. Under CI a
 * missing tool throws: a test CI does not run is a failure.
 */
export function toolSkip(
  path: string | undefined,
  tool: { readonly name: string; readonly install: string; readonly skipped: string },
): string | false {
  if (path !== undefined) return false;
  if (process.env.CI === 'true')
    throw new Error(`${tool.name} is not installed, and CI=true: install it (${tool.install})`);
  return `${tool.name} not installed (${tool.install}): ${tool.skipped}`;
}
