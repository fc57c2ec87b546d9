import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The tests run against one OpenTelemetry SDK line at a time: 2.x (Node 20, default)
// or 3.x (Node >= 22.15, STEPMARK_OTEL_LINE=3, see scripts/test-otel3.sh).
const line = process.env.STEPMARK_OTEL_LINE === '3' ? '3' : '2';

export default defineConfig({
  resolve: {
    alias: [
      {
        find: '#otel-sdk',
        replacement: fileURLToPath(new URL(`./test/support/sdk-${line}.ts`, import.meta.url)),
      },
      // The examples import the package by name, as users do; in the repo that is src/ (as
      // tsconfig.json's paths say): `stepmark-otel` and `stepmark-otel/<subpath>`.
      {
        find: /^stepmark-otel$/,
        replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
      },
      {
        find: /^stepmark-otel\/(.+)$/,
        replacement: fileURLToPath(new URL('./src/$1/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // gc() lets a test show that unreachable sessions stop counting as open.
    execArgv: ['--expose-gc'],
  },
});
