import type { ContextManager, Sampler, TracerProvider } from '@opentelemetry/api';

/** What the tests need from an OpenTelemetry SDK line, so that one suite runs on 2.x and 3.x. */
export interface TestProviderOptions {
  spanProcessors: unknown[];
  spanLimits?: {
    eventCountLimit?: number;
    attributeValueLengthLimit?: number;
    attributePerEventCountLimit?: number;
  };
  sampler?: Sampler;
}

/** A started NodeSDK, as far as tests use it. */
export interface TestNodeSdk {
  start(): void;
  shutdown(): Promise<void>;
}

/** Minimal shapes of the SDK classes the tests construct. */
export interface TestSpanExporter {
  getFinishedSpans(): Array<{
    name: string;
    events: Array<{ name: string; attributes?: Record<string, unknown> }>;
    attributes: Record<string, unknown>;
    status: { code: number; message?: string };
    kind: number;
    instrumentationScope: { name: string };
    parentSpanContext?: { spanId: string } | undefined;
    spanContext(): { traceId: string; spanId: string };
  }>;
  reset(): void;
  shutdown(): Promise<void>;
}

export interface SdkLine {
  line: 2 | 3;
  createProvider(options: TestProviderOptions): TracerProvider & {
    forceFlush(): Promise<void>;
    shutdown(): Promise<void>;
  };
  createContextManager(): ContextManager;
  createNodeSdk(spanProcessors: unknown[]): TestNodeSdk;
  InMemorySpanExporter: new () => TestSpanExporter;
  SimpleSpanProcessor: new (exporter: never) => unknown;
  BatchSpanProcessor: new (exporter: never, config?: never) => unknown;
}
