import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig, type Plugin } from 'vitest/config';

// The OpenTelemetry 3.x test leg (run it with scripts/test-otel3.sh, under Node >= 22.15).
// It is the root vitest.config.ts with STEPMARK_OTEL_LINE=3 (so '#otel-sdk' is
// test/support/sdk-3.ts), plus one alias: every `@opentelemetry/*` import from src/ and test/
// resolves into compat/otel-3/node_modules, so exactly one `@opentelemetry/api` (1.10.0, the one
// the 3.x SDK packages import themselves) is loaded, and none of the root's 2.x packages.
process.env.STEPMARK_OTEL_LINE = '3';
// Imported after setting the variable: the root config reads it at load time.
const { default: rootConfig } = await import('../../vitest.config.js');

const root = fileURLToPath(new URL('../..', import.meta.url));
// Resolving a specifier "as if imported from this file" finds it in compat/otel-3/node_modules,
// with the package's `exports` map and subpaths (e.g. '@opentelemetry/api/experimental') honored.
const compatImporter = fileURLToPath(import.meta.url);

const otel3Alias: Plugin = {
  name: 'stepmark:otel-3-alias',
  enforce: 'pre',
  async resolveId(source, _importer, options) {
    if (!source.startsWith('@opentelemetry/')) return null;
    const resolved = await this.resolve(source, compatImporter, { ...options, skipSelf: true });
    if (!resolved) {
      throw new Error(
        `${source} is not installed in compat/otel-3 (run: npm ci --prefix compat/otel-3)`,
      );
    }
    return resolved;
  },
};

export default mergeConfig(
  rootConfig,
  defineConfig({
    root,
    plugins: [otel3Alias],
    // The Jaeger end-to-end tests use the 2.x exporter set-up; they run once, on the default line.
    test: { exclude: ['test/e2e/**', '**/node_modules/**'] },
    resolve: {
      alias: {
        '#otel-sdk': fileURLToPath(new URL('../../test/support/sdk-3.ts', import.meta.url)),
      },
    },
  }),
);
