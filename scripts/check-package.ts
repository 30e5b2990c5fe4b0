/**
 * Checks what `npm publish` would ship, for every package of the repository (the root package, and
 * each workspace once there are several): publint (strict), @arethetypeswrong/cli (ESM-only
 * profile: the packages are ESM and need Node >= 20.19), and this script's own rules on the packed
 * file list:
 *
 * - a LICENSE and a README are shipped;
 * - no test, fixture, script or benchmark file is shipped;
 * - every shipped source map resolves each of its `sources` to a file that is shipped too (a map
 *   pointing at an unshipped `src/*.ts` breaks debuggers and "go to definition");
 * - every `exports` target is shipped.
 *
 * Build first (`npm run build`): the packed list is what is on disk now.
 *
 * Exit codes: 0 every package passes; 1 a rule failed (each failure is printed); 2 misuse.
 *
 * @example
 * ```sh
 * npm run build && node --import tsx scripts/check-package.ts
 * ```
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** One packed file, as `npm pack --dry-run --json` lists it. */
interface PackedFile {
  readonly path: string;
}

/** The package folders to check: the root, or its workspaces when it has them. */
function packageDirs(): string[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    workspaces?: string[];
  };
  if (manifest.workspaces === undefined) return [ROOT];
  const listed = execFileSync('npm', ['query', '.workspace', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return (JSON.parse(listed) as { path: string; private?: boolean }[])
    .filter((w) => w.private !== true)
    .map((w) => w.path);
}

/** The files `npm pack` would put in the tarball of the package in `dir`. */
function packedFiles(dir: string): Set<string> {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [result] = JSON.parse(out) as { files: PackedFile[] }[];
  if (result === undefined) throw new TypeError(`npm pack listed nothing in ${dir}`);
  return new Set(result.files.map((f) => normalize(f.path)));
}

/**
 * The one export condition whose targets are not shipped: `psso-source` points the workspace's
 * own tests and benchmarks (run with `--conditions=psso-source`) at the TypeScript sources. A
 * consumer never sets it, so it must not be the only way to a file; every other condition's
 * target must be shipped.
 */
export const SOURCE_CONDITION = 'psso-source';

/**
 * Export targets (strings anywhere in the `exports` tree), as package-relative paths; the
 * {@link SOURCE_CONDITION} branch is checked apart: it must name a `./src/**.ts` file that exists.
 */
function exportTargets(exportsField: unknown, dir: string, failures: string[]): string[] {
  if (typeof exportsField === 'string') return [normalize(exportsField)];
  if (exportsField === null || typeof exportsField !== 'object') return [];
  return Object.entries(exportsField).flatMap(([key, value]) => {
    if (key !== SOURCE_CONDITION) return exportTargets(value, dir, failures);
    if (
      typeof value !== 'string' ||
      !/^\.\/src\/.+\.ts$/.test(value) ||
      !existsSync(join(dir, value))
    )
      failures.push(
        `${SOURCE_CONDITION} target ${String(value)} is not an existing ./src/*.ts file`,
      );
    return [];
  });
}

/** This script's own rules; returns one line per failure. */
function fileRules(dir: string, files: Set<string>): string[] {
  const failures: string[] = [];
  if (![...files].some((f) => /^LICENSE/i.test(f))) failures.push('no LICENSE is shipped');
  if (![...files].some((f) => /^README/i.test(f))) failures.push('no README is shipped');
  for (const f of files) {
    if (/^(test|tests|bench|scripts|fixtures)\//.test(f) || /\.test\.[cm]?[jt]s$/.test(f))
      failures.push(`${f} is shipped but is not part of the library`);
    if (!f.endsWith('.map')) continue;
    const map = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
      sources?: string[];
      sourceRoot?: string;
    };
    for (const source of map.sources ?? []) {
      const target = normalize(join(dirname(f), map.sourceRoot ?? '', source));
      if (!files.has(target))
        failures.push(`${f} points at ${target}, which is not shipped (ship it or drop the map)`);
    }
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports?: unknown;
    bin?: string | Record<string, string>;
  };
  const bins =
    typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  for (const target of [
    ...exportTargets(manifest.exports, dir, failures),
    ...bins.map((b) => normalize(b)),
  ])
    if (!files.has(target)) failures.push(`${target} (an export or bin) is not shipped`);
  return failures;
}

/** Runs a checker from node_modules/.bin; returns its failure line, or undefined when it passed. */
function tool(dir: string, name: string, args: string[]): string | undefined {
  try {
    execFileSync(NPX, ['--no-install', name, ...args], { cwd: dir, stdio: 'inherit' });
    return undefined;
  } catch {
    return `${name} ${args.join(' ')} failed (its output is above)`;
  }
}

function main(): number {
  if (process.argv.length > 2) {
    console.error('usage: node --import tsx scripts/check-package.ts');
    return 2;
  }
  let failed = 0;
  for (const dir of packageDirs()) {
    const name = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string })
      .name;
    const failures = [
      ...fileRules(dir, packedFiles(dir)),
      tool(dir, 'publint', ['--strict']),
      tool(dir, 'attw', ['--pack', '.', '--profile', 'esm-only', '--format', 'table-flipped']),
    ].filter((f): f is string => f !== undefined);
    const where = relative(ROOT, dir) || '.';
    if (failures.length === 0) console.log(`package ${name} (${where}): ok`);
    for (const f of failures) console.error(`package ${name} (${where}): ${f}`);
    failed += failures.length;
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
