import {
  context,
  propagation,
  trace,
  type Sampler,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { sdk } from '#otel-sdk';
import * as stepmark from '../../src/index.js';
import type { StepmarkSpanProcessorOptions, Trace } from '../../src/index.js';
import type { TestSpanExporter } from './SdkLine.js';

/** One OTel setup per test: provider with the stepmark processor beside a SimpleSpanProcessor. */
export interface Harness {
  /** The global tracer provider of this test (for instrumentations' setTracerProvider). */
  provider: TracerProvider;
  tracer: Tracer;
  exporter: TestSpanExporter;
  sink: stepmark.InMemorySink;
  processor: stepmark.StepmarkSpanProcessor;
  /** Waits until every finished trace reached the sink; returns them. */
  traces(): Promise<readonly Trace[]>;
  /** Runs `fn` inside a root span named 'request', in an enabled context; ends the span after. */
  request<T>(fn: () => T | Promise<T>, options?: stepmark.StepmarkOptions): Promise<T>;
  /** As `request`, returning what `collect()` saw at the end of `fn` (throws when untraced). */
  collected(fn: () => void, options?: stepmark.StepmarkOptions): Promise<Trace>;
  teardown(): Promise<void>;
}

export interface HarnessOptions {
  processor?: StepmarkSpanProcessorOptions;
  eventCountLimit?: number;
  /** Further span limits of the provider. */
  spanLimits?: { attributeValueLengthLimit?: number; attributePerEventCountLimit?: number };
  /** Install no stepmark processor at all (recording writes span events at call time). */
  withoutProcessor?: boolean;
  /** The provider's sampler (default: the SDK's, parent-based always-on). */
  sampler?: Sampler;
}

/** Installs a global context manager and tracer provider; `teardown` removes both. */
export function setupOtel(options: HarnessOptions = {}): Harness {
  const exporter = new sdk.InMemorySpanExporter();
  const sink = new stepmark.InMemorySink();
  const processor = new stepmark.StepmarkSpanProcessor({
    ...options.processor,
    sinks: [sink, ...(options.processor?.sinks ?? [])],
  });
  const spanProcessors: unknown[] = [new sdk.SimpleSpanProcessor(exporter as never)];
  // shutdown() unregisters the processor at once; the rest of it completes in the background.
  if (options.withoutProcessor === true) void processor.shutdown();
  else spanProcessors.unshift(processor);
  const provider = sdk.createProvider({
    spanProcessors,
    ...(options.sampler !== undefined ? { sampler: options.sampler } : {}),
    ...(options.eventCountLimit !== undefined || options.spanLimits !== undefined
      ? {
          spanLimits: {
            ...options.spanLimits,
            ...(options.eventCountLimit !== undefined
              ? { eventCountLimit: options.eventCountLimit }
              : {}),
          },
        }
      : {}),
  });
  trace.disable();
  context.disable();
  context.setGlobalContextManager(sdk.createContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  // What NodeSDK installs, and what instrumentations extract incoming trace context with.
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
  const tracer = provider.getTracer('test');
  return {
    provider,
    tracer,
    exporter,
    sink,
    processor,
    async traces() {
      await processor.forceFlush();
      return sink.traces;
    },
    async collected(fn, requestOptions) {
      const collected = await this.request(() => {
        fn();
        return stepmark.collect();
      }, requestOptions);
      if (collected === undefined) throw new Error('request was not traced');
      return collected;
    },
    request(fn, requestOptions) {
      return tracer.startActiveSpan('request', async (span) => {
        try {
          return await context.with(stepmark.enable(requestOptions), fn);
        } finally {
          span.end();
        }
      });
    },
    async teardown() {
      await processor.shutdown();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** The finished spans' stepmark events, as [span name, event name, attributes]. */
export function spanEvents(
  exporter: TestSpanExporter,
): Array<[string, string, Record<string, unknown>]> {
  return exporter
    .getFinishedSpans()
    .flatMap((s) =>
      s.events.map(
        (e) => [s.name, e.name, e.attributes ?? {}] as [string, string, Record<string, unknown>],
      ),
    )
    .filter(([, name, attributes]) => name === 'stepmark.track' || 'stepmark.stage' in attributes);
}
