/** A JSON value as stored in meta after sanitizing (see `sanitizeMeta`). */
export type MetaValue =
  string | number | boolean | null | MetaValue[] | { [key: string]: MetaValue };

/** Meta of an event, entity or request: snake_case keys are a convention, not enforced. */
export type Meta = Record<string, MetaValue>;

/** One decision event, as in Stepmark. `timestamp` is ISO 8601; `span_id` is the span it was written on. */
export interface TraceEvent {
  stage: string;
  action: string;
  timestamp: string;
  meta?: Meta;
  span_id?: string;
  /** The service that wrote the event; set in traces rebuilt from a backend (stepmark-otel/jaeger). */
  service?: string;
  /** The task (`stepmark-otel/runtime`) the decision was recorded in: the innermost around its span. */
  task?: string;
  /** The region of that task the decision was recorded in: the innermost around its span. */
  region?: string;
}

/** Everything recorded about one entity in one request, events in recording order. */
export interface EntityTrace {
  entity_id: string;
  kind?: string;
  meta?: Meta;
  events: TraceEvent[];
}

/** What a span of `stepmark-otel/runtime` is: a task (`task`, `startTask`) or a region (`region`, `startRegion`). */
export type RuntimeSpanKind = 'task' | 'region';

/** A finished (or in-progress) OTel span in FlowTracker's shape. Times are ISO 8601. */
export interface TraceSpan {
  span_id: string;
  parent_id?: string;
  name: string;
  /** Set on the spans of `stepmark-otel/runtime`: a task or a region (absent on other spans). */
  kind?: RuntimeSpanKind;
  start_time: string;
  end_time: string;
  duration_ms: number;
  tags?: Record<string, MetaValue>;
  status?: 'ok' | 'error';
  /**
   * Set when the span had not ended when the trace was emitted (flow mode, or an incomplete
   * trace): `end_time` and `duration_ms` are then the emission time and the time open so far.
   */
  open?: boolean;
  /** The service of the span; set in traces rebuilt from a backend (stepmark-otel/jaeger). */
  service?: string;
}

/** How one entity ended up: its last decision in the request (see `EntityOutcomes`). */
export interface EntityOutcome {
  stage: string;
  action: string;
  timestamp: string;
}

/** Why a trace was emitted before its local root span ended. */
export type IncompleteReason = 'ttl' | 'capacity' | 'shutdown';

/**
 * The JSON trace of one request: what `collect()` returns and every sink receives.
 * Empty fields are omitted; counters appear only when non-zero.
 */
export interface Trace {
  trace_id: string;
  meta?: Meta;
  entities?: Record<string, EntityTrace>;
  events?: TraceEvent[];
  spans?: TraceSpan[];
  /** Events dropped by the `maxEvents` cap. */
  dropped_events?: number;
  /** Entities not created because of the `maxEntities` cap (their calls are dropped too). */
  dropped_entities?: number;
  /** Span summaries dropped by the processor's `maxSpans` cap. */
  dropped_spans?: number;
  /** Calls ignored for bad input (e.g. an undefined or empty entity id). */
  invalid_calls?: number;
  /**
   * Span events not written because the span's event limit had no room left, or because `track`
   * calls passed their cap (`max(maxEvents, maxEntities)`); the JSON keeps the decisions.
   */
  dropped_span_events?: number;
  /**
   * Meta values cut short by a cap: a string past `maxStringLength`, keys or items past 128, depth
   * past 6, the whole value past its budget (`META_BUDGET`), an entity's `track` meta past 128 keys.
   */
  truncated_meta?: number;
  /** Set when the trace was emitted before its local root span ended. */
  incomplete?: IncompleteReason;
  /** Per entity, its last decision; added by the `EntityOutcomes` analyzer. */
  outcomes?: Record<string, EntityOutcome>;
  /** State reads and writes (`stepmark-otel/concurrency`), in recording order. */
  state?: StateAccess[];
  /** State accesses not kept by the `maxStateAccesses` cap. */
  dropped_state?: number;
  /** Races found in this trace (`RaceDetector`): each names the accesses of both sides. */
  races?: Race[];
  /** Annotations written with `log` (`stepmark-otel/runtime`), in recording order. */
  logs?: TraceLog[];
  /** The chain of spans that made the request as long as it was (`CriticalPathAnalyzer`, `analyze`). */
  critical_path?: CriticalPath;
  /** Spans much slower than recent spans of the same name (`DurationAnomalies`, `analyze`). */
  anomalies?: DurationAnomaly[];
  /** Calls between services seen in the span tree (`analyze`, traces rebuilt from a backend). */
  dependencies?: ServiceDependency[];
  /** What the Node.js runtime did during the request (`RuntimeMonitor`, `stepmark-otel/runtime`). */
  runtime?: TraceRuntime;
}

/** What a garbage collection was: V8's kind of GC, from `PerformanceObserver` 'gc' entries. */
export type RuntimeGcKind = 'major' | 'minor' | 'incremental' | 'weakcb';

/** A garbage collection that overlapped the request. `start_time` is ISO 8601. */
export interface RuntimeGc {
  kind: RuntimeGcKind;
  start_time: string;
  duration_ms: number;
}

/** The event loop over the request: utilization, and how late a 10 ms timer ran (its delay). */
export interface RuntimeEventLoop {
  /** Share of the request's time the loop was busy (0 to 1), all of the process's work counted. */
  utilization: number;
  /** 99th percentile of the delay samples taken during the request; absent without one. */
  delay_p99_ms?: number;
  /** The longest delay sample taken during the request; absent without one. */
  delay_max_ms?: number;
  /** Delay samples taken during the request (one per 10 ms, and one at its end when late). */
  delay_samples: number;
}

/**
 * The event loop was held, while the request waited, by a stretch of synchronous work longer
 * than `blockedThresholdMs` (a callback and the microtasks after it). `duration_ms` is the part
 * of the stretch that was not the request's own work. `by_trace_id`, `task`, `region` and `stack`
 * name the traced request that did most of it, and the task and region it ran in (`stack`: its
 * tasks and regions, innermost first); absent when that was no traced request.
 */
export interface RuntimeBlocked {
  start_time: string;
  duration_ms: number;
  by_trace_id?: string;
  task?: string;
  region?: string;
  stack?: string[];
}

/**
 * The request held the event loop for longer than `blockedThresholdMs`: its own synchronous
 * work in one stretch, in that task and region. `blocked_trace_ids`: the traced requests that
 * were waiting meanwhile and name this one in their `blocked` (absent when none was).
 */
export interface RuntimeBlocking {
  start_time: string;
  duration_ms: number;
  task?: string;
  region?: string;
  stack?: string[];
  blocked_trace_ids?: string[];
}

/**
 * The request's time in this process, as a `RuntimeMonitor` saw it: `duration_ms` (from the
 * moment the processor held the request to its end) is `on_loop_ms` (its own synchronous work,
 * GC pauses taken out) + `blocked_ms` (others' long stretches while it waited) + `gc_ms` (GC
 * pauses) + `waiting_ms` (the rest: I/O, timers, short work of others).
 */
export interface TraceRuntime {
  duration_ms: number;
  on_loop_ms: number;
  blocked_ms: number;
  /** Absent with `gc: false` (GC pauses are then in the other parts). */
  gc_ms?: number;
  waiting_ms: number;
  gc?: RuntimeGc[];
  /** GCs past the cap of the `gc` list (their time is in `gc_ms`). */
  dropped_gc?: number;
  event_loop?: RuntimeEventLoop;
  blocked?: RuntimeBlocked[];
  /** `blocked` entries past its cap (their time is in `blocked_ms`). */
  dropped_blocked?: number;
  blocking?: RuntimeBlocking[];
  /** `blocking` entries past its cap. */
  dropped_blocking?: number;
}

/**
 * One `log(category, message, meta?)` of `stepmark-otel/runtime`: a timestamped annotation of
 * the task and region it was written in (their names; absent outside one), on the span
 * `span_id` (that region's or task's span, or the span active at the call).
 */
export interface TraceLog {
  category: string;
  message: string;
  /** ISO 8601. */
  timestamp: string;
  meta?: Meta;
  span_id?: string;
  task?: string;
  region?: string;
  /** The service that wrote it; set in traces rebuilt from a backend. */
  service?: string;
}

/** How a state access touched its variable; a delete counts as a write for races. */
export type StateAccessKind = 'read' | 'write' | 'delete';

/**
 * One read or write of a named variable (`trackStateChange`, `trackObject`). `seq` orders every
 * access of the process exactly; `task_id` is the task it ran in (the request, a `trackAsync`
 * branch, an event-loop callback). `previous` links it to the previous access of the variable
 * (set by a `RaceDetector`): `happens_before` says whether that access is ordered before it.
 */
export interface StateAccess {
  variable: string;
  access: StateAccessKind;
  value?: MetaValue;
  old_value?: MetaValue;
  trace_id: string;
  task_id: string;
  span_id?: string;
  /** The user's source location (`file:line:column`), when known. */
  location?: string;
  timestamp: string;
  seq: number;
  /** Locks the task held (`withLock`, `trackLockAcquire`). */
  locks?: string[];
  previous?: { seq: number; happens_before: boolean };
  /** The service that recorded it; set in traces rebuilt from a backend. */
  service?: string;
}

/** What kind of race: see docs/concurrency.md. */
export type RaceKind = 'lost_update' | 'write_write' | 'read_write';

/**
 * Accesses of one variable by tasks that no happens-before edge orders and no common lock
 * guards, in `seq` order: two for `write_write`/`read_write`; for `lost_update` the stale read,
 * the other task's write, and the write made from the stale read.
 */
export interface Race {
  kind: RaceKind;
  variable: string;
  accesses: StateAccess[];
}

/** A span on the critical path and the part of the path it owns (`self_ms`, no double counting). */
export interface CriticalPathSegment {
  span_id: string;
  name: string;
  /** Milliseconds from the trace's first span start. */
  start_ms: number;
  self_ms: number;
  service?: string;
  open?: boolean;
}

/** The critical path of a trace: its segments add up to `duration_ms`. */
export interface CriticalPath {
  duration_ms: number;
  segments: CriticalPathSegment[];
}

/** A span much slower than the recent spans of its name. */
export interface DurationAnomaly {
  span_id: string;
  name: string;
  duration_ms: number;
  baseline_mean_ms: number;
  baseline_stddev_ms: number;
  /** How many standard deviations above the mean. */
  score: number;
  /** Spans of that name the baseline held. */
  samples: number;
}

/** Calls from one service to another in a trace. */
export interface ServiceDependency {
  from: string;
  to: string;
  calls: number;
}
