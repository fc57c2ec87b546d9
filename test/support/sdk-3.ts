// The OpenTelemetry 3.x SDK line (Node >= 22.15): `@opentelemetry/sdk-trace` 3.x.
// Tests import this module as '#otel-sdk' when STEPMARK_OTEL_LINE=3; compat/otel-3/vitest.config.ts
// aliases every `@opentelemetry/*` specifier into compat/otel-3/node_modules (see scripts/test-otel3.sh).
// sdk-2.ts is its 2.x twin.
//
// Differences from 2.x that this file absorbs:
// - the provider class is `TracerProvider` (2.x: `BasicTracerProvider` in sdk-trace-base);
// - `SimpleSpanProcessor` and `BatchSpanProcessor` take one options object, `{ exporter, ...config }`
//   (2.x: positional `(exporter, config?)`); the subclasses below keep the 2.x call shape for tests.
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor as BatchSpanProcessor3,
  InMemorySpanExporter,
  SimpleSpanProcessor as SimpleSpanProcessor3,
  TracerProvider,
  type BatchSpanProcessorOptions,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { SdkLine, TestProviderOptions } from './SdkLine.js';

class SimpleSpanProcessor extends SimpleSpanProcessor3 {
  constructor(exporter: SpanExporter) {
    super({ exporter });
  }
}

class BatchSpanProcessor extends BatchSpanProcessor3 {
  constructor(exporter: SpanExporter, config?: Omit<BatchSpanProcessorOptions, 'exporter'>) {
    super({ ...config, exporter });
  }
}

export const sdk: SdkLine = {
  line: 3,
  createProvider(options: TestProviderOptions) {
    return new TracerProvider({
      spanProcessors: options.spanProcessors as SpanProcessor[],
      ...(options.spanLimits ? { spanLimits: options.spanLimits } : {}),
      ...(options.sampler ? { sampler: options.sampler } : {}),
    });
  },
  createContextManager: () => new AsyncLocalStorageContextManager(),
  createNodeSdk: (spanProcessors) =>
    new NodeSDK({ spanProcessors: spanProcessors as SpanProcessor[], instrumentations: [] }),
  InMemorySpanExporter,
  SimpleSpanProcessor,
  BatchSpanProcessor,
};
