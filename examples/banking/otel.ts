// OpenTelemetry set-up of the banking demo: the stepmark processor with a race detector, beside
// an exporter, as in any service.
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
import { RaceDetector, type Race } from 'stepmark-otel/concurrency';

/**
 * Starts tracing with a `RaceDetector` among the processor's analyzers; each race it finds goes
 * to `onRace` (and into both requests' traces).
 */
export function startOtel(onRace: (race: Race) => void) {
  const finished = new Map<string, Trace>();
  const waiting = new Map<string, Array<(trace: Trace) => void>>();
  const detector = new RaceDetector({ onRace });
  const stepmark = new StepmarkSpanProcessor({
    analyzers: [detector],
    onFinish: (finishedTrace) => {
      finished.set(finishedTrace.trace_id, finishedTrace);
      for (const resolve of waiting.get(finishedTrace.trace_id) ?? []) resolve(finishedTrace);
      waiting.delete(finishedTrace.trace_id);
    },
  });
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  // With an OTLP endpoint (e.g. Jaeger on :4318) spans go there; otherwise they stay in memory.
  const spans: SpanProcessor = endpoint
    ? new BatchSpanProcessor(new OTLPTraceExporter())
    : new SimpleSpanProcessor(new InMemorySpanExporter());
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': process.env.OTEL_SERVICE_NAME ?? 'banking-demo',
    }),
    spanProcessors: [stepmark, spans],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return {
    detector,
    exportingTo: endpoint
      ? `OTLP/HTTP at ${endpoint}`
      : 'memory (set OTEL_EXPORTER_OTLP_ENDPOINT to export)',
    /**
     * Resolves with the stepmark trace of `traceId` once its request has ended and the trace was
     * handed over (its root span ended: the detector orders it before every later request).
     */
    traceOf(traceId: string): Promise<Trace> {
      const known = finished.get(traceId);
      if (known !== undefined) return Promise.resolve(known);
      return new Promise((resolve) => {
        waiting.set(traceId, [...(waiting.get(traceId) ?? []), resolve]);
      });
    },
    shutdown: () => provider.shutdown(),
  };
}
