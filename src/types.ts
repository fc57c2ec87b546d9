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
}

/** Everything recorded about one entity in one request, events in recording order. */
export interface EntityTrace {
  entity_id: string;
  kind?: string;
  meta?: Meta;
  events: TraceEvent[];
}

/** A finished (or in-progress) OTel span in FlowTracker's shape. Times are ISO 8601. */
export interface TraceSpan {
  span_id: string;
  parent_id?: string;
  name: string;
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
}
