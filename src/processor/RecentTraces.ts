import type { TraceAssembly } from './TraceAssembly.js';

/**
 * The most recently finished traces of a processor, in a ring of fixed capacity: adding one past
 * it forgets the oldest, so memory is bounded by the capacity. 0 keeps none.
 */
export class RecentTraces {
  readonly #ring: Array<TraceAssembly | undefined>;
  readonly #byId = new Map<string, TraceAssembly>();
  #next = 0;

  constructor(readonly capacity: number) {
    this.#ring = new Array<TraceAssembly | undefined>(capacity);
  }

  /** Remembers a finished trace (the newest), forgetting the oldest past the capacity. */
  add(trace: TraceAssembly): void {
    if (this.capacity === 0) return;
    const oldest = this.#ring[this.#next];
    if (oldest !== undefined && this.#byId.get(oldest.traceId) === oldest) {
      this.#byId.delete(oldest.traceId);
    }
    this.#ring[this.#next] = trace;
    this.#next = (this.#next + 1) % this.capacity;
    this.#byId.set(trace.traceId, trace);
  }

  /** The finished trace of this id, if still remembered (the latest, if it finished twice). */
  get(traceId: string): TraceAssembly | undefined {
    return this.#byId.get(traceId);
  }

  /** Up to `limit` traces, newest first. */
  list(limit: number): TraceAssembly[] {
    const out: TraceAssembly[] = [];
    for (let i = 1; i <= this.capacity && out.length < limit; i++) {
      const trace = this.#ring[(this.#next - i + this.capacity) % this.capacity];
      if (trace === undefined) break;
      out.push(trace);
    }
    return out;
  }
}
