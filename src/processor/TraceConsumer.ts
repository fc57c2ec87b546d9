import type { TraceSink } from '../export/TraceSink.js';
import type { Trace } from '../types.js';

/**
 * One receiver of finished traces in a `DeliveryPipeline` (a sink, `onFinish`): `consume` may
 * return nothing or a thenable; the pipeline isolates, caps and times out each consumer on its own.
 * @example const consumer: TraceConsumer = { name: 'onFinish', consume: (trace) => onFinish(trace) };
 */
export interface TraceConsumer {
  /** Names the consumer in warnings on `diag`; no default. */
  readonly name: string;
  /** Receives one finished trace (read-only: consumers share it); sync or async. */
  consume(trace: Trace): unknown;
  /** Completes pending work; awaited (bounded) by the pipeline's `forceFlush`. Optional. */
  forceFlush?(): unknown;
  /** Completes pending work and releases resources; called once by the pipeline's `shutdown`. Optional. */
  shutdown?(): unknown;
}

/**
 * A `TraceSink` as a consumer, named `<ClassName>#<index>` (default `sink#<index>` for a plain object).
 * @example new DeliveryPipeline(sinks.map(sinkConsumer))
 */
export function sinkConsumer(sink: TraceSink, index: number): TraceConsumer {
  // Object.create(null) has no constructor; a plain object's is Object, which names nothing.
  const ctor = (sink as { constructor?: { name?: unknown } }).constructor;
  const type = ctor !== Object && typeof ctor?.name === 'string' && ctor.name ? ctor.name : 'sink';
  return {
    name: `${type}#${index}`,
    consume: (trace) => sink.export(trace),
    forceFlush: () => sink.forceFlush?.(),
    shutdown: () => sink.shutdown?.(),
  };
}
