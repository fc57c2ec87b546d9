import type { Span } from '@opentelemetry/api';
import { isLocalRoot, type ReadableSpanLike } from '../core/SdkSpan.js';
import type { Session } from '../core/Session.js';
import type { IncompleteReason, Trace, TraceSpan } from '../types.js';
import { mergeTraces } from './mergeTraces.js';

/** What the processor holds for one trace in progress: its sessions and its ended spans. */
export class TraceAssembly {
  readonly sessions: Session[] = [];
  readonly spans: TraceSpan[] = [];
  droppedSpans = 0;

  /** Local root spans known open, by span id; the trace is emitted when none is left. */
  readonly #roots = new Set<string>();
  /** An open local root known only to exist (a session bound below it); never more than one. */
  #unknownRoot = false;

  constructor(
    readonly traceId: string,
    readonly createdAt: number,
  ) {}

  /** A local root started (or was found active where a session bound). */
  rootOpened(spanId: string): void {
    this.#roots.add(spanId);
  }

  /** A session bound below a local root this processor has not seen start. */
  unknownRootOpen(): void {
    this.#unknownRoot = true;
  }

  /** Notes what `span`, active where a session bound or joined, says about open roots. */
  noteActiveSpan(span: Span): void {
    if (isLocalRoot(span as Partial<ReadableSpanLike>)) this.rootOpened(span.spanContext().spanId);
    else this.unknownRootOpen();
  }

  /** Whether the local root `spanId` is the last open one (its end will emit the trace). */
  isLastRoot(spanId: string): boolean {
    return this.#roots.has(spanId)
      ? this.#roots.size === 1 && !this.#unknownRoot
      : this.#roots.size === 0;
  }

  /** Notes that local root `spanId` ended; true when no local root is left open. */
  rootEnded(spanId: string): boolean {
    if (!this.#roots.delete(spanId)) this.#unknownRoot = false;
    return this.#roots.size === 0 && !this.#unknownRoot;
  }

  /** Adds a session of this trace once. */
  addSession(session: Session): void {
    if (this.sessions.includes(session)) return;
    this.sessions.push(session);
    if (typeof session.markHeld === 'function') session.markHeld(); // another copy may lack it
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
