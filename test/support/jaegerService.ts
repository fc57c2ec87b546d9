// One traced "service" exporting to Jaeger over OTLP/HTTP with the standard exporter and
// BatchSpanProcessor, beside the stepmark processor: what an application's set-up looks like.
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { StepmarkSpanProcessor, type Trace } from '../../src/index.js';

export interface JaegerService {
  tracer: Tracer;
  stepmark: StepmarkSpanProcessor;
  /** Finished stepmark traces of this service. */
  traces: Trace[];
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Installs the global OTel set-up of a service named `name` exporting to `otlpTracesUrl`. */
export function startService(name: string, otlpTracesUrl: string): JaegerService {
  const traces: Trace[] = [];
  const stepmark = new StepmarkSpanProcessor({ onFinish: (t) => void traces.push(t) });
  const batch = new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl }), {
    scheduledDelayMillis: 100,
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': name }),
    spanProcessors: [stepmark, batch],
  });
  trace.disable();
  context.disable();
  propagation.disable();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    tracer: provider.getTracer(name),
    stepmark,
    traces,
    flush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
