import type { Trace } from '../types.js';
import { keepOption } from './keepWhen.js';
import type { TraceSink } from './TraceSink.js';

/**
 * Keeps finished traces in memory, newest last; past `maxTraces` the oldest is dropped and
 * counted. For tests and for serving recent traces from an endpoint.
 * @example const sink = new InMemorySink(); new StepmarkSpanProcessor({ sinks: [sink] });
 */
export class InMemorySink implements TraceSink {
  readonly #traces: Trace[] = [];
  readonly #max: number;
  #dropped = 0;
  readonly keep: ((trace: Trace) => boolean) | undefined;

  /** `maxTraces` defaults to 1,000; `keep` is a tail rule (see `keepWhen`). */
  constructor(options: { maxTraces?: number; keep?: (trace: Trace) => boolean } = {}) {
    const max = options.maxTraces;
    this.#max = typeof max === 'number' && max >= 1 ? Math.floor(max) : 1_000;
    this.keep = keepOption('InMemorySink', options.keep);
  }

  /** Stores the trace. */
  export(trace: Trace): void {
    if (this.#traces.length >= this.#max) {
      this.#traces.shift();
      this.#dropped++;
    }
    this.#traces.push(trace);
  }

  /** The traces kept, oldest first. */
  get traces(): readonly Trace[] {
    return this.#traces;
  }

  /** Traces dropped because the sink was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The kept trace with this id (the latest, if several), or undefined. */
  get(traceId: string): Trace | undefined {
    return this.#traces.findLast((t) => t.trace_id === traceId);
  }

  /** Forgets every trace. */
  clear(): void {
    this.#traces.length = 0;
  }

  /** Nothing is buffered. */
  async forceFlush(): Promise<void> {}

  /** Nothing to release. */
  async shutdown(): Promise<void> {}
}
