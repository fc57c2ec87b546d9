import type { Trace } from '../types.js';

/**
 * Where finished traces go. `export` may be sync or async; the processor isolates each sink
 * (a throwing or rejecting sink is counted, never propagated, never stops another sink) and
 * awaits pending exports on `forceFlush`/`shutdown`. Treat the trace as read-only: sinks share it.
 * @example const sink: TraceSink = { export: (trace) => void db.insert(trace) };
 */
export interface TraceSink {
  /** Receives one finished trace. */
  export(trace: Trace): void | Promise<void>;
  /**
   * A tail rule: when given, the processor hands the sink only the traces it returns a truthy value for
   * and counts the others in `stats().tracesNotKept` (a rule that throws keeps the trace and
   * counts in `sinkErrors`). The built-in sinks take it as their `keep` option; see `keepWhen`.
   */
  keep?: ((trace: Trace) => boolean) | undefined;
  /** Completes pending work. */
  forceFlush?(): Promise<void>;
  /** Completes pending work and releases resources. */
  shutdown?(): Promise<void>;
}
