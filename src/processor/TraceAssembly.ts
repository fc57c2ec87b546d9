import { markTasksAndRegions } from './markTasksAndRegions.js';
import type { Span } from '@opentelemetry/api';
import { PackedDraft } from '../core/records/PackedDraft.js';
import type { TraceDraft } from '../core/records/TraceDraft.js';
import { isLocalRoot, type ReadableSpanLike, type WritableSpanLike } from '../core/SdkSpan.js';
import type { EmitListener } from '../core/session/EmitListeners.js';
import type { SessionHandle } from '../core/session/SessionHandle.js';
import { defaultRedactor, type Redactor } from '../core/redaction/Redactor.js';
import type { IncompleteReason, Trace, TraceSpan } from '../types.js';
import { EndedSpan } from './EndedSpan.js';
import { mergeTraces } from './mergeTraces.js';
import { copyOfFindings } from './printableFindings.js';
import { requestSpans } from './requestSpans.js';
import { summarizeSpan } from './summarizeSpan.js';

/**
 * A listener of one session's emitted trace, whether that trace is its session's alone, and (when
 * other sessions share the trace id) the session's draft, of which it gets its own trace.
 */
export interface PendingListener {
  listener: EmitListener;
  exclusive: boolean;
  own: TraceDraft | undefined;
}

/**
 * What the processor holds for one trace: while in progress its sessions and ended spans; once
 * finished (`seal`) the sessions' drafts, so that the JSON is built only when something reads it
 * (a consumer, a listener, `collect`, `recent`), and at most once.
 */
export class TraceAssembly {
  readonly sessions: SessionHandle[] = [];
  /** Ended spans, summarized into JSON only when a trace is built. */
  readonly spans: EndedSpan[] = [];
  droppedSpans = 0;
  incomplete: IncompleteReason | undefined = undefined;
  /**
   * Assembled from its root span only because a capture ran (`stepmark-otel/runtime`): with no
   * session asked for, it goes to the captures alone.
   */
  forCapture = false;
  /** The sessions' drafts, taken when the trace is sealed (the sessions let go of them). */
  #drafts: Array<TraceDraft | PackedDraft> | undefined = undefined;
  /** The JSON once built for delivery, shared by the consumers (read-only for them). */
  #json: Trace | undefined = undefined;

  /**
   * Local root spans known open, by span id; the trace is emitted when none is left. Mostly one:
   * a short array costs less than a Set, whose empty table alone is 300 bytes.
   */
  readonly #roots: string[] = [];
  /** An open local root known only to exist (a session bound below it); never more than one. */
  #unknownRoot = false;
  /**
   * Spans started and not ended yet, by span id: listed as `open` if the trace is emitted before
   * they end (a child outliving its request, a trace given up on). Bounded with the ended ones
   * by `maxSpans`.
   */
  readonly #started = new Map<string, WritableSpanLike>();

  constructor(
    readonly traceId: string,
    readonly createdAt: number,
    /**
     * Whether the JSON, once built, is kept (and the drafts dropped): when analyzers add findings
     * to it, which a rebuild would not have. Otherwise the packed drafts are kept, which hold far
     * fewer objects than the JSON, and the JSON is rebuilt on demand.
     */
    readonly keepJson = false,
  ) {}

  /** A local root started (or was found active where a session bound). */
  rootOpened(spanId: string): void {
    if (!this.#roots.includes(spanId)) this.#roots.push(spanId);
  }

  /** A session bound below a local root this processor has not seen start. */
  unknownRootOpen(): void {
    this.#unknownRoot = true;
  }

  /**
   * Notes what `span`, active where a session bound or joined, says about open roots: a span
   * below a root this assembly has not seen start means one is open (in flow mode the root was
   * seen: the trace is assembled from its first span).
   */
  noteActiveSpan(span: Span): void {
    if (isLocalRoot(span as Partial<ReadableSpanLike>)) this.rootOpened(span.spanContext().spanId);
    else if (this.#roots.length === 0) this.unknownRootOpen();
  }

  /** Whether the local root `spanId` is the last open one (its end will emit the trace). */
  isLastRoot(spanId: string): boolean {
    return this.#roots.includes(spanId)
      ? this.#roots.length === 1 && !this.#unknownRoot
      : this.#roots.length === 0;
  }

  /** Notes that local root `spanId` ended; true when no local root is left open. */
  rootEnded(spanId: string): boolean {
    const i = this.#roots.indexOf(spanId);
    if (i >= 0) this.#roots.splice(i, 1);
    else this.#unknownRoot = false;
    return this.#roots.length === 0 && !this.#unknownRoot;
  }

  /** Adds a session of this trace once; true when it is new. */
  addSession(session: SessionHandle): boolean {
    if (this.sessions.includes(session)) return false;
    this.sessions.push(session);
    session.markHeld();
    return true;
  }

  /** Notes a span that started, while there is room for it under `maxSpans` (else its end counts it). */
  spanStarted(span: WritableSpanLike, maxSpans: number): void {
    if (maxSpans !== 0 && this.spans.length + this.#started.size >= maxSpans) return;
    this.#started.set(span.spanContext().spanId, span);
  }

  /** Keeps an ended span unless the cap is reached, which is counted. */
  addSpan(span: ReadableSpanLike, maxSpans: number): void {
    const started = this.#started.delete(span.spanContext().spanId);
    if (!started && maxSpans !== 0 && this.spans.length + this.#started.size >= maxSpans)
      this.droppedSpans++;
    else this.spans.push(new EndedSpan(span));
  }

  /**
   * Finishes the trace: releases its sessions (nothing records into it any more) and takes their
   * drafts. Returns whether a listener waits for the trace (see `handOver`).
   */
  seal(incomplete: IncompleteReason | undefined): boolean {
    this.incomplete = incomplete;
    const now = Date.now();
    for (const span of this.#started.values()) {
      const open = EndedSpan.stillOpen(span, now);
      if (open !== undefined) this.spans.push(open);
    }
    this.#started.clear();
    let listening = false;
    this.#drafts = [];
    for (const session of this.sessions) {
      session.release(incomplete === 'ttl');
      if (session.hasEmitListeners) listening = true;
      this.#drafts.push(session.draft);
    }
    return listening;
  }

  /**
   * Takes the listeners waiting for the trace and lets the sessions go of their records (the
   * assembly owns them now: a context the app keeps alive must not hold them). Until then, an
   * HTTP adapter reading its session still sees them.
   */
  handOver(): PendingListener[] {
    const listeners: PendingListener[] = [];
    const alone = this.sessions.length === 1;
    for (const session of this.sessions) {
      for (const listener of session.takeEmitListeners()) {
        // Joined by another request (`shared`), a session's records are theirs too: not exclusive.
        const own = alone ? undefined : session.draft;
        listeners.push({ listener, exclusive: !session.shared, own });
      }
      session.detach();
    }
    this.sessions.length = 0; // the drafts are all the assembly needs of them now
    return listeners;
  }

  /** Packs the sealed drafts for a long stay among the recent traces: see `PackedDraft`. */
  pack(): void {
    if (this.#drafts === undefined || this.#json !== undefined) return;
    this.#drafts = this.#drafts.map((d) =>
      d instanceof PackedDraft ? d : new PackedDraft(d, this.traceId),
    );
  }

  /**
   * The trace of one session of several with this trace id (another request's): its own records,
   * and the spans of the local span trees it recorded in (see `requestSpans`).
   */
  requestTrace(draft: TraceDraft): Trace {
    const trace = draft.toTrace(this.traceId, true);
    const spans = requestSpans(this.spans, trace);
    if (spans.length > 0) trace.spans = spans.map((span) => summarizeSpan(span, draft.redactor));
    if (this.incomplete !== undefined) trace.incomplete = this.incomplete;
    markTasksAndRegions(trace);
    return trace;
  }

  /**
   * The ended spans in FlowTracker's shape, their tags redacted by the rules of the trace's
   * (first) session, or the default rules when no session configured any.
   */
  spanSummaries(
    drafts: ReadonlyArray<{ redactor?: Redactor | undefined }> = this.#drafts ??
      this.sessions.map((s) => s.draft),
    spans: readonly EndedSpan[] = this.spans,
  ): TraceSpan[] {
    const redactor = drafts.find((d) => d.redactor !== undefined)?.redactor ?? defaultRedactor;
    return spans.map((span) => summarizeSpan(span, redactor));
  }

  /** The JSON built for delivery (see `build`), if it was. */
  get built(): Trace | undefined {
    return this.#json;
  }

  /** Replaces the kept JSON (see `build`) by its printable repair, once analyzers ran. */
  replaceBuilt(json: Trace): void {
    if (this.#json !== undefined) this.#json = json;
  }

  /**
   * The JSON of the trace: its decisions (the sessions' drafts, merged if more than one) and its
   * spans. With `copy` every object is new; without, meta objects are shared with the drafts and
   * the caller must not modify it. Sealed with `keepJson`, it is built once and kept.
   */
  build(copy: boolean): Trace {
    if (this.#json !== undefined) return copy ? copyOfFindings(this.#json) : this.#json;
    const drafts = this.#drafts ?? this.sessions.map((s) => s.draft);
    const parts = drafts.map((d) => d.toTrace(this.traceId, copy));
    const trace =
      parts.length === 1 && parts[0] !== undefined ? parts[0] : mergeTraces(this.traceId, parts);
    if (this.spans.length > 0) trace.spans = this.spanSummaries(drafts);
    if (this.droppedSpans > 0) trace.dropped_spans = this.droppedSpans;
    if (this.incomplete !== undefined) trace.incomplete = this.incomplete;
    markTasksAndRegions(trace);
    if (!copy && this.keepJson && this.#drafts !== undefined) {
      // Sealed: the JSON replaces the drafts (one copy of the records is kept, not two).
      this.#json = trace;
      this.#drafts = [];
    }
    return trace;
  }
}
