import { INVALID_TRACEID, TraceFlags, type AttributeValue, type Span } from '@opentelemetry/api';
import type { Race, Trace } from '../../types.js';
import type { DecisionWriter } from '../DecisionWriter.js';
import { resolveOptions, type StepmarkOptions } from '../options.js';
import type { EventRecord } from '../records/EventRecord.js';
import type { TraceDraft } from '../records/TraceDraft.js';
import {
  bindSession,
  closeSession,
  openSession,
  wasFinished,
  watchUnclosed,
  registry,
  sessionsOf,
  unbindSession,
} from '../registry.js';
import { isLocalRoot } from '../SdkSpan.js';
import { defaultWriter } from '../SpanEventWriter.js';
import { EmitListeners, type EmitListener } from './EmitListeners.js';
import { requestSummary } from '../records/requestSummary.js';
import { PendingWrites } from './PendingWrites.js';
import { RecordLog, type LogInput, type StateInput } from './RecordLog.js';
import type { RaceOwner } from '../records/StateDetail.js';
import type { RecordObserver, SessionHandle } from './SessionHandle.js';

/** Sessions of other traces one context can start (e.g. a worker running jobs as root spans). */
const MAX_FORKS = 64;

function isSampled(span: Span): boolean {
  return (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
}

/**
 * The recorder of one request (one trace), held in the OTel context under SESSION_KEY. It ties
 * the request to its trace (and to the traces its context starts: `fork`) and runs its life; the
 * records and their caps are its `RecordLog`, the span events still to write its
 * `PendingWrites`, and who waits for the emitted trace its `EmitListeners`.
 */
export class Session implements SessionHandle, RaceOwner {
  /** The trace this request belongs to, once a recording span was seen. */
  traceId: string | undefined = undefined;
  closed = false;
  /**
   * Opened on its own only because a capture of `stepmark-otel/runtime` runs (no enabled context
   * asked for it, no 'always'-mode processor): its trace goes to the captures alone. Cleared when
   * an enabled context joins it.
   */
  capturedOnly = false;
  /** The local root span (request) the session was opened for, when opened on one (`forTrace`). */
  rootSpanId: string | undefined = undefined;
  readonly #given: StepmarkOptions | undefined;
  #log: RecordLog;
  readonly #writes = new PendingWrites();
  readonly #listeners = new EmitListeners();
  #observers: RecordObserver[] | undefined = undefined;
  /** Sessions of other traces started in this session's context, by trace id. */
  #forks: Map<string, Session> | undefined = undefined;
  #countedUnsampled = false;
  /** Local roots (requests) that joined this session after the first: it is theirs too. */
  #joined = 0;
  /**
   * Enabled with no span: the session is also the scope of its context, which can start further
   * traces (see `fork`); it stays live when its first trace ends, until `endScope` or collection.
   */
  readonly #isScope: boolean;
  #isLive = true;

  constructor(options?: StepmarkOptions, isScope = false) {
    this.#isScope = isScope;
    this.#given = options;
    this.#log = new RecordLog(resolveOptions(options));
    openSession();
    if (isScope) watchUnclosed(this); // binds later, if ever
  }

  /**
   * The open session recording `traceId`, joined if one exists, else a new one bound to it.
   * A new local root (another request with the same trace id: a caller's fan-out, or a stranger
   * reusing a `traceparent`) gets a session of its own, so that what its adapter hands its caller
   * holds its records only; the processor merges the sessions of a trace for its sinks.
   * Undefined when that trace was already emitted and `span` is not a new local root of it: a
   * straggler of a finished request, which must not open a second fragment.
   */
  static forTrace(
    traceId: string,
    span: Span | undefined,
    options: StepmarkOptions | undefined,
  ): { session: Session; created: boolean } | undefined {
    // Maybe a session of another copy of the package: same protocol, hence the same class shape.
    const root = span !== undefined && isLocalRoot(span) ? span.spanContext().spanId : undefined;
    const open = sessionsOf(traceId)?.find(
      (s) => !s.closed && (root === undefined || (s as Session).rootSpanId === root),
    ) as Session | undefined;
    if (open !== undefined) {
      if (root === undefined) open.join(span); // a span below a root: maybe another request's
      return { session: open, created: false };
    }
    if (wasFinished(traceId) && (span === undefined || !isLocalRoot(span))) {
      return undefined;
    }
    const session = new Session(options);
    session.rootSpanId = root;
    session.bind(traceId, span);
    if (!session.#listeners.held) watchUnclosed(session); // no processor will close it
    return { session, created: true };
  }

  /**
   * The session that records what happens on `span`: this one, or the one of the span's trace
   * when it differs from this session's (undefined for a straggler of a finished trace).
   */
  resolve(span: Span | undefined): Session | undefined {
    if (span === undefined || this.traceId === undefined) return this;
    const traceId = span.spanContext().traceId;
    if (traceId === this.traceId || !span.isRecording()) return this;
    return this.fork(traceId, span);
  }

  /**
   * The session of another trace started in this session's context (see `resolve`); opened only
   * while this session is live (a request in progress, or a scope not yet ended).
   */
  fork(traceId: string, span: Span | undefined): Session | undefined {
    const known = this.#forks?.get(traceId);
    if (known !== undefined || !this.#isLive) return known;
    const found = Session.forTrace(traceId, span, this.#given);
    if (found === undefined) return undefined;
    if (!this.capturedOnly) found.session.capturedOnly = false; // an enabled request's fork
    this.#forks ??= new Map();
    if (this.#forks.size >= MAX_FORKS) {
      const oldest = this.#forks.keys().next().value;
      if (oldest !== undefined) this.#forks.delete(oldest); // still held by its processor
    }
    this.#forks.set(traceId, found.session);
    return found.session;
  }

  /** Milliseconds since the epoch from the configured clock (or the high-resolution clock). */
  now(): number {
    return this.#log.now();
  }

  /** The records so far, as the JSON under construction. */
  get draft(): TraceDraft {
    return this.#log.draft;
  }

  /** Registers an entity or updates it: meta merges key by key, a given kind replaces the old one. */
  track(id: unknown, meta: unknown, kind: unknown, span: Span | undefined): void {
    const target = this.resolve(span);
    if (target !== this) return target?.track(id, meta, kind, span) ?? late();
    if (this.closed) return late();
    const record = this.#log.track(id, meta, kind);
    if (record !== undefined) this.#attach(record, span);
  }

  /**
   * A decision event of one entity (creating the entity if unseen). Returns the stage it was
   * recorded under, or undefined when nothing was recorded (closed, capped, filtered, bad id).
   */
  recordEntity(
    id: unknown,
    stage: unknown,
    action: unknown,
    meta: unknown,
    span: Span | undefined,
    kind?: string,
  ): string | undefined {
    const target = this.resolve(span);
    if (target !== this) {
      return target?.recordEntity(id, stage, action, meta, span, kind) ?? late();
    }
    if (this.closed) return late();
    const record = this.#log.decision(id, true, stage, action, meta, kind);
    if (record === undefined) return undefined;
    this.#attach(record, span);
    return record.stage;
  }

  /** An event of the request itself, tied to no entity. Returns the stage, as `recordEntity`. */
  record(
    stage: unknown,
    action: unknown,
    meta: unknown,
    span: Span | undefined,
  ): string | undefined {
    const target = this.resolve(span);
    if (target !== this) return target?.record(stage, action, meta, span) ?? late();
    if (this.closed) return late();
    const record = this.#log.decision(undefined, false, stage, action, meta, undefined);
    if (record === undefined) return undefined;
    this.#attach(record, span);
    return record.stage;
  }

  /**
   * A state access (`stepmark-otel/concurrency`), written on `span` like a decision. Returns the
   * record (its detail is the access), or undefined when nothing was recorded (closed, capped).
   */
  recordState(input: StateInput, span: Span | undefined): EventRecord | undefined {
    const target = this.resolve(span);
    if (target !== this) return target?.recordState(input, span) ?? late();
    if (this.closed) return late();
    // Bound first: the access names its trace, and a detector sees it only once bound.
    if (this.traceId === undefined && span !== undefined && span.isRecording()) {
      this.bind(span.spanContext().traceId, span);
    }
    const traceId = this.traceId ?? span?.spanContext().traceId ?? INVALID_TRACEID;
    const record = this.#log.state(input, traceId, span, this);
    if (record !== undefined) this.#attach(record, span);
    return record;
  }

  /**
   * A log (`stepmark-otel/runtime`), written on `span` like a decision. Returns the record, or
   * undefined when nothing was recorded (closed, capped).
   */
  recordLog(input: LogInput, span: Span | undefined): EventRecord | undefined {
    const target = this.resolve(span);
    if (target !== this) return target?.recordLog(input, span) ?? late();
    if (this.closed) return late();
    const record = this.#log.log(input);
    if (record !== undefined) this.#attach(record, span);
    return record;
  }

  /** Whether this request's state accesses record their source location (`stateLocations`). */
  get stateLocations(): boolean {
    return this.#log.stateLocations;
  }

  /**
   * A race one of this request's accesses took part in (`RaceOwner`): in the JSON once, and a
   * span event on `span`. Ignored once the session closed: JSON already delivered never changes.
   */
  addRace(race: Race, span: Span | undefined): void {
    if (this.closed) return;
    this.#attach(this.#log.race(race), span);
  }

  /** Queues the record for its span (or writes it now when no processor will see the span end). */
  #attach(record: EventRecord, span: Span | undefined): void {
    if (span === undefined || !span.isRecording()) {
      if (span !== undefined && !this.#countedUnsampled && !isSampled(span)) {
        this.#countedUnsampled = true;
        registry.stats.unsampledRequests++;
      }
      this.#writes.addOrphan(record);
    } else {
      const spanContext = span.spanContext();
      record.spanId = spanContext.spanId;
      if (this.traceId === undefined) this.bind(spanContext.traceId, span);
      if (registry.processors.size === 0) {
        this.#log.countUnwritten(this.#writes.writeNow(span, record, defaultWriter));
      } else {
        this.#writes.add(record, span);
      }
    }
    const observers = this.#observers;
    if (observers !== undefined && this.traceId !== undefined) {
      for (const observe of observers) observe(record, this.traceId);
    }
  }

  /** The span attribute of `addTag(key, value)`, shaped by this request's options (see `RecordLog.tag`). */
  tag(key: unknown, value: unknown): [string, AttributeValue] | undefined {
    return this.#log.tag(key, value);
  }

  /**
   * Ties the session to a trace so that processors hold it even if its root span started before.
   * `activeSpan`: the span active where it binds (undefined when a span is starting there).
   */
  bind(traceId: string, activeSpan?: Span): void {
    if (this.traceId !== undefined || traceId === INVALID_TRACEID) return;
    this.traceId = traceId;
    if (registry.processors.size > 0) bindSession(traceId, this, activeSpan);
  }

  /**
   * Writes the records of `span` as span events, called by the processor while the span ends.
   * On the local root it also writes the records made with no span, the request meta and the
   * request's summary (`requestSummary`).
   */
  flushSpan(span: Span, writer: DecisionWriter, isRoot: boolean): void {
    this.#log.countUnwritten(this.#writes.flush(span, writer, isRoot));
    if (!isRoot) return;
    const meta = this.#log.draft.meta;
    if (meta !== undefined) writer.writeTraceMeta(span, meta);
    if (writer.writeSummary !== undefined) {
      const summary = requestSummary(this.#log.draft);
      if (summary !== undefined) writer.writeSummary(span, summary);
    }
  }

  /** Calls `observer` with each later record (a processor's analyzers); once per observer. */
  observe(observer: RecordObserver): void {
    this.#observers ??= [];
    if (!this.#observers.includes(observer)) this.#observers.push(observer);
  }

  /**
   * Stops recording: later calls count as late; idempotent. Records still waiting for their span
   * stay, so that a processor can write them when that span ends; the processor unbinds the
   * session when it emits the trace.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#writes.stopWritingNow();
    if (!this.#isScope) this.#countOut();
  }

  /** Ends the session and the scope it opened (`withTracing` returning): nothing more records. */
  endScope(): void {
    this.close();
    this.#countOut();
  }

  #countOut(): void {
    if (!this.#isLive) return;
    this.#isLive = false;
    closeSession(this);
  }

  /**
   * Closes the session and forgets its trace binding: the processor is done with it. Records
   * still waiting for a span (its trace emitted at shutdown or evicted) will never be written:
   * counted as `dropped_span_events` (the JSON keeps them). `expired` (evicted by the TTL while
   * its request may still run): the session stays counted as live until unreachable, so that the
   * request's later calls reach it and count as late instead of vanishing on the fast path.
   */
  release(expired = false): void {
    const unwritten = this.#writes.waiting;
    if (unwritten > 0) {
      this.#log.countUnwritten(unwritten);
      this.#writes.clear();
    }
    if (expired && !this.closed && this.#isLive) {
      this.#isLive = false;
      watchUnclosed(this);
    }
    this.close();
    if (this.traceId !== undefined) unbindSession(this.traceId, this);
  }

  /** A new local root of the trace (another request) joins this session: it is theirs too. */
  join(span: Span | undefined): void {
    this.#joined++;
    if (this.traceId !== undefined) bindSession(this.traceId, this, span);
  }

  /** Whether other requests (local roots of the same trace) joined this session. */
  get shared(): boolean {
    return this.#joined > 0;
  }

  /** Notes that a processor holds this session's trace and will emit it. */
  markHeld(): void {
    this.#listeners.held = true;
  }

  /** Whether a processor will still emit this session's trace (see `whenEmitted`). */
  get awaitingEmission(): boolean {
    return this.#listeners.held && !this.#listeners.emitted;
  }

  /**
   * Runs `listener` with the trace the processor emits, once. False when refused: past 16
   * listeners, or already emitted (the caller then takes a snapshot itself).
   */
  whenEmitted(listener: EmitListener): boolean {
    return this.#listeners.add(listener);
  }

  /** Whether a listener waits for the emitted trace. */
  get hasEmitListeners(): boolean {
    return this.#listeners.waiting;
  }

  /** Marks the trace emitted and hands over its listeners (the processor runs them, isolated). */
  takeEmitListeners(): readonly EmitListener[] {
    return this.#listeners.take();
  }

  /**
   * Lets go of every record once the processor holds the draft, so that a context kept alive
   * by the application (a cache, a long-lived callback) holds no more than an empty session.
   */
  detach(): void {
    this.#log = detachedLog ??= new RecordLog(resolveOptions(undefined));
    this.#writes.clear();
    this.#forks = undefined;
    this.#observers = undefined;
  }

  /** A copy of everything recorded so far, as JSON (no spans: see `collect`). */
  snapshot(): Trace {
    return this.#log.draft.toTrace(this.traceId ?? INVALID_TRACEID, true);
  }
}

/** The empty log of every detached session: closed sessions never record into it. */
let detachedLog: RecordLog | undefined;

/** A call into a request whose trace was already emitted or evicted: counted, ignored. */
function late(): undefined {
  registry.stats.lateCalls++;
  return undefined;
}
