import type { Meta } from '../types.js';

/**
 * One recorded call, kept until its span ends. A class rather than literals so that every
 * record has one hidden class and the hot path stays monomorphic.
 */
export class EventRecord {
  /** Id of the span the record was (or will be) written on; set when that span is known. */
  spanId: string | undefined;

  constructor(
    readonly stage: string,
    readonly action: string,
    /**
     * Milliseconds since the epoch, with sub-millisecond precision (for the JSON). Replaced by the
     * time the SDK gave the span event once written, so that the JSON agrees with the span.
     */
    public time: number,
    /**
     * `performance.now()` at the call, NaN under a custom clock. Span events get this, which the
     * SDK maps with the span's own clock offset, so events sit inside their span's time range.
     */
    readonly perf: number,
    readonly meta: Meta | undefined,
    readonly entityId: string | undefined,
    readonly kind: string | undefined,
    /** `track` call rather than a decision event. */
    readonly isTrack: boolean,
    /**
     * Recording order within the process. Span clocks of one process can differ by a
     * millisecond, so times alone cannot order events of different spans once stored.
     */
    readonly seq: number,
  ) {
    this.spanId = undefined;
  }
}

/** The distinct entity ids of `records`, in first-seen order. */
export function entityIdsOf(records: readonly EventRecord[]): string[] {
  const ids = new Set<string>();
  for (const r of records) if (r.entityId !== undefined) ids.add(r.entityId);
  return [...ids];
}
