// The OpenTelemetry 2.x SDK line (Node 20): `@opentelemetry/sdk-trace-base`, as the design uses.
// Tests import this module as '#otel-sdk' (see vitest.config.ts); sdk-3.ts is its 3.x twin.
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { SdkLine, TestProviderOptions } from './SdkLine.js';

export const sdk: SdkLine = {
  line: 2,
  createProvider(options: TestProviderOptions) {
    return new BasicTracerProvider({
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
