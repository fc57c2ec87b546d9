import { createRequire } from 'node:module';

/**
 * `require` resolving from this package's own location (tsup's shim gives `import.meta.url` in
 * the CJS build too). Synchronous on purpose: `--require` cannot wait for a promise, and
 * `--import` must have started the SDK and its instrumentations before the application's first
 * module is loaded. The packages it loads (sdk-node, the instrumentations) are CommonJS.
 */
export const packageRequire: NodeJS.Require = createRequire(import.meta.url);
