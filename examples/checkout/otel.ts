// OpenTelemetry set-up of the demo: the stepmark processor beside an exporter, as in any service.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { StepmarkSpanProcessor, type Trace } from 'stepmark-otel';

/** Starts tracing; finished stepmark traces go to `onTrace`. */
export function startOtel(onTrace: (trace: Trace) => void) {
  const stepmark = new StepmarkSpanProcessor({ onFinish: onTrace });
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  // With an OTLP endpoint (e.g. Jaeger on :4318) spans go there; otherwise they stay in memory.
  const spans: SpanProcessor = endpoint
    ? new BatchSpanProcessor(new OTLPTraceExporter())
    : new SimpleSpanProcessor(new InMemorySpanExporter());
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': process.env.OTEL_SERVICE_NAME ?? 'checkout-demo',
    }),
    spanProcessors: [stepmark, spans],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return {
    exportingTo: endpoint
      ? `OTLP/HTTP at ${endpoint}`
      : 'memory (set OTEL_EXPORTER_OTLP_ENDPOINT to export)',
    /** Resolves once every trace finished so far has reached `onTrace`. */
    flush: () => stepmark.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
