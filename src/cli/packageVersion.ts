import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'stepmark-otel';

/**
 * The file this code runs from, read from the V8 stack: `import.meta.url` would do in ESM, but
 * this file is also built as CommonJS, where esbuild leaves `import.meta` empty (and warns).
 */
function ownFile(): string | undefined {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 1;
    Error.prepareStackTrace = (_error, frames) => frames;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder, ownFile);
    const file = holder.stack?.[0]?.getFileName() ?? undefined;
    return file?.startsWith('file:') ? fileURLToPath(file) : file;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

/** The version in `dir`/package.json when that is this package's, else undefined. */
function versionIn(dir: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as unknown;
    const { name, version } = (pkg ?? {}) as { name?: unknown; version?: unknown };
    return name === NAME && typeof version === 'string' ? version : undefined;
  } catch {
    return undefined; // none here, or not JSON: look higher
  }
}

/**
 * The version in the package's own package.json, found by walking up from this file: two levels
 * from `src/cli/` (run from source with tsx), one from `dist/` (the built `bin`). Undefined when
 * it cannot be found (the CLI bundled into another program).
 * @example packageVersion() // '0.1.0'
 */
export function packageVersion(): string | undefined {
  let dir: string;
  try {
    const file = ownFile();
    if (file === undefined) return undefined;
    dir = dirname(file);
  } catch {
    return undefined; // a file name that is no path (a bundler's eval)
  }
  for (let up = 0; up < 4; up++) {
    const version = versionIn(dir);
    if (version !== undefined) return version;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}
