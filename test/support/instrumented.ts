import { createRequire } from 'node:module';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';

/**
 * Registers `instrumentations` and returns a `require` to load the framework with: they patch
 * modules as these are required (an ESM import would escape them), `node:http` first.
 */
export function instrumentedRequire(instrumentations: Instrumentation[]): NodeJS.Require {
  registerInstrumentations({ instrumentations });
  const require = createRequire(import.meta.url);
  require('node:http');
  return require;
}
