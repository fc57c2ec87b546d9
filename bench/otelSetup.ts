// OpenTelemetry set-up shared by the benchmarks (2.x line, the machine's Node).
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

/** A provider with `processors` and an in-memory exporter behind a SimpleSpanProcessor. */
export function provider(processors: SpanProcessor[], eventCountLimit?: number) {
  const exporter = new InMemorySpanExporter();
  const p = new BasicTracerProvider({
    spanProcessors: [...processors, new SimpleSpanProcessor(exporter)],
    ...(eventCountLimit !== undefined ? { spanLimits: { eventCountLimit } } : {}),
  });
  return { provider: p, exporter, tracer: p.getTracer('bench') };
}

/** Makes `p` the global provider (what withTracing uses). */
export function useGlobally(p: BasicTracerProvider): void {
  trace.disable();
  trace.setGlobalTracerProvider(p);
}
