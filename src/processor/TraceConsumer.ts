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
 * A `TraceSink` as a consumer, named `<ClassName>#<index>` (default `sink#<index>` for a plain
 * object), that applies the sink's `keep` rule and calls `notKept` for each trace it turns down.
 * @example new DeliveryPipeline(sinks.map(sinkConsumer))
 */
export function sinkConsumer(
  sink: TraceSink,
  index: number,
  notKept: () => void = () => undefined,
): TraceConsumer {
  // Object.create(null) has no constructor; a plain object's is Object, which names nothing.
  const ctor = (sink as { constructor?: { name?: unknown } }).constructor;
  const type = ctor !== Object && typeof ctor?.name === 'string' && ctor.name ? ctor.name : 'sink';
  const keep = typeof sink.keep === 'function' ? sink.keep.bind(sink) : undefined;
  return {
    name: `${type}#${index}`,
    consume: keep === undefined ? (trace) => sink.export(trace) : (trace) => kept(trace),
    forceFlush: () => sink.forceFlush?.(),
    shutdown: () => sink.shutdown?.(),
  };

  /** Exports the trace unless the sink's rule says no; a rule that throws keeps it, then throws. */
  function kept(trace: Trace): unknown {
    let broken: { error: unknown } | undefined;
    try {
      if (!(keep as (trace: Trace) => boolean)(trace)) {
        notKept();
        return undefined;
      }
    } catch (error) {
      broken = { error };
    }
    const exported = sink.export(trace);
    if (broken === undefined) return exported;
    // Counted as the sink's error once its export settled, which stays awaited.
    return Promise.resolve(exported).then(() => Promise.reject(broken.error));
  }
}
