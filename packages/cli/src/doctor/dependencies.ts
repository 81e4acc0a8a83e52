import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** An import of a package its own package.json does not declare (it works only by hoisting luck, until it does not). */
export interface UndeclaredImport {
  package: string;
  file: string;
  specifier: string;
}

const builtins = new Set(builtinModules.flatMap((m) => [m, m.split('/')[0] ?? m]));
const sourceFile = /\.(?:[cm]?[jt]s|tsx|jsx)$/;
const skipped = new Set(['node_modules', 'dist', 'coverage', '.turbo']);

/** The workspace package folders named by pnpm-workspace.yaml (`dir` or `dir/*` entries). */
export function workspacePackages(root: string): string[] {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const section = yaml.split(/^packages:\s*$/m)[1]?.split(/^\S/m)[0] ?? '';
  const globs = [...section.matchAll(/^\s+-\s+['"]?([^'"\s]+)['"]?/gm)].map((m) => m[1] ?? '');
  const dirs = globs.flatMap((glob) =>
    glob.endsWith('/*')
      ? existsSync(join(root, glob.slice(0, -2)))
        ? readdirSync(join(root, glob.slice(0, -2)), { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .map((e) => join(glob.slice(0, -2), e.name))
        : []
      : [glob],
  );
  return ['.', ...dirs.filter((dir) => existsSync(join(root, dir, 'package.json')))];
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`; relative, absolute, builtin and virtual ids → undefined. */
export function packageOf(specifier: string): string | undefined {
  if (/^[./]|^[a-z]+:/.test(specifier) || specifier.includes('*')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  if (!name || builtins.has(name)) return undefined;
  return name;
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skipped.has(entry.name) || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    // A folder with its own package.json is another package (a workspace member below the root).
    if (entry.isDirectory() && !existsSync(join(path, 'package.json'))) yield* sourceFiles(path);
    else if (entry.isFile() && sourceFile.test(entry.name)) yield path;
  }
}

/** Test files run under the root's vitest, so they may also use what the root declares. */
const isTest = (file: string) => /\.test\.[cm]?[jt]sx?$/.test(file) || file.split(sep).includes('test');

/** The module specifiers a file imports, exports from, require()s or import()s (the TypeScript scanner, not a regex). */
export function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

const declaredBy = (manifest: Record<string, unknown>) => {
  const declared = new Set<string>([String(manifest.name)]);
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'])
    for (const name of Object.keys((manifest[field] as Record<string, string> | undefined) ?? {})) declared.add(name);
  return declared;
};
const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;

/** Every bare import in a package's sources that its package.json (dependencies of any kind) does not declare. */
export function undeclaredImports(packageDir: string, options: { workspaceRoot?: string } = {}): UndeclaredImport[] {
  const declared = declaredBy(readManifest(packageDir));
  const forTests = options.workspaceRoot ? declaredBy(readManifest(options.workspaceRoot)) : new Set<string>();
  const found: UndeclaredImport[] = [];
  for (const file of sourceFiles(packageDir)) {
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      const name = packageOf(specifier);
      if (!name || declared.has(name) || (isTest(relative(packageDir, file)) && forTests.has(name))) continue;
      found.push({ package: name, file: relative(packageDir, file), specifier });
    }
  }
  return found;
}
