import { listOf, objectOf, textOf } from '../core/jsonShape.js';
import { META_BUDGET, sanitizeValue, setKey } from '../core/sanitize.js';
import { TRACE_COUNTERS } from '../core/records/TraceDraft.js';
import { metaOf } from './metaOf.js';
import { logsOf, runtimeOf } from './runtimeOf.js';
import type {
  EntityTrace,
  IncompleteReason,
  MetaValue,
  Race,
  RaceKind,
  StateAccess,
  StateAccessKind,
  Trace,
  TraceEvent,
  TraceSpan,
} from '../types.js';

// A trace read from a file is read, not trusted: anyone who can write to the file, or to what
// ends up in it, chooses its shape. Fields of another type count as absent (a required text as
// ''), and every value the CLI prints as JSON is capped as live meta is (depth, keys, budget):
// JSON.parse takes a million levels of nesting, JSON.stringify overflows the stack on them.

type Fields = Readonly<Record<string, unknown>>;

const COUNTERS = TRACE_COUNTERS;

const INCOMPLETE: ReadonlySet<unknown> = new Set<IncompleteReason>(['ttl', 'capacity', 'shutdown']);

/** Fields read one by one below; any other field is kept, capped (`sanitizeValue`). */
const KNOWN = new Set<string>([
  'trace_id',
  'meta',
  'entities',
  'events',
  'spans',
  'incomplete',
  'state',
  'races',
  'logs',
  'runtime',
  ...COUNTERS,
]);

const ACCESSES: ReadonlySet<unknown> = new Set<StateAccessKind>(['read', 'write', 'delete']);
const RACE_KINDS: ReadonlySet<unknown> = new Set<RaceKind>([
  'lost_update',
  'write_write',
  'read_write',
]);

function eventOf(fields: Fields): TraceEvent {
  const event: TraceEvent = {
    stage: textOf(fields.stage) ?? '',
    action: textOf(fields.action) ?? '',
    timestamp: textOf(fields.timestamp) ?? '',
  };
  const meta = metaOf(fields.meta);
  if (meta !== undefined) event.meta = meta;
  const spanId = textOf(fields.span_id);
  if (spanId !== undefined) event.span_id = spanId;
  const service = textOf(fields.service);
  if (service !== undefined) event.service = service;
  return event;
}

function eventsOf(value: unknown): TraceEvent[] {
  return listOf(value).flatMap((item) => {
    const fields = objectOf(item);
    return fields === undefined ? [] : [eventOf(fields)];
  });
}

function spanOf(fields: Fields): TraceSpan {
  const duration = fields.duration_ms;
  const span: TraceSpan = {
    span_id: textOf(fields.span_id) ?? '',
    name: textOf(fields.name) ?? '',
    start_time: textOf(fields.start_time) ?? '',
    end_time: textOf(fields.end_time) ?? '',
    duration_ms: typeof duration === 'number' && Number.isFinite(duration) ? duration : 0,
  };
  const parent = textOf(fields.parent_id);
  if (parent !== undefined) span.parent_id = parent;
  if (fields.kind === 'task' || fields.kind === 'region') span.kind = fields.kind;
  const tags = metaOf(fields.tags);
  if (tags !== undefined) span.tags = tags;
  if (fields.status === 'ok' || fields.status === 'error') span.status = fields.status;
  const service = textOf(fields.service);
  if (service !== undefined) span.service = service;
  if (fields.open === true) span.open = true;
  return span;
}

function valueOf(value: unknown): MetaValue | undefined {
  return value === undefined ? undefined : sanitizeValue(value, META_BUDGET.chars);
}

/** A state access, or undefined when it lacks its variable, access, task or order. */
function stateAccessOf(fields: Fields): StateAccess | undefined {
  const variable = textOf(fields.variable);
  const seq = fields.seq;
  if (variable === undefined || !ACCESSES.has(fields.access)) return undefined;
  if (typeof seq !== 'number' || !Number.isFinite(seq)) return undefined;
  const access: StateAccess = {
    variable,
    access: fields.access as StateAccessKind,
    trace_id: textOf(fields.trace_id) ?? '',
    task_id: textOf(fields.task_id) ?? '',
    timestamp: textOf(fields.timestamp) ?? '',
    seq,
  };
  const value = valueOf(fields.value);
  if (value !== undefined) access.value = value;
  const old = valueOf(fields.old_value);
  if (old !== undefined) access.old_value = old;
  for (const key of ['span_id', 'location', 'service'] as const) {
    const text = textOf(fields[key]);
    if (text !== undefined) access[key] = text;
  }
  const locks = listOf(fields.locks).filter((l): l is string => typeof l === 'string');
  if (locks.length > 0) access.locks = locks;
  const previous = objectOf(fields.previous);
  if (previous !== undefined && typeof previous.seq === 'number') {
    access.previous = { seq: previous.seq, happens_before: previous.happens_before === true };
  }
  return access;
}

function stateOf(value: unknown): StateAccess[] {
  return listOf(value).flatMap((item) => {
    const fields = objectOf(item);
    const access = fields === undefined ? undefined : stateAccessOf(fields);
    return access === undefined ? [] : [access];
  });
}

function racesOf(value: unknown): Race[] {
  return listOf(value).flatMap((item) => {
    const fields = objectOf(item);
    const variable = textOf(fields?.variable);
    if (fields === undefined || variable === undefined || !RACE_KINDS.has(fields.kind)) return [];
    return [{ kind: fields.kind as RaceKind, variable, accesses: stateOf(fields.accesses) }];
  });
}

function entitiesOf(value: unknown): Record<string, EntityTrace> | undefined {
  const fields = objectOf(value);
  if (fields === undefined) return undefined;
  const entities: Record<string, EntityTrace> = {};
  for (const [id, item] of Object.entries(fields)) {
    const e = objectOf(item);
    if (e === undefined) continue;
    const entity: EntityTrace = {
      entity_id: textOf(e.entity_id) ?? id,
      events: eventsOf(e.events),
    };
    const kind = textOf(e.kind);
    if (kind !== undefined) entity.kind = kind;
    const meta = metaOf(e.meta);
    if (meta !== undefined) entity.meta = meta;
    setKey(entities, id, entity);
  }
  return entities;
}

/**
 * The trace `value` holds, in the JSON shape of the SPEC, or undefined when it is no object with
 * a `trace_id` text. A field of another type counts as absent (an event's stage, action or
 * timestamp as ''); an event, entity, span or log that is no object is skipped; `logs` and
 * `runtime` are read by `logsOf` and `runtimeOf`; meta, tags and fields
 * this version does not know (an analyzer's findings) are capped as live meta is.
 * @example traceOf(JSON.parse(line))?.entities
 */
export function traceOf(value: unknown): Trace | undefined {
  const fields = objectOf(value);
  const traceId = textOf(fields?.trace_id);
  if (fields === undefined || traceId === undefined || traceId === '') return undefined;
  const trace: Trace = { trace_id: traceId };
  const meta = metaOf(fields.meta);
  if (meta !== undefined) trace.meta = meta;
  const entities = entitiesOf(fields.entities);
  if (entities !== undefined) trace.entities = entities;
  if (Array.isArray(fields.events)) trace.events = eventsOf(fields.events);
  if (Array.isArray(fields.spans)) {
    trace.spans = listOf(fields.spans).flatMap((item) => {
      const span = objectOf(item);
      return span === undefined ? [] : [spanOf(span)];
    });
  }
  for (const key of COUNTERS) {
    const n = fields[key];
    if (typeof n === 'number' && Number.isFinite(n) && n > 0) trace[key] = n;
  }
  if (Array.isArray(fields.state)) trace.state = stateOf(fields.state);
  if (Array.isArray(fields.races)) trace.races = racesOf(fields.races);
  if (Array.isArray(fields.logs)) trace.logs = logsOf(fields.logs);
  const runtime = runtimeOf(fields.runtime);
  if (runtime !== undefined) trace.runtime = runtime;
  if (INCOMPLETE.has(fields.incomplete)) trace.incomplete = fields.incomplete as IncompleteReason;
  const extra = trace as unknown as Record<string, unknown>;
  for (const [key, item] of Object.entries(fields)) {
    if (KNOWN.has(key)) continue;
    const kept = sanitizeValue(item, META_BUDGET.chars);
    if (kept !== undefined) setKey(extra, key, kept);
  }
  return trace;
}
