// OpenTelemetry set-up shared by the benchmarks (2.x line, the machine's Node).
import { context, trace, type Span, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import * as stepmark from 'stepmark-otel';
import type { StepmarkSpanProcessor } from 'stepmark-otel';
import { nextTurn } from './measure.js';

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

/** What `servedRequests` drives: a tracer, the stepmark processor and the exporter to empty. */
export interface RequestRig {
  tracer: Tracer;
  processor: StepmarkSpanProcessor;
  exporter: InMemorySpanExporter;
}

/** What a request does inside its root span, which is active; the span ends after it. */
export type RequestHandler = (span: Span, i: number) => void;

/**
 * Runs `n` requests as a server would: a root span per request, active while `handle` runs, and
 * every `batch` requests the stepmark processor flushed and a turn of the event loop (requests
 * of a server run in separate turns; some per-request state is released only then).
 */
export async function servedRequests(
  rig: RequestRig,
  n: number,
  handle: RequestHandler,
  batch = 100,
): Promise<void> {
  for (let i = 0; i < n; i++) {
    rig.tracer.startActiveSpan('request', (span) => {
      handle(span, i);
      span.end();
    });
    if (i % batch === batch - 1) {
      await rig.processor.forceFlush();
      await nextTurn();
      rig.exporter.reset();
    }
  }
  await rig.processor.forceFlush();
  rig.exporter.reset();
}

/** servedRequests with stepmark enabled in each request, which records `events` decisions. */
export function tracedRequests(
  rig: RequestRig,
  n: number,
  events: number,
  batch = 100,
): Promise<void> {
  return servedRequests(
    rig,
    n,
    (_span, i) =>
      context.with(stepmark.enable({ traceMeta: { i } }), () => {
        for (let e = 0; e < events; e++) {
          stepmark.recordEntity(`order_${e % 4}`, 'stage', 'action', { e, ok: true });
        }
      }),
    batch,
  );
}
