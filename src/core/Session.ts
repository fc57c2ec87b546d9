import { INVALID_TRACEID, TraceFlags, type Span } from '@opentelemetry/api';
import type { EntityTrace, Meta, Trace, TraceEvent } from '../types.js';
import { CallerStage, callerName } from './callerName.js';
import type { DecisionWriter } from './DecisionWriter.js';
import { entityIdsOf, EventRecord } from './EventRecord.js';
import { isoTimestamp } from './isoTimestamp.js';
import { resolveOptions, type ResolvedOptions, type StepmarkOptions } from './options.js';
import {
  bindSession,
  closeSession,
  openSession,
  registry,
  reportInternalError,
  unbindSession,
} from './registry.js';
import { cloneMeta, entityIdOf, labelOf, sanitizeMeta, setKey } from './sanitize.js';
import { isLocalRoot } from './SdkSpan.js';
import { defaultWriter } from './SpanEventWriter.js';

/** An entity of one request: its kind, merged meta and events in recording order. */
class EntityState {
  kind: string | undefined = undefined;
  meta: Meta | undefined = undefined;
  readonly events: EventRecord[] = [];
  constructor(readonly id: string) {}
}

/** Sessions of other traces one context can start (e.g. a worker running jobs as root spans). */
const MAX_FORKS = 64;
/** Listeners of one session's emitted trace (one per HTTP adapter layer that enabled it). */
const MAX_EMIT_LISTENERS = 16;

/**
 * Gets the emitted trace, and whether it holds this session's records alone (no other session
 * or joined request of the trace), i.e. whether it may be shown to this session's caller.
 */
export type EmitListener = (trace: Trace, exclusive: boolean) => void;

/** The JSON of a record; `copy` clones its meta so that the caller may mutate the result. */
function toEvent(record: EventRecord, copy: boolean): TraceEvent {
  const event: TraceEvent = {
    stage: record.stage,
    action: record.action,
    timestamp: isoTimestamp(record.time),
  };
  if (record.meta !== undefined) event.meta = copy ? cloneMeta(record.meta) : record.meta;
  if (record.spanId !== undefined) event.span_id = record.spanId;
  return event;
}

function isSampled(span: Span): boolean {
  return (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
}

/**
 * The recorder of one request (one trace), held in the OTel context under SESSION_KEY. Keeps the
 * decisions (the JSON's source of truth, immune to span limits) and the records not yet written
 * as span events: with a processor installed they are written when their span ends
 * (`flushSpan`), which keeps attribute building off the caller's path. A record made on a span
 * of another trace (a root span started inside an enabled context) goes to that trace's session.
 */
export class Session {
  /** The trace this request belongs to, once a recording span was seen. */
  traceId: string | undefined = undefined;
  closed = false;
  readonly createdAt = Date.now();
  readonly #given: StepmarkOptions | undefined;
  readonly #options: ResolvedOptions;
  /** Epoch milliseconds minus performance.now(), taken as the SDK anchors its spans. */
  readonly #epochOffset = Date.now() - performance.now();
  readonly #meta: Meta | undefined;
  readonly #entities = new Map<string, EntityState>();
  readonly #events: EventRecord[] = [];
  /** Records waiting for their span to end, per span. */
  readonly #pending = new Map<Span, EventRecord[]>();
  /** Most calls land on the span of the previous call: skip the Map lookup for them. */
  #lastSpan: Span | undefined = undefined;
  #lastPending: EventRecord[] | undefined = undefined;
  /** Records made while no span was recording; written on the local root span when it ends. */
  #orphans: EventRecord[] = [];
  /** Entity ids per span, only when writing at call time (no processor installed). */
  #idsBySpan: Map<Span, string[]> | undefined = undefined;
  /** Sessions of other traces started in this session's context, by trace id. */
  #forks: Map<string, Session> | undefined = undefined;
  #eventCount = 0;
  #trackWrites = 0;
  #droppedEvents = 0;
  #droppedEntities = 0;
  #invalidCalls = 0;
  #droppedSpanEvents = 0;
  #countedUnsampled = false;
  /** A processor holds this session's trace (it will be emitted), and whether it was. */
  #held = false;
  #emitted = false;
  /** Called with the emitted trace (an HTTP adapter's `onFinish`); see `whenEmitted`. */
  #emitListeners: Array<EmitListener> | undefined = undefined;
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
    this.#options = resolveOptions(options);
    const traceMeta = this.#options.traceMeta;
    this.#meta =
      traceMeta === undefined
        ? undefined
        : sanitizeMeta(traceMeta, this.#options.maxStringLength, this.#options.redactor);
    openSession(this);
  }

  /**
   * The open session recording `traceId`, joined if one exists, else a new one bound to it.
   * Undefined when that trace was already emitted and `span` is not a new local root of it: a
   * straggler of a finished request, which must not open a second fragment.
   */
  static forTrace(
    traceId: string,
    span: Span | undefined,
    options: StepmarkOptions | undefined,
  ): { session: Session; created: boolean } | undefined {
    const open = registry.byTrace.get(traceId)?.find((s) => !s.closed);
    if (open !== undefined) {
      open.#joined++;
      bindSession(traceId, open, span); // a new local root of the trace joins: count it
      return { session: open, created: false };
    }
    if (registry.finished.has(traceId) && (span === undefined || !isLocalRoot(span))) {
      return undefined;
    }
    const session = new Session(options);
    session.bind(traceId, span);
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
    const clock = this.#options.clock;
    if (clock === undefined) return performance.now() + this.#epochOffset;
    try {
      const t = clock().getTime();
      return Number.isFinite(t) ? t : Date.now();
    } catch (error) {
      reportInternalError('options.clock', error);
      return Date.now();
    }
  }

  /** Registers an entity or updates it: meta merges key by key, a given kind replaces the old one. */
  track(id: unknown, meta: unknown, kind: unknown, span: Span | undefined): void {
    const target = this.resolve(span);
    if (target !== this) return target?.track(id, meta, kind, span) ?? this.#late();
    if (this.closed) return this.#late();
    const entityId = this.#acceptedId(id);
    const entity = entityId === undefined ? undefined : this.#entityFor(entityId, kind);
    if (entity === undefined) return;
    const snapshot = sanitizeMeta(meta, this.#options.maxStringLength, this.#options.redactor);
    if (snapshot !== undefined) entity.meta = { ...entity.meta, ...snapshot };
    const { maxEvents, maxEntities } = this.#options;
    // A track writes a span event too; cap those writes like events so a loop cannot grow a span.
    if (maxEvents !== 0 && this.#trackWrites >= Math.max(maxEvents, maxEntities)) {
      this.#droppedSpanEvents++;
      return;
    }
    this.#trackWrites++;
    this.#attach(this.#newRecord('track', 'track', snapshot, entity, true), span);
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
      return target?.recordEntity(id, stage, action, meta, span, kind) ?? this.#late();
    }
    if (this.closed) return this.#late();
    const entityId = this.#acceptedId(id);
    if (entityId === undefined || !this.#hasRoom()) return undefined;
    const entity = this.#entityFor(entityId, kind);
    if (entity === undefined) return undefined;
    const record = this.#newRecord(
      stage,
      action,
      sanitizeMeta(meta, this.#max, this.#options.redactor),
      entity,
      false,
    );
    entity.events.push(record);
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
    if (target !== this) return target?.record(stage, action, meta, span) ?? this.#late();
    if (this.closed) return this.#late();
    if (!this.#hasRoom()) return undefined;
    const record = this.#newRecord(
      stage,
      action,
      sanitizeMeta(meta, this.#max, this.#options.redactor),
      undefined,
      false,
    );
    this.#events.push(record);
    this.#attach(record, span);
    return record.stage;
  }

  get #max(): number {
    return this.#options.maxStringLength;
  }

  #late(): undefined {
    registry.stats.lateCalls++;
    return undefined;
  }

  #newRecord(
    stage: unknown,
    action: unknown,
    meta: Meta | undefined,
    entity: EntityState | undefined,
    isTrack: boolean,
  ): EventRecord {
    if (!isTrack) this.#eventCount++;
    const max = this.#max;
    const clock = this.#options.clock;
    const perf = clock === undefined ? performance.now() : Number.NaN;
    return new EventRecord(
      stage instanceof CallerStage ? callerName(stage.api) : labelOf(stage, max),
      labelOf(action, max),
      clock === undefined ? perf + this.#epochOffset : this.now(),
      perf,
      meta,
      entity?.id,
      entity?.kind,
      isTrack,
      registry.seq++,
    );
  }

  /** The entity id a call is recorded under, or undefined when invalid (counted) or filtered out. */
  #acceptedId(id: unknown): string | undefined {
    const entityId = entityIdOf(id, this.#max);
    if (entityId === undefined) {
      this.#invalidCalls++;
      return undefined;
    }
    const filter = this.#options.entityFilter;
    if (filter === undefined) return entityId;
    try {
      return filter(entityId) === true ? entityId : undefined;
    } catch (error) {
      reportInternalError('options.entityFilter', error);
      return undefined;
    }
  }

  #hasRoom(): boolean {
    const max = this.#options.maxEvents;
    if (max === 0 || this.#eventCount < max) return true;
    this.#droppedEvents++;
    return false;
  }

  /** The entity to record on, created if unseen (within the cap), for an accepted id. */
  #entityFor(entityId: string, kind: unknown): EntityState | undefined {
    let entity = this.#entities.get(entityId);
    if (entity === undefined) {
      if (this.#entities.size >= this.#options.maxEntities) {
        this.#droppedEntities++;
        return undefined;
      }
      entity = new EntityState(entityId);
      this.#entities.set(entityId, entity);
    }
    if (kind !== undefined && kind !== null) entity.kind = labelOf(kind, this.#max);
    return entity;
  }

  #attach(record: EventRecord, span: Span | undefined): void {
    if (span === undefined || !span.isRecording()) {
      if (span !== undefined && !this.#countedUnsampled && !isSampled(span)) {
        this.#countedUnsampled = true;
        registry.stats.unsampledRequests++;
      }
      this.#orphans.push(record);
      return;
    }
    const spanContext = span.spanContext();
    record.spanId = spanContext.spanId;
    if (this.traceId === undefined) this.bind(spanContext.traceId, span);
    if (registry.processors.size === 0) {
      this.#writeNow(span, record);
      return;
    }
    let list = span === this.#lastSpan ? this.#lastPending : this.#pending.get(span);
    if (list === undefined) {
      list = [];
      this.#pending.set(span, list);
    }
    this.#lastSpan = span;
    this.#lastPending = list;
    list.push(record);
  }

  /** No processor will see the span end: write now, at the cost of building attributes here. */
  #writeNow(span: Span, record: EventRecord): void {
    this.#idsBySpan ??= new Map();
    let ids = this.#idsBySpan.get(span);
    if (ids === undefined) this.#idsBySpan.set(span, (ids = []));
    if (record.entityId !== undefined && !ids.includes(record.entityId)) ids.push(record.entityId);
    try {
      // One record at a time: an overflow span each would flood the exporter; count instead.
      this.#droppedSpanEvents += defaultWriter.write(span, [record], ids, false);
    } catch (error) {
      reportInternalError('span event write', error);
    }
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
   * On the local root it also writes the records made with no span and the request meta.
   */
  flushSpan(span: Span, writer: DecisionWriter, isRoot: boolean): void {
    let records = this.#pending.get(span);
    if (records !== undefined) {
      this.#pending.delete(span);
      if (this.#lastSpan === span) {
        this.#lastSpan = undefined;
        this.#lastPending = undefined;
      }
    }
    if (isRoot && this.#orphans.length > 0) {
      const spanId = span.spanContext().spanId;
      for (const orphan of this.#orphans) orphan.spanId = spanId;
      records = records === undefined ? this.#orphans : records.concat(this.#orphans);
      this.#orphans = [];
    }
    if (records !== undefined) {
      this.#droppedSpanEvents += writer.write(span, records, entityIdsOf(records));
    }
    if (isRoot && this.#meta !== undefined) writer.writeTraceMeta(span, this.#meta);
    if (isRoot && this.#pending.size > 0) this.#flushStragglers(writer, span);
  }

  /**
   * Records of spans still open when the last local root ends (instrumentation-express ends its
   * handler span after the response): the trace is emitted next, so they are written now, on
   * their span while it still records, else on the root.
   */
  #flushStragglers(writer: DecisionWriter, root: Span): void {
    for (const [open, records] of this.#pending) {
      const target = open.isRecording() ? open : root;
      if (target === root) for (const r of records) r.spanId = root.spanContext().spanId;
      this.#droppedSpanEvents += writer.write(target, records, entityIdsOf(records));
    }
    this.#pending.clear();
    this.#lastSpan = undefined;
    this.#lastPending = undefined;
  }

  /**
   * Stops recording: later calls count as late; idempotent. Records still waiting for their span
   * stay, so that a processor can write them when that span ends; the processor unbinds the
   * session when it emits the trace.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#idsBySpan = undefined;
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

  /** Closes the session and forgets its trace binding: the processor is done with it. */
  release(): void {
    this.close();
    if (this.traceId !== undefined) unbindSession(this.traceId, this);
  }

  /** Whether other requests (local roots of the same trace) joined this session. */
  get shared(): boolean {
    return this.#joined > 0;
  }

  /** Notes that a processor holds this session's trace and will emit it. */
  markHeld(): void {
    this.#held = true;
  }

  /** Whether a processor will still emit this session's trace (see `whenEmitted`). */
  get awaitingEmission(): boolean {
    return this.#held && !this.#emitted;
  }

  /**
   * Runs `listener` with the trace the processor emits, once. False when refused: past 16
   * listeners, or already emitted (the caller then takes a snapshot itself).
   */
  whenEmitted(listener: EmitListener): boolean {
    if (this.#emitted) return false;
    this.#emitListeners ??= [];
    if (this.#emitListeners.length >= MAX_EMIT_LISTENERS) return false;
    this.#emitListeners.push(listener);
    return true;
  }

  /** Marks the trace emitted and hands over its listeners (the processor runs them, isolated). */
  takeEmitListeners(): ReadonlyArray<EmitListener> {
    this.#emitted = true;
    const listeners = this.#emitListeners ?? [];
    this.#emitListeners = undefined;
    return listeners;
  }

  /**
   * Drops every record once the trace was emitted, so that a context kept alive by the
   * application (a cache, a long-lived callback) holds no more than an empty session.
   */
  discard(): void {
    this.#entities.clear();
    this.#events.length = 0;
    this.#pending.clear();
    this.#orphans = [];
    this.#forks = undefined;
    this.#lastSpan = undefined;
    this.#lastPending = undefined;
  }

  /**
   * The JSON of everything recorded so far. With `copy` (the default) every object is new and
   * safe to mutate; without it, meta objects are shared with the session, which is only safe once
   * the session is released (the processor's final emission).
   */
  snapshot(copy = true): Trace {
    const trace: Trace = { trace_id: this.traceId ?? INVALID_TRACEID };
    const clone = <T extends Meta>(meta: T): T => (copy ? cloneMeta(meta) : meta);
    const convert = (record: EventRecord): TraceEvent => toEvent(record, copy);
    if (this.#meta !== undefined) trace.meta = clone(this.#meta);
    if (this.#entities.size > 0) {
      const entities: Record<string, EntityTrace> = {};
      for (const entity of this.#entities.values()) {
        const out = { entity_id: entity.id } as EntityTrace;
        if (entity.kind !== undefined) out.kind = entity.kind;
        if (entity.meta !== undefined) out.meta = clone(entity.meta);
        out.events = entity.events.map(convert);
        setKey(entities, entity.id, out);
      }
      trace.entities = entities;
    }
    if (this.#events.length > 0) trace.events = this.#events.map(convert);
    if (this.#droppedEvents > 0) trace.dropped_events = this.#droppedEvents;
    if (this.#droppedEntities > 0) trace.dropped_entities = this.#droppedEntities;
    if (this.#invalidCalls > 0) trace.invalid_calls = this.#invalidCalls;
    if (this.#droppedSpanEvents > 0) trace.dropped_span_events = this.#droppedSpanEvents;
    return trace;
  }
}
