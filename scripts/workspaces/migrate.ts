/**
 * Moves the single package into three npm workspaces (issue 10 §2), re-runnably:
 *
 * - `src/idp/**` → `packages/idp/src/**` (psso-wstrust-idp), `src/cli/**` → `packages/cli/src/**`
 *   (psso-wstrust-cli), the rest of `src/**` → `packages/psso-wstrust/src/**` (psso-wstrust),
 *   `schema/` → `packages/psso-wstrust/schema/`; all with `git mv`, so history follows.
 * - Inside the packages, a relative import that crosses a package boundary becomes an import of
 *   the package subpath that exports the symbol: the client's `.` when its entry already exports
 *   it, else the subpath named after the module's top folder (`psso-wstrust/xml`, `…/protocol`,
 *   `…/jose`, …; `errors.ts` goes through `.`), whose `index.ts` gets an explicit named
 *   re-export (created, or appended to). The CLI's imports of the IdP go to `psso-wstrust-idp`
 *   when its entry exports the symbol, else to `psso-wstrust-idp/admin` (`src/admin.ts`).
 * - In `test/`, `bench/` and `scripts/`, every relative string that points into the old `src/`
 *   (imports, `new URL(…)`, dynamic `import(…)`) is rewritten to the new place.
 *
 * Re-running: the mapping works from the old paths, so run it on a tree where `src/` still holds
 * the files (a later branch landing on the old layout: merge it, then run this again; files
 * already moved are left alone and files still under `src/` are moved and rewritten).
 *
 * @example
 * ```sh
 * node --import tsx scripts/workspaces/migrate.ts          # move and rewrite
 * node --import tsx scripts/workspaces/migrate.ts --dry    # print the plan only
 * ```
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DRY = process.argv.includes('--dry');

type Pkg = 'client' | 'idp' | 'cli';
const PKG_DIR: Record<Pkg, string> = {
  client: 'packages/psso-wstrust',
  idp: 'packages/idp',
  cli: 'packages/cli',
};
const PKG_NAME: Record<Pkg, string> = {
  client: 'psso-wstrust',
  idp: 'psso-wstrust-idp',
  cli: 'psso-wstrust-cli',
};

/** Old repository path (`src/x/y.ts`) → new one. */
function newPath(old: string): string {
  if (old.startsWith('src/idp/')) return `${PKG_DIR.idp}/src/${old.slice('src/idp/'.length)}`;
  if (old.startsWith('src/cli/')) return `${PKG_DIR.cli}/src/${old.slice('src/cli/'.length)}`;
  if (old.startsWith('src/')) return `${PKG_DIR.client}/${old}`;
  if (old.startsWith('schema/')) return `${PKG_DIR.client}/${old}`;
  return old;
}

/** Which package a new path belongs to, if any. */
function pkgOf(path: string): Pkg | undefined {
  for (const p of Object.keys(PKG_DIR) as Pkg[]) if (path.startsWith(`${PKG_DIR[p]}/`)) return p;
  return undefined;
}

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(join(ROOT, dir))) return out;
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = posix.join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) walk(rel, out);
    else out.push(rel);
  }
  return out;
}

function git(...args: string[]): void {
  if (DRY) console.log(`git ${args.join(' ')}`);
  else execFileSync('git', args, { cwd: ROOT, stdio: 'inherit' });
}

// ---- 1. the moves --------------------------------------------------------------------------
const oldFiles = [...walk('src'), ...walk('schema')];
/** new path → old path, for every file moved now. */
const movedFrom = new Map<string, string>();
for (const old of oldFiles) {
  const to = newPath(old);
  movedFrom.set(to, old);
  if (!DRY) mkdirSync(dirname(join(ROOT, to)), { recursive: true });
  git('mv', old, to);
}
/** old path → new path, also for files moved by an earlier run. */
function oldToNew(old: string): string {
  return newPath(old);
}
/** A new path → the old path it had (for files moved in earlier runs too). */
function newToOld(path: string): string {
  const p = pkgOf(path);
  if (p === 'idp') return `src/idp/${path.slice(`${PKG_DIR.idp}/src/`.length)}`;
  if (p === 'cli') return `src/cli/${path.slice(`${PKG_DIR.cli}/src/`.length)}`;
  if (p === 'client') return path.slice(`${PKG_DIR.client}/`.length);
  return path;
}

if (DRY) process.exit(0);

// ---- 2. rewrite imports inside the packages ------------------------------------------------
/** `index.ts` of the client subpaths that the other packages import: file → name → typeOnly. */
const needed = new Map<string, Map<string, Map<string, boolean>>>();
/** Same for the IdP's admin entry. */
const adminNeeded = new Map<string, Map<string, boolean>>();

/** Names an index file already exports (a rough parse of `export { … } from` blocks). */
function exportedNames(file: string): Set<string> {
  if (!existsSync(join(ROOT, file))) return new Set();
  const text = readFileSync(join(ROOT, file), 'utf8');
  const names = new Set<string>();
  for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g))
    for (const part of (m[1] ?? '').split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name) names.add(name);
    }
  for (const m of text.matchAll(
    /export\s+(?:async\s+)?(?:function|const|class|interface|type)\s+(\w+)/g,
  ))
    names.add(m[1] ?? '');
  return names;
}

const CLIENT_ROOT_INDEX = `${PKG_DIR.client}/src/index.ts`;
const IDP_INDEX = `${PKG_DIR.idp}/src/index.ts`;
const rootExports = exportedNames(CLIENT_ROOT_INDEX);
const idpExports = exportedNames(IDP_INDEX);

/** The client subpath (`''` for `.`) whose index should carry a module's symbols. */
function clientGroup(oldTarget: string): string {
  const rest = oldTarget.slice('src/'.length);
  // errors.ts helpers the entry does not export (peer-text sanitizing, the IdP request error)
  // and the time format go with their kin rather than widening `.`.
  if (rest === 'errors.ts') return 'lib';
  if (rest === 'lib/time.ts') return 'protocol';
  if (!rest.includes('/')) return '';
  return rest.split('/')[0] ?? '';
}

interface Binding {
  readonly imported: string;
  readonly typeOnly: boolean;
}

function parseBindings(clause: string, wholeType: boolean): Binding[] | undefined {
  const m = /^\{([^}]*)\}$/.exec(clause.trim());
  if (m === null) return undefined;
  return (m[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const typeOnly = wholeType || s.startsWith('type ');
      const imported =
        s
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0]
          ?.trim() ?? '';
      return { imported, typeOnly };
    });
}

function note(map: Map<string, Map<string, boolean>>, file: string, b: Binding): void {
  const names = map.get(file) ?? new Map<string, boolean>();
  map.set(file, names);
  const was = names.get(b.imported);
  names.set(b.imported, was === undefined ? b.typeOnly : was && b.typeOnly);
}

/** Resolves a relative `.js` specifier of the file at new path `from` to the target's OLD path. */
function oldTargetOf(fromNew: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const fromOld = newToOld(fromNew);
  const joined = posix.normalize(posix.join(posix.dirname(fromOld), spec));
  return joined.replace(/\.js$/, '.ts');
}

const packageFiles = Object.values(PKG_DIR)
  .flatMap((d) => walk(`${d}/src`))
  .filter((f) => f.endsWith('.ts'));

/** Names a cross-package dynamic `import(…)` needs, read from the code around it. */
const DYNAMIC_NAMES: Record<string, string[]> = {
  'src/check/grade.ts': ['buildReport', 'grade'],
  'src/check/record.ts': ['rawFromRecorded'],
};
function dynamicBindings(
  text: string,
  offset: number,
  length: number,
  oldTarget: string,
): Binding[] | undefined {
  const before = text.slice(Math.max(0, offset - 200), offset);
  const after = text.slice(offset + length, offset + length + 80);
  const destructured = /\{([^{}]*)\}\s*=\s*await\s*$/.exec(before);
  if (destructured !== null) return parseBindings(`{${destructured[1]}}`, false);
  const member = /^\)\.(\w+)/.exec(after);
  if (member !== null && /\(\s*await\s*$/.test(before))
    return [{ imported: member[1] ?? '', typeOnly: false }];
  const typeQuery = /^\.(\w+)/.exec(after);
  if (typeQuery !== null) return [{ imported: typeQuery[1] ?? '', typeOnly: true }];
  const listed = DYNAMIC_NAMES[oldTarget];
  return listed?.map((imported) => ({ imported, typeOnly: false }));
}

const IMPORT_RE =
  /^(import|export)(\s+type)?\s+([^;'"`]*?)\s+from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/gms;

for (const file of packageFiles) {
  const from = pkgOf(file);
  if (from === undefined) continue;
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out = text.replace(
    IMPORT_RE,
    (
      whole,
      kw: string,
      typeKw: string | undefined,
      clause: string,
      spec: string | undefined,
      dyn: string | undefined,
      offset: number,
    ) => {
      const s = spec ?? dyn ?? '';
      const oldTarget = oldTargetOf(file, s);
      if (oldTarget === undefined) return whole;
      const target = oldToNew(oldTarget);
      const to = pkgOf(target);
      if (to === undefined) throw new TypeError(`${file}: ${s} leaves the packages`);
      if (to === from) {
        const rel = posix.relative(posix.dirname(file), target).replace(/\.ts$/, '.js');
        const fixed = rel.startsWith('.') ? rel : `./${rel}`;
        return whole.replace(`'${s}'`, `'${fixed}'`);
      }
      const bindings =
        dyn !== undefined
          ? dynamicBindings(text, offset, whole.length, oldTarget)
          : parseBindings(clause, typeKw !== undefined);
      if (bindings === undefined) throw new TypeError(`${file}: cannot map "${whole}"`);
      let specifier: string;
      if (to === 'client') {
        const group = clientGroup(oldTarget);
        const index = `${PKG_DIR.client}/src/${group === '' ? '' : `${group}/`}index.ts`;
        const allInRoot = bindings.every((b) => rootExports.has(b.imported));
        if (allInRoot) specifier = PKG_NAME.client;
        else {
          const groupKey = group;
          const perFile = needed.get(groupKey) ?? new Map<string, Map<string, boolean>>();
          needed.set(groupKey, perFile);
          const existing = exportedNames(index);
          for (const b of bindings) if (!existing.has(b.imported)) note(perFile, target, b);
          specifier = group === '' ? PKG_NAME.client : `${PKG_NAME.client}/${group}`;
        }
      } else if (to === 'idp') {
        if (bindings.every((b) => idpExports.has(b.imported))) specifier = PKG_NAME.idp;
        else {
          for (const b of bindings) note(adminNeeded, target, b);
          specifier = `${PKG_NAME.idp}/admin`;
        }
      } else throw new TypeError(`${file}: imports the CLI (${s})`);
      return whole.replace(`'${s}'`, `'${specifier}'`).replace(kw, kw);
    },
  );
  if (out !== text) writeFileSync(join(ROOT, file), out);
}

/** Appends explicit named re-exports to an index (creating it with a header when absent). */
function writeIndex(
  index: string,
  perFile: Map<string, Map<string, boolean>>,
  header: string,
): void {
  const full = join(ROOT, index);
  const existing = exportedNames(index);
  let text = existsSync(full) ? readFileSync(full, 'utf8') : header;
  const lines: string[] = [];
  for (const [file, names] of [...perFile].sort(([a], [b]) => a.localeCompare(b))) {
    const fresh = [...names]
      .filter(([n]) => !existing.has(n))
      .sort(([a], [b]) => a.localeCompare(b));
    if (fresh.length === 0) continue;
    let rel = posix.relative(posix.dirname(index), file).replace(/\.ts$/, '.js');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    lines.push(
      `export { ${fresh.map(([n, t]) => (t ? `type ${n}` : n)).join(', ')} } from '${rel}';`,
    );
    for (const [n] of fresh) existing.add(n);
  }
  if (lines.length === 0) return;
  if (!text.endsWith('\n')) text += '\n';
  writeFileSync(full, `${text}${lines.join('\n')}\n`);
}

for (const [group, perFile] of needed) {
  const index = `${PKG_DIR.client}/src/${group === '' ? '' : `${group}/`}index.ts`;
  writeIndex(
    index,
    perFile,
    `/**\n * \`psso-wstrust/${group}\`: the ${group} part of the client library that the reference IdP\n * (psso-wstrust-idp) and the CLI (psso-wstrust-cli) build on. A deliberate, documented public\n * entry: every name is listed (no \`export *\`) and pinned by test/exports.test.ts.\n *\n * @example\n * \`\`\`ts\n * import * as ${group.replace(/-(\\w)/g, (_, c: string) => c.toUpperCase())} from 'psso-wstrust/${group}';\n * \`\`\`\n */\n`,
  );
}
writeIndex(
  `${PKG_DIR.idp}/src/admin.ts`,
  adminNeeded,
  "/**\n * `psso-wstrust-idp/admin`: what the CLI's admin commands (`idp users`, `idp keys`, `idp pki`,\n * `idp serve`, …) need from the reference IdP beyond `startIdp`: opening the state layer, users\n * and devices, the key bundle, the PKI, the configuration file and the cluster. Every name is\n * listed (no `export *`) and pinned by test/exports.test.ts.\n *\n * @example\n * ```ts\n * import { openIdpState } from 'psso-wstrust-idp/admin';\n * ```\n */\n",
);

// ---- 3. test/, bench/, scripts/: strings pointing into the old src/ ------------------------
const STRING_RE = /'((?:\.\.?\/)+(?:src|schema)\/[^']*)'/g;
for (const file of [...walk('test'), ...walk('bench'), ...walk('scripts')].filter((f) =>
  /\.(ts|mts|js)$/.test(f),
)) {
  if (file.startsWith('scripts/workspaces/')) continue;
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out = text.replace(STRING_RE, (whole, spec: string) => {
    const target = posix.normalize(posix.join(posix.dirname(file), spec));
    if (!/^(src|schema)\//.test(target)) return whole;
    const moved = oldToNew(target.replace(/\.js$/, '.ts'));
    const ext = target.endsWith('.js') ? moved.replace(/\.ts$/, '.js') : moved;
    let rel = posix.relative(posix.dirname(file), ext);
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return `'${rel}'`;
  });
  if (out !== text) writeFileSync(join(ROOT, file), out);
}

console.log(
  `moved ${movedFrom.size} files; client subpaths: ${[...needed.keys()].map((g) => g || '.').join(', ')}; admin names: ${[...adminNeeded.values()].reduce((n, m) => n + m.size, 0)}`,
);
void relative;
