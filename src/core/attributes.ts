/** Attribute and event names of SPEC.md: the contract with Jaeger searches and other readers. */
export const ATTR_STAGE = 'stepmark.stage';
export const ATTR_ACTION = 'stepmark.action';
export const ATTR_ENTITY_ID = 'stepmark.entity.id';
export const ATTR_ENTITY_KIND = 'stepmark.entity.kind';
export const ATTR_META_PREFIX = 'stepmark.meta.';
export const ATTR_TRACE_META_PREFIX = 'stepmark.trace.meta.';
/** Span attribute: the entity ids touched on that span, so that backends can search them. */
export const ATTR_ENTITY_IDS = 'stepmark.entity.ids';
/** Span attribute: decision events this span lost to the SDK's event limit (the JSON keeps them). */
export const ATTR_DROPPED_SPAN_EVENTS = 'stepmark.dropped_span_events';

/** Span event name of a decision (`record`, `recordEntity`, `step`, `enter`, ...). */
export const EVENT_DECISION = 'stepmark.event';
/** Span event name of `track`. */
export const EVENT_TRACK = 'stepmark.track';
