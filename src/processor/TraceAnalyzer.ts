import type { EventRecord } from '../core/records/EventRecord.js';
import type { Trace } from '../types.js';

/**
 * Analyses what a processor records and adds its findings to each trace before it is emitted
 * (the race detector, the runtime monitor and `EntityOutcomes` are analyzers). The processor
 * isolates each one: a throw is counted in `analyzerErrors` and reported once, never reaches the
 * application, and never stops another analyzer or the delivery. Bound your own state.
 * @example new StepmarkSpanProcessor({ analyzers: [new EntityOutcomes()] })
 */
export interface TraceAnalyzer {
  /** Names the analyzer in warnings. Default: its class name. */
  readonly name?: string;
  /**
   * The processor started holding a trace: its request began (a session bound to it, or its
   * first local root started in 'always' mode or during a capture). Runs on the request's path,
   * in the code that enabled it (not yet in the request's own context): keep it cheap. Each
   * `onTraceStart` is followed by one `onTraceEnd` of the same trace.
   */
  onTraceStart?(traceId: string): void;
  /**
   * Sees each record as it is made, on the request's path: keep it cheap. `traceId` is the
   * trace the record belongs to. Records are read-only.
   */
  onRecord?(record: EventRecord, traceId: string): void;
  /**
   * The trace's request ended (its local root span ended, or it was evicted or flushed at
   * shutdown): no more records of it will come. Runs on the caller's stack: keep it cheap.
   */
  onTraceEnd?(traceId: string): void;
  /**
   * Gets the JSON of a finished trace before any consumer does, and may add its findings to it
   * (a field of its own). Runs off the request's path, once per trace that something reads; with
   * an analyzer that has this hook, every finished trace is built. A field left in a shape JSON
   * cannot print (a BigInt, a cycle, a throwing getter) is replaced by a sanitized copy, as
   * meta is, and counted in `analyzerErrors`.
   */
  onTraceComplete?(trace: Trace): void;
}
