import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { packageRequire } from './packageRequire.js';
import { messageOf, say } from './say.js';

/** What NodeSDK's `instrumentations` option holds. */
export type SdkInstrumentation = NonNullable<NodeSDKConfiguration['instrumentations']>[number];

/** A resource detector, as NodeSDK takes it. */
export type SdkResourceDetector = NonNullable<NodeSDKConfiguration['resourceDetectors']>[number];

/** The instrumentations to start, and what else their package offers. */
export interface LoadedInstrumentations {
  instrumentations: SdkInstrumentation[];
  /**
   * The auto-instrumentations' reading of OTEL_NODE_RESOURCE_DETECTORS, whose list also has the
   * cloud detectors (`aws`, `gcp`, `azure`, `alibaba`, `container`) that NodeSDK's lacks.
   */
  resourceDetectorsFromEnv?: () => SdkResourceDetector[];
}

export const AUTO_INSTRUMENTATIONS = '@opentelemetry/auto-instrumentations-node';
export const HTTP_INSTRUMENTATION = '@opentelemetry/instrumentation-http';

/**
 * An optional package's exports, or undefined: silently when it is not installed, with one line
 * on stderr when it is installed but fails to load.
 */
function optional(name: string): Record<string, unknown> | undefined {
  try {
    packageRequire.resolve(name);
  } catch {
    return undefined;
  }
  try {
    return packageRequire(name) as Record<string, unknown>;
  } catch (error) {
    say(`${name} is installed but failed to load (${messageOf(error)})`);
    return undefined;
  }
}

/**
 * Registers `@opentelemetry/instrumentation/hook.mjs` (import-in-the-middle) with
 * `module.register`, as OpenTelemetry's ESM support asks, so that the instrumentations also patch
 * what an ESM application imports (a named import of `node:http` included). It takes effect for
 * modules loaded after it, hence `--import`. The hook is the one of the
 * `@opentelemetry/instrumentation` that `from` (an instrumentation package) uses, so that loader
 * and patches share one import-in-the-middle.
 *
 * Not when this module runs as CommonJS (`--require`): there the application is CommonJS, which
 * require-in-the-middle instruments, and Node runs the hook's `initialize` twice when
 * `module.register` is called from CommonJS, so import-in-the-middle would print a warning.
 */
function registerEsmHook(from: string): void {
  if (typeof register !== 'function') return; // Node < 20.6: CommonJS is instrumented all the same
  if (import.meta.url.endsWith('.cjs')) return; // the CommonJS build (tsup's shim of import.meta.url)
  try {
    const hook = createRequire(packageRequire.resolve(from)).resolve(
      '@opentelemetry/instrumentation/hook.mjs',
    );
    register(pathToFileURL(hook).href);
  } catch (error) {
    say(
      `the ESM loader hook could not be registered, ESM imports stay uninstrumented (${messageOf(error)})`,
    );
  }
}

/**
 * The instrumentations to start: `getNodeAutoInstrumentations()` when
 * `@opentelemetry/auto-instrumentations-node` is installed (it reads
 * OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS itself), else the
 * HTTP instrumentation when `@opentelemetry/instrumentation-http` is, else none. A package that
 * is installed but fails is said once on stderr and the next choice is taken. Registers the ESM
 * loader hook when there is an instrumentation to serve.
 * @example new NodeSDK({ instrumentations: loadInstrumentations().instrumentations })
 */
export function loadInstrumentations(): LoadedInstrumentations {
  const auto = optional(AUTO_INSTRUMENTATIONS);
  if (typeof auto?.getNodeAutoInstrumentations === 'function') {
    try {
      const instrumentations = (auto.getNodeAutoInstrumentations as () => SdkInstrumentation[])();
      registerEsmHook(AUTO_INSTRUMENTATIONS);
      const detectors = auto.getResourceDetectorsFromEnv;
      return typeof detectors === 'function'
        ? {
            instrumentations,
            resourceDetectorsFromEnv: detectors as () => SdkResourceDetector[],
          }
        : { instrumentations };
    } catch (error) {
      say(`${AUTO_INSTRUMENTATIONS} failed to start (${messageOf(error)})`);
    }
  }
  const http = optional(HTTP_INSTRUMENTATION);
  if (typeof http?.HttpInstrumentation === 'function') {
    try {
      const instrumentation = new (http.HttpInstrumentation as new () => SdkInstrumentation)();
      registerEsmHook(HTTP_INSTRUMENTATION);
      return { instrumentations: [instrumentation] };
    } catch (error) {
      say(`${HTTP_INSTRUMENTATION} failed to start (${messageOf(error)})`);
    }
  }
  return { instrumentations: [] };
}
