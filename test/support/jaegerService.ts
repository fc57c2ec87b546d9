// One traced "service" exporting to Jaeger over OTLP/HTTP with the standard exporter and
// BatchSpanProcessor, beside the stepmark processor: what an application's set-up looks like.
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { CountingSpanExporter, CountingSpanProcessor } from '../../src/export/index.js';
import { StepmarkSpanProcessor, type Trace } from '../../src/index.js';

export interface JaegerService {
  tracer: Tracer;
  /** What reached Jaeger and what was lost. */
  exporter: CountingSpanExporter;
  /** Delivery to Jaeger, counted: handed off, exported, failed, not delivered. */
  delivery: CountingSpanProcessor;
  stepmark: StepmarkSpanProcessor;
  /** Finished stepmark traces of this service. */
  traces: Trace[];
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Installs the global OTel set-up of a service named `name` exporting to `otlpTracesUrl`. */
export function startService(
  name: string,
  otlpTracesUrl: string,
  options: { maxQueueSize?: number; exportTimeoutMillis?: number } = {},
): JaegerService {
  const traces: Trace[] = [];
  const stepmark = new StepmarkSpanProcessor({ onFinish: (t) => void traces.push(t) });
  const exporter = new CountingSpanExporter(
    new OTLPTraceExporter({
      url: otlpTracesUrl,
      timeoutMillis: options.exportTimeoutMillis ?? 10_000,
    }),
  );
  const batch = new BatchSpanProcessor(exporter, {
    scheduledDelayMillis: 100,
    maxQueueSize: options.maxQueueSize ?? 2048,
    maxExportBatchSize: Math.min(512, options.maxQueueSize ?? 2048),
    exportTimeoutMillis: options.exportTimeoutMillis ?? 30_000,
  });
  const delivery = new CountingSpanProcessor(batch, exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': name }),
    spanProcessors: [stepmark, delivery as unknown as SpanProcessor],
  });
  trace.disable();
  context.disable();
  propagation.disable();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    tracer: provider.getTracer(name),
    exporter,
    delivery,
    stepmark,
    traces,
    // BatchSpanProcessor.forceFlush rejects when the export failed (Jaeger down): the counts say so.
    flush: () => provider.forceFlush().catch(() => undefined),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
