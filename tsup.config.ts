import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

/**
 * One entry per public subpath, read from package.json's `exports` (the one list to edit): `.`
 * is src/index.ts, `./<name>` is src/<name>/index.ts and builds dist/<name>.{js,cjs,d.ts}. The
 * CLI is the `bin`.
 */
function entries(): Record<string, string> {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
    exports: Record<string, unknown>;
  };
  const out: Record<string, string> = { cli: 'src/cli/main.ts' };
  for (const subpath of Object.keys(pkg.exports)) {
    if (subpath === './package.json') continue;
    if (subpath === '.') out.index = 'src/index.ts';
    else out[subpath.slice(2)] = `src/${subpath.slice(2)}/index.ts`;
  }
  return out;
}

export default defineConfig({
  entry: entries(),
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // Shared code goes to chunks, so that each subpath uses the same classes as the main entry.
  splitting: true,
  // `import.meta.url` (read in src/register/) is the file's URL in the CJS build too.
  shims: true,
});
