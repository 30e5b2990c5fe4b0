/**
 * Proves the client installs light: packs `packages/psso-wstrust` (built first: `npm run build`),
 * installs the tarball into a temporary folder as a user would (`npm install --omit=dev
 * --ignore-scripts --prefer-offline`), prints the size of `node_modules` and the number of
 * packages in it, checks that no server-only package came along, and imports `psso-wstrust` and
 * `psso-wstrust/psso` from there.
 *
 * Exit codes: 0 light and importable; 1 a server-only package was installed or an import failed.
 *
 * @example
 * ```sh
 * npm run build && node --import tsx scripts/workspaces/install-light.ts
 * ```
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLIENT = fileURLToPath(new URL('../../packages/psso-wstrust', import.meta.url));
const SERVER_ONLY = [
  'fastify',
  'better-sqlite3',
  'ioredis',
  'pg',
  '@peculiar/x509',
  'reflect-metadata',
  'commander',
];

/** Bytes of every file under `dir`. */
function size(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) total += size(path);
    else if (e.isFile()) total += statSync(path).size;
  }
  return total;
}

/** Installed package names (scoped ones as `@scope/name`), nested copies included. */
function packages(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) {
      for (const sub of readdirSync(join(dir, name))) visit(join(dir, name, sub), `${name}/${sub}`);
    } else visit(join(dir, name), name);
  }
  function visit(path: string, name: string): void {
    out.push(name);
    const nested = join(path, 'node_modules');
    try {
      if (statSync(nested).isDirectory()) packages(nested, out);
    } catch {
      // no nested node_modules
    }
  }
  return out;
}

async function main(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'psso-light-'));
  try {
    const tarball = execFileSync('npm', ['pack', '--pack-destination', work, '--ignore-scripts'], {
      cwd: CLIENT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split('\n')
      .pop();
    const app = join(work, 'app');
    execFileSync('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), '{"name":"app","version":"1.0.0","type":"module"}');
    execFileSync(
      'npm',
      [
        'install',
        '--omit=dev',
        '--ignore-scripts',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        join(work, tarball ?? ''),
      ],
      { cwd: app, stdio: 'inherit' },
    );
    const modules = join(app, 'node_modules');
    const installed = packages(modules);
    console.log(
      `node_modules: ${(size(modules) / 1e6).toFixed(1)} MB, ${installed.length} packages: ${installed.sort().join(', ')}`,
    );
    const heavy = installed.filter((p) => SERVER_ONLY.includes(p));
    if (heavy.length > 0) {
      console.error(`server-only packages installed: ${heavy.join(', ')}`);
      return 1;
    }
    writeFileSync(
      join(app, 'try.mjs'),
      [
        "const a = await import('psso-wstrust');",
        "const b = await import('psso-wstrust/psso');",
        "console.log('imported psso-wstrust (%d names) and psso-wstrust/psso (%d names)', Object.keys(a).length, Object.keys(b).length);",
        'await a.closeHttpAgents();',
        '',
      ].join('\n'),
    );
    execFileSync(process.execPath, ['try.mjs'], {
      cwd: app,
      stdio: 'inherit',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();
