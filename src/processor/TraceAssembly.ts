import type { Session } from '../core/Session.js';
import type { IncompleteReason, Trace, TraceSpan } from '../types.js';
import { mergeTraces } from './mergeTraces.js';

/** What the processor holds for one trace in progress: its sessions and its ended spans. */
export class TraceAssembly {
  readonly sessions: Session[] = [];
  readonly spans: TraceSpan[] = [];
  droppedSpans = 0;

  constructor(
    readonly traceId: string,
    /** Local root spans still open; the trace is emitted when the last one ends. */
    public openRoots: number,
    readonly createdAt: number,
  ) {}

  /** Adds a session of this trace once. */
  addSession(session: Session): void {
    if (!this.sessions.includes(session)) this.sessions.push(session);
  }

  /** Keeps a span summary unless the cap is reached, which is counted. */
  addSpan(span: TraceSpan, maxSpans: number): void {
    if (maxSpans !== 0 && this.spans.length >= maxSpans) this.droppedSpans++;
    else this.spans.push(span);
  }

  /**
   * The JSON of the trace: the sessions' decisions, merged if more than one, and the spans.
   * `final`: the sessions are released, so their meta need not be copied.
   */
  toTrace(spans: TraceSpan[], final: boolean, incomplete?: IncompleteReason): Trace {
    const snapshots = this.sessions.map((s) => s.snapshot(!final));
    const trace =
      snapshots.length === 1 && snapshots[0] !== undefined
        ? snapshots[0]
        : mergeTraces(this.traceId, snapshots);
    trace.trace_id = this.traceId;
    if (spans.length > 0) trace.spans = spans;
    if (this.droppedSpans > 0) trace.dropped_spans = this.droppedSpans;
    if (incomplete !== undefined) trace.incomplete = incomplete;
    return trace;
  }
}
