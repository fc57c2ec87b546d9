import type { Meta } from '../../types.js';
import type { RecordKind } from './RecordKind.js';

/**
 * One recorded call (a decision, a track, ...), kept for the JSON and until its span ends. A
 * class rather than literals so that every record has one hidden class and the hot path stays
 * monomorphic; what differs between kinds is `recordKind`, which knows how to write, read, show
 * and merge it.
 */
export class EventRecord {
  /** Id of the span the record was (or will be) written on; set when that span is known. */
  spanId: string | undefined = undefined;
  /** The service that wrote it; set only in traces rebuilt from a backend (stepmark-otel/jaeger). */
  service: string | undefined = undefined;
  /** A decision whose action is one of the session's `errorActions`: its span gets error status. */
  marksError = false;
  /**
   * What a kind records beyond stage, action and meta (a state access's variable and task, a
   * race): owned and read by that kind only (see `state.ts`, `race.ts`).
   */
  detail: unknown = undefined;

  constructor(
    /** What this record is: decides its span event, its JSON and how it merges. */
    readonly recordKind: RecordKind,
    readonly stage: string,
    readonly action: string,
    /**
     * Milliseconds since the epoch, with sub-millisecond precision (for the JSON). Replaced by the
     * time the SDK gave the span event once written, so that the JSON agrees with the span.
     */
    public time: number,
    /**
     * `performance.now()` at the call, NaN under a custom clock (and when rebuilt). Span events get
     * this, which the SDK maps with the span's own clock offset, so events sit inside their span.
     */
    readonly perf: number,
    readonly meta: Meta | undefined,
    readonly entityId: string | undefined,
    /** The entity's kind when known (`{ kind }` of `track`, a scope's kind). */
    readonly kind: string | undefined,
    /**
     * Recording order within the process. Span clocks of one process can differ by a
     * millisecond, so times alone cannot order events of different spans once stored.
     */
    readonly seq: number,
  ) {}
}

/** The distinct entity ids of `records`, in first-seen order. */
export function entityIdsOf(records: readonly EventRecord[]): string[] {
  const ids: string[] = [];
  let seen: Set<string> | undefined;
  let last: string | undefined;
  for (const r of records) {
    const id = r.entityId;
    // Runs of records mostly touch one entity: skip the look-up when it repeats.
    if (id === undefined || id === last) continue;
    last = id;
    // A short list is cheaper to scan than a Set is to build; past a few ids, a Set.
    if (seen === undefined && ids.length >= 8) seen = new Set(ids);
    if (seen === undefined ? ids.includes(id) : seen.has(id)) continue;
    seen?.add(id);
    ids.push(id);
  }
  return ids;
}
