/** Attribute and event names of SPEC.md: the contract with Jaeger searches and other readers. */
export const ATTR_STAGE = 'stepmark.stage';
export const ATTR_ACTION = 'stepmark.action';
export const ATTR_ENTITY_ID = 'stepmark.entity.id';
export const ATTR_ENTITY_KIND = 'stepmark.entity.kind';
export const ATTR_META_PREFIX = 'stepmark.meta.';
export const ATTR_TRACE_META_PREFIX = 'stepmark.trace.meta.';
/** Span attribute: the entity ids touched on that span, so that backends can search them. */
export const ATTR_ENTITY_IDS = 'stepmark.entity.ids';
/** Span attribute: entity ids touched on the span past the 1,000 listed in ATTR_ENTITY_IDS. */
export const ATTR_ENTITY_IDS_DROPPED = 'stepmark.entity.ids_dropped';
/**
 * Span attribute: decision events not written on this span because its event limit had no room
 * left (writing them would push out the application's own events); the JSON keeps them.
 */
export const ATTR_DROPPED_SPAN_EVENTS = 'stepmark.dropped_span_events';

/**
 * Event attribute: the event's recording order in this process (all requests). Backends
 * order by time, and the spans of one process may disagree by a millisecond; this restores the
 * exact order when a trace is read back (stepmark-otel/jaeger).
 */
export const ATTR_SEQ = 'stepmark.seq';

/** Span attribute: a random id of the process that wrote the span's decisions (see ATTR_SEQ). */
export const ATTR_PROCESS = 'stepmark.process';

/** Attribute of an overflow span: the id of the span whose decisions it continues. */
export const ATTR_OVERFLOW_OF = 'stepmark.overflow_of';

/**
 * The span event name decisions were written under before they were named `<stage>: <action>`;
 * readers (stepmark-otel/jaeger, the CLI) still recognise it. Decisions are recognised by their
 * attributes (`stepmark.stage` and `stepmark.action`), whatever their name.
 */
export const EVENT_DECISION = 'stepmark.event';
/** Span event name of `track`. */
export const EVENT_TRACK = 'stepmark.track';

/**
 * Local root span attribute: the decisions the request recorded (its session's count), so that a
 * search can find the requests that decided anything (`stepmark.decisions>0` in a backend that
 * compares numbers).
 */
export const ATTR_DECISIONS = 'stepmark.decisions';
/**
 * Local root span attribute: how each entity ended up, its last decision, as
 * `<entity id>: <stage>: <action>` (at most 32 entities, in first-recorded order).
 */
export const ATTR_OUTCOMES = 'stepmark.outcomes';
/**
 * Local root span attribute: the version of these names and shapes
 * (`docs/semantic-conventions.md`), so that dashboards can tell which contract a trace follows.
 */
export const ATTR_CONVENTIONS_VERSION = 'stepmark.conventions.version';
/** The version of `docs/semantic-conventions.md` the code writes. */
export const CONVENTIONS_VERSION = '1';

/** Span event name of a race found by a `RaceDetector` (on the spans of both accesses). */
export const EVENT_RACE = 'stepmark.race';
/** State access attributes (`stepmark-otel/concurrency`): the variable, how it was touched, by whom. */
export const ATTR_STATE_VARIABLE = 'stepmark.state.variable';
export const ATTR_STATE_ACCESS = 'stepmark.state.access';
export const ATTR_STATE_VALUE = 'stepmark.state.value';
export const ATTR_STATE_OLD_VALUE = 'stepmark.state.old_value';
export const ATTR_STATE_TASK = 'stepmark.state.task';
export const ATTR_STATE_LOCATION = 'stepmark.state.location';
export const ATTR_STATE_LOCKS = 'stepmark.state.locks';
/** The previous access of the variable (its `stepmark.seq`) and whether it happens before this one. */
export const ATTR_STATE_PREVIOUS = 'stepmark.state.previous_seq';
export const ATTR_STATE_PREVIOUS_HB = 'stepmark.state.previous_happens_before';
/** Race attributes: its kind, variable, and the accesses (JSON, as in `Trace.races`). */
export const ATTR_RACE_KIND = 'stepmark.race.kind';
export const ATTR_RACE_VARIABLE = 'stepmark.race.variable';
export const ATTR_RACE_ACCESSES = 'stepmark.race.accesses';

/**
 * Span attribute of the spans `stepmark-otel/runtime` starts: `task` (`task`, `startTask`) or
 * `region` (`region`, `startRegion`); the JSON shows it as the span's `kind`.
 */
export const ATTR_RUNTIME_KIND = 'stepmark.runtime.kind';
/**
 * Span attribute, true on a region ended because the task or region it was started in ended
 * first (out of order): it ended with it.
 */
export const ATTR_RUNTIME_ENDED_BY_PARENT = 'stepmark.runtime.ended_by_parent';
/** Log attributes (`log(category, message, meta?)` of `stepmark-otel/runtime`). */
export const ATTR_LOG_CATEGORY = 'stepmark.log.category';
export const ATTR_LOG_MESSAGE = 'stepmark.log.message';
/** The task and the region the log was written in (their names), when in one. */
export const ATTR_LOG_TASK = 'stepmark.log.task';
export const ATTR_LOG_REGION = 'stepmark.log.region';
