import { listOf, objectOf, textOf } from '../core/jsonShape.js';
import type {
  RuntimeBlocked,
  RuntimeBlocking,
  RuntimeEventLoop,
  RuntimeGc,
  RuntimeGcKind,
  TraceLog,
  TraceRuntime,
} from '../types.js';
import { metaOf } from './metaOf.js';

// The `logs` and `runtime` of a trace read from a file (see `traceOf`): read, not trusted. A
// field of another type counts as absent (a required text as '', a required number as 0), an
// entry that is no object is skipped, and the lists are capped as the RuntimeMonitor caps them.

type Fields = Readonly<Record<string, unknown>>;

/** Entries kept per runtime list, as `RuntimeMonitor` keeps (the rest are counted in `dropped_*`). */
const MAX_ENTRIES = 100;
/** Frames kept per stack, as `RuntimeMonitor` keeps. */
const MAX_STACK = 16;
/** Trace ids kept per `blocking` entry. */
const MAX_BLOCKED_IDS = 100;

const GC_KINDS: ReadonlySet<unknown> = new Set<RuntimeGcKind>([
  'major',
  'minor',
  'incremental',
  'weakcb',
]);

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The objects of a list. */
function objectsOf(value: unknown): Fields[] {
  return listOf(value).flatMap((item) => {
    const fields = objectOf(item);
    return fields === undefined ? [] : [fields];
  });
}

/** The strings of a list, at most `max`; undefined when there is none. */
function textsOf(value: unknown, max: number): string[] | undefined {
  const texts = listOf(value)
    .filter((item): item is string => typeof item === 'string')
    .slice(0, max);
  return texts.length === 0 ? undefined : texts;
}

function logOf(fields: Fields): TraceLog {
  const log: TraceLog = {
    category: textOf(fields.category) ?? '',
    message: textOf(fields.message) ?? '',
    timestamp: textOf(fields.timestamp) ?? '',
  };
  const meta = metaOf(fields.meta);
  if (meta !== undefined) log.meta = meta;
  for (const key of ['span_id', 'task', 'region', 'service'] as const) {
    const text = textOf(fields[key]);
    if (text !== undefined) log[key] = text;
  }
  return log;
}

/**
 * The logs of a trace (`Trace.logs`) as read from a file.
 * @example logsOf([{ category: 'pricing', message: 'rule applied', timestamp: '…' }, 5]) // one log
 */
export function logsOf(value: unknown): TraceLog[] {
  return objectsOf(value).map(logOf);
}

/** Where in the task and region tree an entry was: `task`, `region`, `stack`. */
function placeOf(fields: Fields, into: { task?: string; region?: string; stack?: string[] }): void {
  const task = textOf(fields.task);
  if (task !== undefined) into.task = task;
  const region = textOf(fields.region);
  if (region !== undefined) into.region = region;
  const stack = textsOf(fields.stack, MAX_STACK);
  if (stack !== undefined) into.stack = stack;
}

function gcOf(fields: Fields): RuntimeGc | undefined {
  if (!GC_KINDS.has(fields.kind)) return undefined;
  return {
    kind: fields.kind as RuntimeGcKind,
    start_time: textOf(fields.start_time) ?? '',
    duration_ms: numberOf(fields.duration_ms) ?? 0,
  };
}

function blockedOf(fields: Fields): RuntimeBlocked {
  const blocked: RuntimeBlocked = {
    start_time: textOf(fields.start_time) ?? '',
    duration_ms: numberOf(fields.duration_ms) ?? 0,
  };
  const by = textOf(fields.by_trace_id);
  if (by !== undefined) blocked.by_trace_id = by;
  placeOf(fields, blocked);
  return blocked;
}

function blockingOf(fields: Fields): RuntimeBlocking {
  const blocking: RuntimeBlocking = {
    start_time: textOf(fields.start_time) ?? '',
    duration_ms: numberOf(fields.duration_ms) ?? 0,
  };
  placeOf(fields, blocking);
  const ids = textsOf(fields.blocked_trace_ids, MAX_BLOCKED_IDS);
  if (ids !== undefined) blocking.blocked_trace_ids = ids;
  return blocking;
}

function eventLoopOf(value: unknown): RuntimeEventLoop | undefined {
  const fields = objectOf(value);
  const utilization = numberOf(fields?.utilization);
  if (fields === undefined || utilization === undefined) return undefined;
  const loop: RuntimeEventLoop = {
    utilization,
    delay_samples: numberOf(fields.delay_samples) ?? 0,
  };
  const p99 = numberOf(fields.delay_p99_ms);
  if (p99 !== undefined) loop.delay_p99_ms = p99;
  const max = numberOf(fields.delay_max_ms);
  if (max !== undefined) loop.delay_max_ms = max;
  return loop;
}

/**
 * One runtime list: its first `MAX_ENTRIES` valid entries, and how many were dropped (by the
 * file's own `dropped_*` count and by this cap), or undefined for none.
 */
function listOfEntries<T>(
  value: unknown,
  read: (fields: Fields) => T | undefined,
  dropped: unknown,
): { entries: T[]; dropped: number | undefined } {
  const entries = objectsOf(value).flatMap((fields) => {
    const entry = read(fields);
    return entry === undefined ? [] : [entry];
  });
  const over = Math.max(0, entries.length - MAX_ENTRIES);
  const before = numberOf(dropped);
  const total = (before !== undefined && before > 0 ? before : 0) + over;
  return { entries: entries.slice(0, MAX_ENTRIES), dropped: total > 0 ? total : undefined };
}

/**
 * The runtime figures of a trace (`Trace.runtime`) as read from a file, or undefined when
 * `value` is no object. Lists are cut at 100 entries (the cut ones counted in `dropped_*`).
 * @example runtimeOf({ duration_ms: 10, on_loop_ms: 'x' })?.on_loop_ms // 0
 */
export function runtimeOf(value: unknown): TraceRuntime | undefined {
  const fields = objectOf(value);
  if (fields === undefined) return undefined;
  const runtime: TraceRuntime = {
    duration_ms: numberOf(fields.duration_ms) ?? 0,
    on_loop_ms: numberOf(fields.on_loop_ms) ?? 0,
    blocked_ms: numberOf(fields.blocked_ms) ?? 0,
    waiting_ms: numberOf(fields.waiting_ms) ?? 0,
  };
  const gcMs = numberOf(fields.gc_ms);
  if (gcMs !== undefined) runtime.gc_ms = gcMs;
  const gc = listOfEntries(fields.gc, gcOf, fields.dropped_gc);
  if (Array.isArray(fields.gc)) runtime.gc = gc.entries;
  if (gc.dropped !== undefined) runtime.dropped_gc = gc.dropped;
  const loop = eventLoopOf(fields.event_loop);
  if (loop !== undefined) runtime.event_loop = loop;
  const blocked = listOfEntries(fields.blocked, blockedOf, fields.dropped_blocked);
  if (Array.isArray(fields.blocked)) runtime.blocked = blocked.entries;
  if (blocked.dropped !== undefined) runtime.dropped_blocked = blocked.dropped;
  const blocking = listOfEntries(fields.blocking, blockingOf, fields.dropped_blocking);
  if (Array.isArray(fields.blocking)) runtime.blocking = blocking.entries;
  if (blocking.dropped !== undefined) runtime.dropped_blocking = blocking.dropped;
  return runtime;
}
