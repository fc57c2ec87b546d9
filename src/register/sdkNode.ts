import { dirname, extname, join } from 'node:path';
import type { NodeSDK, NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { packageRequire } from './packageRequire.js';

/** An SDK span processor, as NodeSDK takes it. */
export type SdkSpanProcessor = NonNullable<NodeSDKConfiguration['spanProcessors']>[number];

/** An SDK sampler, as NodeSDK takes it. */
export type SdkSampler = NodeSDKConfiguration['sampler'];

/** What the register module uses of `@opentelemetry/sdk-node`. */
export interface SdkNode {
  NodeSDK: typeof NodeSDK;
  /**
   * sdk-node's own reading of OTEL_TRACES_EXPORTER (otlp with its protocol, console, zipkin,
   * none) and OTEL_BSP_*: the processors NodeSDK builds when given no `spanProcessors`.
   * Undefined when this version of sdk-node has none.
   */
  spanProcessorsFromEnv: (() => SdkSpanProcessor[]) | undefined;
  /** sdk-node's reading of OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG (undefined when unset). */
  samplerFromEnv: (() => SdkSampler | undefined) | undefined;
}

/** The package the register module needs, named in its error. */
export const SDK_NODE = '@opentelemetry/sdk-node';

/**
 * A function exported by one of sdk-node's own files (beside its main file, reached by path, so
 * that an `exports` map does not hide it), or undefined.
 */
function internal<T>(main: string, file: string, name: string): T | undefined {
  try {
    const module = packageRequire(join(dirname(main), `${file}${extname(main)}`)) as Record<
      string,
      unknown
    >;
    return typeof module[name] === 'function' ? (module[name] as T) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Loads `@opentelemetry/sdk-node` from the application's dependencies. NodeSDK ignores the
 * OTEL_TRACES_EXPORTER set-up as soon as it is given `spanProcessors` (see its `start()`), so
 * stepmark's processor can only join the exporters through sdk-node's own `getSpanProcessorsFromEnv`
 * (`utils.js`, 0.2xx and 0.30x alike), which is not exported: it is reached by file.
 * @throws Error naming the package to install when it is missing.
 * @example const { NodeSDK, spanProcessorsFromEnv } = loadSdkNode();
 */
export function loadSdkNode(): SdkNode {
  let main: string;
  try {
    main = packageRequire.resolve(SDK_NODE);
  } catch {
    throw new Error(`${SDK_NODE} is not installed (npm install ${SDK_NODE})`);
  }
  const sdk = packageRequire(SDK_NODE) as { NodeSDK?: typeof NodeSDK };
  if (typeof sdk.NodeSDK !== 'function') throw new Error(`${SDK_NODE} has no NodeSDK`);
  return {
    NodeSDK: sdk.NodeSDK,
    spanProcessorsFromEnv: internal(main, 'utils', 'getSpanProcessorsFromEnv'),
    samplerFromEnv: internal(main, 'create-from-env', 'createSamplerFromEnv'),
  };
}
