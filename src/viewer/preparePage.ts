import { auditTrail } from '../analysis/auditTrail.js';
import { criticalPath } from '../analysis/criticalPath.js';
import { spanForest, spansInOrder, type SpanNode } from '../export/formats/spanTree.js';
import { runtimeOf } from '../cli/runtimeOf.js';
import { jaegerTraceUrl } from '../jaeger/traceUrl.js';
import type { MetaValue, StateAccess, StateAccessKind, TraceSpan } from '../types.js';
import type {
  AccessView,
  CriticalPathView,
  EntityView,
  EventView,
  MetaRow,
  PageData,
  PathSegmentView,
  RaceView,
  RuntimeEventView,
  RuntimeView,
  SpanView,
  TraceView,
  VariableView,
} from './PageData.js';
import { sankeyLayout } from './sankeyLayout.js';
import type { CheckedViewerOptions } from './ViewerOptions.js';

/**
 * What one page embeds at most. A page holds what fits in a browser tab: past a cap the rest is
 * left out, and the page says so.
 * @example processor.recent(PAGE_LIMITS.traces)
 */
export const PAGE_LIMITS = {
  /** Traces shown. */
  traces: 1_000,
  /** Items of the input looked at (a sparse array of length 2³² would take minutes to walk). */
  items: 100_000,
  /** Decisions, over all traces. */
  decisions: 100_000,
  /** Entities, over all traces. */
  entities: 100_000,
  /** Spans, over all traces. */
  spans: 20_000,
  /** Races (`trace.races`), over all traces. */
  races: 10_000,
  /** Accesses of one race (a race has two or three). */
  raceAccesses: 8,
  /** State accesses (`trace.state`), over all traces. */
  state: 100_000,
  /** Segments of critical paths, over all traces. */
  pathSegments: 20_000,
  /** Characters of any one text (an id, a stage, a meta value as JSON). */
  text: 1_000,
  /** Entries of one meta object, and items of one array in a meta value. */
  entries: 128,
  /** Depth of a meta value shown. */
  depth: 6,
} as const;

/**
 * Action words that read as a rejection, matched as whole words of the action (`fraud_blocked`,
 * `Rejected`): an entity whose last decision has one stands out. A decision recorded with one of
 * the session's `errorActions` stands out too, whatever its word: its span carries the error.
 * @example FAILING_WORDS.has('blocked') // true
 */
export const FAILING_WORDS: ReadonlySet<string> = new Set([
  'rejected',
  'reject',
  'blocked',
  'denied',
  'declined',
  'failed',
  'fail',
  'failure',
  'refused',
  'error',
  'errored',
  'invalid',
  'cancelled',
  'canceled',
  'aborted',
  'timeout',
]);

/**
 * Whether an action reads as a rejection (see `FAILING_WORDS`).
 * @example isFailingAction('payment_declined') // true
 */
export function isFailingAction(action: string): boolean {
  for (const word of action.toLowerCase().split(/[^a-z]+/))
    if (FAILING_WORDS.has(word)) return true;
  return false;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** What the page left out of one trace, counted while reading it. */
interface Cuts {
  /** Parts that are not what the Trace shape says (an entity that is a number, an event without a stage). */
  malformed: number;
  texts: number;
  entries: number;
  decisions: number;
  entities: number;
  spans: number;
  /** Races, state accesses or critical path segments not in the trace format. */
  malformedAnalyses: number;
  races: number;
  raceAccesses: number;
  state: number;
  segments: number;
}

/** What is left of the page's caps. */
interface Budget {
  decisions: number;
  entities: number;
  spans: number;
  races: number;
  state: number;
  segments: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cut(value: string, cuts: Cuts): string {
  if (value.length <= PAGE_LIMITS.text) return value;
  cuts.texts++;
  return `${value.slice(0, PAGE_LIMITS.text)}…`;
}

/** A string (cut), a finite number or a boolean as text; undefined for anything else. */
function textOf(value: unknown, cuts: Cuts): string | undefined {
  if (typeof value === 'string') return cut(value, cuts);
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
    return String(value);
  return undefined;
}

/** Any value as compact JSON, cut at `PAGE_LIMITS.text` characters, depth and entries capped. */
function jsonText(value: unknown, cuts: Cuts): string {
  const parts: string[] = [];
  let length = 0;
  let full = false;
  const push = (part: string): void => {
    if (full) return;
    if (length + part.length > PAGE_LIMITS.text) {
      parts.push(part.slice(0, PAGE_LIMITS.text - length));
      full = true;
    } else {
      parts.push(part);
      length += part.length;
    }
  };
  const walk = (v: unknown, depth: number): void => {
    if (full) return;
    if (typeof v === 'string') return push(JSON.stringify(v.slice(0, PAGE_LIMITS.text + 1)));
    if (typeof v === 'number') return push(Number.isFinite(v) ? String(v) : 'null');
    if (typeof v === 'boolean' || v === null) return push(String(v));
    if (typeof v === 'bigint') return push(String(v));
    if (typeof v !== 'object') return push('null');
    if (depth >= PAGE_LIMITS.depth) {
      cuts.entries++;
      return push(Array.isArray(v) ? '[…]' : '{…}');
    }
    if (Array.isArray(v)) {
      const items = v as unknown[];
      push('[');
      const n = Math.min(items.length, PAGE_LIMITS.entries);
      for (let i = 0; i < n && !full; i++) {
        if (i > 0) push(',');
        walk(items[i], depth + 1);
      }
      if (items.length > n) {
        cuts.entries += items.length - n;
        push(',…');
      }
      return push(']');
    }
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record);
    push('{');
    const n = Math.min(keys.length, PAGE_LIMITS.entries);
    for (let i = 0; i < n && !full; i++) {
      const key = keys[i] as string;
      if (i > 0) push(',');
      push(`${JSON.stringify(key.slice(0, PAGE_LIMITS.text))}:`);
      walk(record[key], depth + 1);
    }
    if (keys.length > n) {
      cuts.entries += keys.length - n;
      push(',…');
    }
    push('}');
  };
  try {
    walk(value, 0);
  } catch {
    push('…(unreadable)'); // a getter or a Proxy trap that throws
  }
  if (!full) return parts.join('');
  cuts.texts++;
  return `${parts.join('')}…`;
}

/** A meta value as text: a string as it is, anything else as JSON. */
function valueText(value: unknown, cuts: Cuts): string {
  if (typeof value === 'string') return cut(value, cuts);
  if (value === undefined) return 'undefined';
  return jsonText(value, cuts);
}

/** The entries of a meta object (or of span tags) as rows; anything else has none. */
function metaRows(meta: unknown, cuts: Cuts): MetaRow[] {
  if (meta === undefined) return [];
  if (!isRecord(meta)) {
    cuts.malformed++;
    return [];
  }
  const rows: MetaRow[] = [];
  const keys = Object.keys(meta);
  const n = Math.min(keys.length, PAGE_LIMITS.entries);
  for (let i = 0; i < n; i++) {
    const key = keys[i] as string;
    let value: string;
    try {
      value = valueText(meta[key], cuts);
    } catch {
      value = '(unreadable)';
    }
    rows.push([cut(key, cuts), value]);
  }
  cuts.entries += keys.length - n;
  return rows;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT(\d\d:\d\d:\d\d(?:\.\d{1,3})?)/;

/** `HH:MM:SS.mmm` of an ISO timestamp; else the value as text; '' when there is none. */
function timeOf(value: unknown, cuts: Cuts): string {
  if (typeof value === 'string') {
    const match = ISO_TIME.exec(value);
    if (match !== null) return match[1] as string;
  }
  return textOf(value, cuts) ?? '';
}

/** A span's fields as read from the input, checked; what `spanForest` is given. */
interface ReadSpan extends TraceSpan {
  readonly tagRows: MetaRow[];
  readonly startMs: number;
}

/** The spans of the trace as checked copies (never the input's own objects); undefined when malformed. */
function readSpan(raw: unknown, cuts: Cuts): ReadSpan | undefined {
  if (!isRecord(raw) || typeof raw.span_id !== 'string') return undefined;
  const startMs = typeof raw.start_time === 'string' ? Date.parse(raw.start_time) : Number.NaN;
  const endMs = typeof raw.end_time === 'string' ? Date.parse(raw.end_time) : Number.NaN;
  const given = raw.duration_ms;
  const duration =
    typeof given === 'number' && Number.isFinite(given) && given >= 0
      ? given
      : Number.isFinite(endMs - startMs) && endMs >= startMs
        ? endMs - startMs
        : 0;
  const span: ReadSpan = {
    span_id: raw.span_id,
    name: textOf(raw.name, cuts) ?? '(unnamed)',
    start_time: typeof raw.start_time === 'string' ? raw.start_time : '',
    end_time: typeof raw.end_time === 'string' ? raw.end_time : '',
    duration_ms: duration,
    tagRows: metaRows(raw.tags, cuts),
    startMs,
  };
  if (typeof raw.parent_id === 'string') span.parent_id = raw.parent_id;
  if (raw.status === 'error') span.status = 'error';
  if (raw.open === true) span.open = true;
  if (raw.kind === 'task' || raw.kind === 'region') span.kind = raw.kind;
  const service = textOf(raw.service, cuts);
  if (service !== undefined) span.service = service;
  return span;
}

/** The trace's spans in tree order, and what the events need to find theirs. */
interface SpanRows {
  /** The spans read (checked copies), in the trace's order: what the critical path is computed from. */
  read: ReadSpan[];
  rows: SpanView[];
  indexOf: Map<string, number>;
  /** `otel.status_description` of the spans with error status, by index: the errorActions decision. */
  errorOf: Map<number, string>;
  forest: SpanNode[];
  start: number;
  end: number;
}

function readSpans(given: unknown, cuts: Cuts, budget: Budget): SpanRows {
  const read: ReadSpan[] = [];
  if (Array.isArray(given)) {
    const list = given as unknown[];
    const n = Math.min(list.length, budget.spans);
    for (let i = 0; i < n; i++) {
      let span: ReadSpan | undefined;
      try {
        span = readSpan(list[i], cuts);
      } catch {
        span = undefined;
      }
      if (span === undefined) cuts.malformed++;
      else read.push(span);
    }
    cuts.spans += list.length - n;
    budget.spans -= n;
  } else if (given !== undefined) {
    cuts.malformed++;
  }
  const forest = spanForest({ spans: read });
  const ordered = spansInOrder(forest);
  cuts.malformed += read.length - ordered.length; // repeated span ids: the first one is shown
  const ids = new Set(ordered.map((node) => node.span.span_id));
  let start = Number.POSITIVE_INFINITY;
  for (const node of ordered) start = Math.min(start, (node.span as ReadSpan).startMs);
  let end = start;
  const rows: SpanView[] = [];
  const indexOf = new Map<string, number>();
  const errorOf = new Map<number, string>();
  for (const node of ordered) {
    const span = node.span as ReadSpan;
    const offset = Number.isFinite(span.startMs) ? span.startMs - start : -1;
    if (offset >= 0) end = Math.max(end, span.startMs + span.duration_ms);
    const row: SpanView = {
      id: cut(span.span_id, cuts),
      name: span.name,
      depth: node.depth,
      offset,
      duration: span.duration_ms,
      tags: span.tagRows,
      decisions: 0,
    };
    if (span.status === 'error') {
      row.error = true;
      const description = span.tagRows.find(([key]) => key === 'otel.status_description');
      errorOf.set(rows.length, description?.[1] ?? '');
    }
    if (span.open === true) row.open = true;
    if (span.kind !== undefined) row.kind = span.kind;
    if (span.service !== undefined) row.service = span.service;
    if (span.parent_id !== undefined && node.depth === 0 && !ids.has(span.parent_id))
      row.orphan = true;
    indexOf.set(span.span_id, rows.length);
    rows.push(row);
  }
  return { read, rows, indexOf, errorOf, forest, start, end };
}

/** Roots that name a parent present in the trace: cut out of a parent cycle by `spanForest`. */
function cycleCuts(forest: readonly SpanNode[], indexOf: Map<string, number>): number {
  let n = 0;
  for (const root of forest) {
    const parent = root.span.parent_id;
    if (parent !== undefined && indexOf.has(parent)) n++;
  }
  return n;
}

function readEvent(raw: unknown, spans: SpanRows, cuts: Cuts): EventView | undefined {
  if (!isRecord(raw)) return undefined;
  const stage = textOf(raw.stage, cuts);
  const action = textOf(raw.action, cuts);
  if (stage === undefined || action === undefined) return undefined;
  const event: EventView = {
    stage,
    action,
    time: timeOf(raw.timestamp, cuts),
    meta: metaRows(raw.meta, cuts),
  };
  const span = typeof raw.span_id === 'string' ? spans.indexOf.get(raw.span_id) : undefined;
  if (span !== undefined) {
    event.span = span;
    (spans.rows[span] as SpanView).decisions++;
  }
  const service = textOf(raw.service, cuts);
  if (service !== undefined) event.service = service;
  // errorActions mark the decision's span with the description `<stage>: <action>`.
  const marked = span !== undefined && spans.errorOf.get(span) === `${stage}: ${action}`;
  if (marked || isFailingAction(action)) event.failing = true;
  return event;
}

/** Up to the page's budget of the events of a list, counting what is malformed or cut. */
function readEvents(given: unknown, spans: SpanRows, cuts: Cuts, budget: Budget): EventView[] {
  if (given === undefined) return [];
  if (!Array.isArray(given)) {
    cuts.malformed++;
    return [];
  }
  const list = given as unknown[];
  const n = Math.min(list.length, Math.max(0, budget.decisions));
  const events: EventView[] = [];
  for (let i = 0; i < n; i++) {
    let event: EventView | undefined;
    try {
      event = readEvent(list[i], spans, cuts);
    } catch {
      event = undefined;
    }
    if (event === undefined) cuts.malformed++;
    else events.push(event);
  }
  budget.decisions -= n;
  cuts.decisions += list.length - n;
  return events;
}

/** How the entity ended up: its `outcomes` entry when the trace has one, else its last decision. */
function outcomeOf(entity: EntityView, given: unknown, cuts: Cuts): void {
  let stage: string | undefined;
  let action: string | undefined;
  if (isRecord(given)) {
    stage = textOf(given.stage, cuts);
    action = textOf(given.action, cuts);
  }
  if (stage === undefined || action === undefined) {
    const last = entity.events[entity.events.length - 1];
    if (last === undefined) return;
    stage = last.stage;
    action = last.action;
  }
  entity.outcome = { stage, action };
  const failing =
    isFailingAction(action) ||
    entity.events.some((e) => e.failing === true && e.stage === stage && e.action === action);
  if (failing) entity.failing = true;
}

function readEntities(
  trace: Record<string, unknown>,
  spans: SpanRows,
  cuts: Cuts,
  budget: Budget,
): EntityView[] {
  const entities: EntityView[] = [];
  const request = readEvents(trace.events, spans, cuts, budget);
  if (request.length > 0)
    entities.push({ id: '(request)', meta: [], events: request, request: true });
  const given = trace.entities;
  if (given !== undefined && !isRecord(given)) cuts.malformed++;
  const outcomes = isRecord(trace.outcomes) ? trace.outcomes : {};
  if (isRecord(given)) {
    const keys = Object.keys(given);
    for (let i = 0; i < keys.length; i++) {
      if (budget.entities <= 0) {
        cuts.entities += keys.length - i;
        break;
      }
      const key = keys[i] as string;
      try {
        const raw = given[key];
        if (!isRecord(raw)) {
          cuts.malformed++;
          continue;
        }
        budget.entities--;
        const entity: EntityView = {
          id: textOf(raw.entity_id, cuts) ?? cut(key, cuts),
          meta: metaRows(raw.meta, cuts),
          events: readEvents(raw.events, spans, cuts, budget),
        };
        const kind = textOf(raw.kind, cuts);
        if (kind !== undefined) entity.kind = kind;
        outcomeOf(entity, outcomes[key], cuts);
        entities.push(entity);
      } catch {
        cuts.malformed++;
      }
    }
  }
  // Failing first (stable: the trace's order otherwise).
  return [...entities.filter((e) => e.failing), ...entities.filter((e) => !e.failing)];
}

const ACCESS_KINDS: ReadonlySet<unknown> = new Set<StateAccessKind>(['read', 'write', 'delete']);

/** Race kinds for people; another kind is shown as it is, underscores as spaces. */
const RACE_LABELS: Readonly<Record<string, string>> = {
  lost_update: 'lost update',
  write_write: 'write/write',
  read_write: 'read/write',
};

/** How a race or a state access is known across the page: its trace and its `seq`. */
const accessKey = (trace: unknown, seq: unknown): string => `${String(trace)}\u0000${String(seq)}`;

/**
 * An access (of `trace.state`, or a side of a race) as shown: every field checked and cut, values
 * as JSON text. `raw` is a record of the input or a checked copy of one.
 */
function accessView(
  raw: Record<string, unknown>,
  traceId: string,
  spans: SpanRows,
  cuts: Cuts,
): AccessView {
  const trace = textOf(raw.trace_id, cuts) ?? '';
  const view: AccessView = {
    access: textOf(raw.access, cuts) ?? '?',
    task: textOf(raw.task_id, cuts) ?? '?',
    trace,
    time: timeOf(raw.timestamp, cuts),
    seq: typeof raw.seq === 'number' && Number.isFinite(raw.seq) ? raw.seq : -1,
  };
  if (raw.value !== undefined) view.value = jsonText(raw.value, cuts);
  if (raw.old_value !== undefined) view.old = jsonText(raw.old_value, cuts);
  const location = textOf(raw.location, cuts);
  if (location !== undefined) view.location = location;
  if (Array.isArray(raw.locks)) {
    const locks = (raw.locks as unknown[])
      .slice(0, PAGE_LIMITS.entries)
      .filter((lock): lock is string => typeof lock === 'string');
    if (locks.length > 0) view.locks = cut(locks.join(', '), cuts);
  }
  // A span id names a span of this trace only when the access was recorded in it.
  const span =
    typeof raw.span_id === 'string' && (trace === '' || raw.trace_id === traceId)
      ? spans.indexOf.get(raw.span_id)
      : undefined;
  if (span !== undefined) view.span = span;
  const service = textOf(raw.service, cuts);
  if (service !== undefined) view.service = service;
  const previous = raw.previous;
  if (
    isRecord(previous) &&
    typeof previous.seq === 'number' &&
    Number.isFinite(previous.seq) &&
    typeof previous.happens_before === 'boolean'
  )
    view.previous = { seq: previous.seq, before: previous.happens_before };
  return view;
}

/** A race of the input as shown; undefined when it is not one (no kind, variable or accesses). */
function readRace(
  raw: unknown,
  traceId: string,
  spans: SpanRows,
  cuts: Cuts,
): RaceView | undefined {
  if (!isRecord(raw) || typeof raw.kind !== 'string' || typeof raw.variable !== 'string')
    return undefined;
  const given: unknown = raw.accesses;
  if (!Array.isArray(given)) return undefined;
  const list = given as unknown[];
  const n = Math.min(list.length, PAGE_LIMITS.raceAccesses);
  const accesses: AccessView[] = [];
  for (let i = 0; i < n; i++) {
    const access = list[i];
    if (isRecord(access)) accesses.push(accessView(access, traceId, spans, cuts));
    else cuts.malformedAnalyses++;
  }
  cuts.raceAccesses += list.length - n;
  if (accesses.length === 0) return undefined;
  const kind = cut(raw.kind, cuts);
  return {
    kind,
    label: RACE_LABELS[raw.kind] ?? kind.replace(/_/g, ' '),
    variable: cut(raw.variable, cuts),
    accesses,
  };
}

/** The races of the trace, up to the page's budget, and the keys of their accesses. */
function readRaces(
  given: unknown,
  traceId: string,
  spans: SpanRows,
  cuts: Cuts,
  budget: Budget,
): { races: RaceView[]; keys: Set<string>; byVariable: Map<string, number> } {
  const races: RaceView[] = [];
  const keys = new Set<string>();
  const byVariable = new Map<string, number>();
  if (given === undefined) return { races, keys, byVariable };
  if (!Array.isArray(given)) {
    cuts.malformedAnalyses++;
    return { races, keys, byVariable };
  }
  const list = given as unknown[];
  const n = Math.min(list.length, Math.max(0, budget.races));
  for (let i = 0; i < n; i++) {
    try {
      const raw = list[i];
      const race = readRace(raw, traceId, spans, cuts);
      if (race === undefined) {
        cuts.malformedAnalyses++;
        continue;
      }
      races.push(race);
      const { variable, accesses } = raw as { variable: string; accesses: unknown[] };
      byVariable.set(variable, (byVariable.get(variable) ?? 0) + 1);
      for (const access of accesses.slice(0, PAGE_LIMITS.raceAccesses))
        if (isRecord(access)) keys.add(accessKey(access.trace_id, access.seq));
    } catch {
      cuts.malformedAnalyses++;
    }
  }
  budget.races -= n;
  cuts.races += list.length - n;
  return { races, keys, byVariable };
}

/**
 * A checked copy of a state access of the input, of the shape the analyses read (`stateOf`):
 * undefined when it is not one. Values are kept as given: they are shown through `jsonText`.
 */
function readAccess(raw: unknown): StateAccess | undefined {
  if (!isRecord(raw)) return undefined;
  const { variable, access, task_id, timestamp, seq } = raw;
  if (
    typeof variable !== 'string' ||
    !ACCESS_KINDS.has(access) ||
    typeof task_id !== 'string' ||
    typeof timestamp !== 'string' ||
    typeof seq !== 'number' ||
    !Number.isFinite(seq)
  )
    return undefined;
  const copy: StateAccess = {
    variable,
    access: access as StateAccessKind,
    trace_id: typeof raw.trace_id === 'string' ? raw.trace_id : '',
    task_id,
    timestamp,
    seq,
  };
  if (raw.value !== undefined) copy.value = raw.value as MetaValue;
  if (raw.old_value !== undefined) copy.old_value = raw.old_value as MetaValue;
  if (typeof raw.span_id === 'string') copy.span_id = raw.span_id;
  if (typeof raw.location === 'string') copy.location = raw.location;
  if (Array.isArray(raw.locks)) copy.locks = raw.locks as string[];
  if (typeof raw.service === 'string') copy.service = raw.service;
  const previous = raw.previous;
  if (
    isRecord(previous) &&
    typeof previous.seq === 'number' &&
    typeof previous.happens_before === 'boolean'
  )
    copy.previous = { seq: previous.seq, happens_before: previous.happens_before };
  return copy;
}

/**
 * The trace's state accesses per variable, as `auditTrail` orders them (with the causal link to
 * the previous access of the variable), up to the page's budget.
 */
function readState(
  given: unknown,
  traceId: string,
  spans: SpanRows,
  races: ReturnType<typeof readRaces>,
  cuts: Cuts,
  budget: Budget,
): VariableView[] {
  if (given === undefined) return [];
  if (!Array.isArray(given)) {
    cuts.malformedAnalyses++;
    return [];
  }
  const list = given as unknown[];
  const n = Math.min(list.length, Math.max(0, budget.state));
  const state: StateAccess[] = [];
  for (let i = 0; i < n; i++) {
    let access: StateAccess | undefined;
    try {
      access = readAccess(list[i]);
    } catch {
      access = undefined;
    }
    if (access === undefined) cuts.malformedAnalyses++;
    else state.push(access);
  }
  budget.state -= n;
  cuts.state += list.length - n;
  let trail: Array<{ variable: string; accesses: StateAccess[] }>;
  try {
    trail = auditTrail({ spans: spans.read, state });
  } catch {
    // Not expected: the copies have the analyses' shape. Recording order, per variable.
    const byVariable = new Map<string, StateAccess[]>();
    for (const access of state) {
      const accesses = byVariable.get(access.variable);
      if (accesses === undefined) byVariable.set(access.variable, [access]);
      else accesses.push(access);
    }
    trail = [...byVariable].map(([variable, accesses]) => ({ variable, accesses }));
  }
  return trail.map(({ variable, accesses }) => {
    const view: VariableView = {
      variable: cut(variable, cuts),
      accesses: accesses.map((access) => {
        const shown = accessView(
          access as unknown as Record<string, unknown>,
          traceId,
          spans,
          cuts,
        );
        if (races.keys.has(accessKey(access.trace_id, access.seq))) shown.race = true;
        return shown;
      }),
    };
    const raced = races.byVariable.get(variable);
    if (raced !== undefined) view.races = raced;
    return view;
  });
}

/**
 * The trace's critical path: `trace.critical_path` when it has one of the right shape, else
 * computed from the spans shown (`criticalPath`). Marks its spans in the Gantt rows.
 */
function readCriticalPath(
  given: unknown,
  spans: SpanRows,
  cuts: Cuts,
  budget: Budget,
): CriticalPathView | undefined {
  let path: unknown = given;
  const valid =
    isRecord(given) &&
    typeof given.duration_ms === 'number' &&
    Number.isFinite(given.duration_ms) &&
    Array.isArray(given.segments);
  if (given !== undefined && !valid) cuts.malformedAnalyses++;
  let computed = false;
  if (!valid) {
    try {
      path = criticalPath({ spans: spans.read });
    } catch {
      path = undefined; // not expected: the spans are checked copies
    }
    computed = true;
  }
  if (!isRecord(path)) return undefined;
  const list = path.segments as unknown[];
  const n = Math.min(list.length, Math.max(0, budget.segments));
  const segments: PathSegmentView[] = [];
  for (let i = 0; i < n; i++) {
    try {
      const raw = list[i];
      if (
        !isRecord(raw) ||
        typeof raw.start_ms !== 'number' ||
        !Number.isFinite(raw.start_ms) ||
        typeof raw.self_ms !== 'number' ||
        !Number.isFinite(raw.self_ms)
      ) {
        cuts.malformedAnalyses++;
        continue;
      }
      const segment: PathSegmentView = {
        name: textOf(raw.name, cuts) ?? '(unnamed)',
        start: raw.start_ms,
        self: raw.self_ms,
      };
      const span = typeof raw.span_id === 'string' ? spans.indexOf.get(raw.span_id) : undefined;
      if (span !== undefined) {
        segment.span = span;
        const row = spans.rows[span] as SpanView;
        row.critical = (row.critical ?? 0) + raw.self_ms;
      }
      const service = textOf(raw.service, cuts);
      if (service !== undefined) segment.service = service;
      if (raw.open === true) segment.open = true;
      segments.push(segment);
    } catch {
      cuts.malformedAnalyses++;
    }
  }
  budget.segments -= n;
  cuts.segments += list.length - n;
  const view: CriticalPathView = { duration: path.duration_ms as number, segments };
  if (computed) view.computed = true;
  return view;
}

/** The counters a trace carries about itself, as notes. */
const TRACE_COUNTER_NOTES: ReadonlyArray<[key: string, note: string]> = [
  ['dropped_events', 'decision(s) dropped by maxEvents'],
  ['dropped_entities', 'entit(y/ies) not recorded (maxEntities)'],
  ['dropped_spans', 'span(s) dropped by maxSpans'],
  ['invalid_calls', 'call(s) ignored for bad input'],
  ['dropped_span_events', 'decision(s) did not fit on their spans'],
  ['truncated_meta', 'meta value(s) cut short when recorded'],
  ['dropped_state', 'state access(es) not kept (maxStateAccesses)'],
];

function traceNotes(
  trace: Record<string, unknown>,
  cuts: Cuts,
  cycles: number,
  critical: CriticalPathView | undefined,
): string[] {
  const notes: string[] = [];
  if (typeof trace.incomplete === 'string')
    notes.push(
      `incomplete: sent before its root span ended (${cut(trace.incomplete, cuts).slice(0, 40)})`,
    );
  for (const [key, note] of TRACE_COUNTER_NOTES) {
    const n = trace[key];
    if (typeof n === 'number' && Number.isSafeInteger(n) && n > 0)
      notes.push(`${count(n)} ${note}`);
  }
  const limits = PAGE_LIMITS;
  if (cuts.decisions > 0)
    notes.push(
      `${count(cuts.decisions)} decision(s) not shown: a page shows at most ${count(limits.decisions)}`,
    );
  if (cuts.entities > 0)
    notes.push(
      `${count(cuts.entities)} entit(y/ies) not shown: a page shows at most ${count(limits.entities)}`,
    );
  if (cuts.spans > 0)
    notes.push(
      `${count(cuts.spans)} span(s) not shown: a page shows at most ${count(limits.spans)}`,
    );
  if (cuts.races > 0)
    notes.push(
      `${count(cuts.races)} race(s) not shown: a page shows at most ${count(limits.races)}`,
    );
  if (cuts.raceAccesses > 0)
    notes.push(
      `${count(cuts.raceAccesses)} access(es) of races not shown: at most ${limits.raceAccesses} per race`,
    );
  if (cuts.state > 0)
    notes.push(
      `${count(cuts.state)} state access(es) not shown: a page shows at most ${count(limits.state)}`,
    );
  if (cuts.segments > 0)
    notes.push(
      `${count(cuts.segments)} critical path segment(s) not shown: a page shows at most ${count(limits.pathSegments)}`,
    );
  if (critical?.computed === true && cuts.spans > 0)
    notes.push('the critical path was computed from the spans shown only');
  if (cycles > 0)
    notes.push(`${count(cycles)} span(s) closed a parent cycle: cut there and shown as roots`);
  if (cuts.malformed > 0)
    notes.push(
      `${count(cuts.malformed)} malformed part(s) ignored (an entity, decision or span not in the trace format, or a repeated span id)`,
    );
  if (cuts.malformedAnalyses > 0)
    notes.push(
      `${count(cuts.malformedAnalyses)} malformed race(s), state access(es) or critical path part(s) ignored`,
    );
  if (cuts.texts > 0)
    notes.push(`${count(cuts.texts)} long text(s) cut to ${count(limits.text)} characters`);
  if (cuts.entries > 0)
    notes.push(
      `${count(cuts.entries)} meta entr(y/ies) not shown (at most ${limits.entries} per object, ${limits.depth} levels deep)`,
    );
  return notes;
}

/** The trace's label: its first root span's name, else its meta in short. */
function labelOf(spans: SpanRows, meta: MetaRow[]): string {
  const root = spans.rows[0];
  if (root !== undefined) return root.name;
  return meta
    .slice(0, 3)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

/** The link to the trace in Jaeger's UI: for a hex trace id, and only as an http(s) URL. */
function jaegerLink(jaegerUrl: string | undefined, traceId: string): string | undefined {
  if (jaegerUrl === undefined || !/^[0-9a-f]{1,32}$/i.test(traceId)) return undefined;
  try {
    const url = jaegerTraceUrl(jaegerUrl, traceId);
    return /^https?:\/\//.test(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

function readTrace(
  trace: Record<string, unknown>,
  id: string,
  options: CheckedViewerOptions,
  budget: Budget,
): TraceView {
  const cuts: Cuts = {
    malformed: 0,
    texts: 0,
    entries: 0,
    decisions: 0,
    entities: 0,
    spans: 0,
    malformedAnalyses: 0,
    races: 0,
    raceAccesses: 0,
    state: 0,
    segments: 0,
  };
  const spans = readSpans(trace.spans, cuts, budget);
  const entities = readEntities(trace, spans, cuts, budget);
  const races = readRaces(trace.races, id, spans, cuts, budget);
  const state = readState(trace.state, id, spans, races, cuts, budget);
  const critical = readCriticalPath(trace.critical_path, spans, cuts, budget);
  const meta = metaRows(trace.meta, cuts);
  const sankey = sankeyLayout(
    spans.forest,
    (node) => node.span.duration_ms,
    (node) => node.span.status === 'error',
  );
  const view: TraceView = {
    id: cut(id, cuts),
    label: labelOf(spans, meta),
    meta,
    notes: [],
    entities,
    decisions: entities.reduce((n, e) => n + e.events.length, 0),
    spans: spans.rows,
  };
  const link = jaegerLink(options.jaegerUrl, id);
  if (link !== undefined) view.jaeger = link;
  if (Number.isFinite(spans.start)) {
    view.start = new Date(spans.start).toISOString();
    view.duration = spans.end - spans.start;
  }
  if (sankey !== undefined) view.sankey = sankey;
  if (races.races.length > 0) view.races = races.races;
  if (state.length > 0) {
    view.state = state;
    view.accesses = state.reduce((n, v) => n + v.accesses.length, 0);
  }
  if (critical !== undefined) view.critical = critical;
  const runtime = readRuntime(trace.runtime, cuts);
  if (runtime !== undefined) view.runtime = runtime;
  view.notes = traceNotes(trace, cuts, cycleCuts(spans.forest, spans.indexOf), critical);
  return view;
}

/** Milliseconds as the runtime lines show them: one decimal. */
const ms = (value: number) => value.toFixed(1);

/**
 * The trace's `runtime` as a summary and one line per GC and per stretch that held the loop
 * (read by `runtimeOf`, as the CLI reads it: lists of at most 100 entries), or undefined.
 */
function readRuntime(value: unknown, cuts: Cuts): RuntimeView | undefined {
  const runtime = runtimeOf(value);
  if (runtime === undefined) return undefined;
  const gcPart = runtime.gc_ms !== undefined ? ` + GC ${ms(runtime.gc_ms)}` : '';
  const summary = `${ms(runtime.duration_ms)} ms = own work ${ms(runtime.on_loop_ms)} + blocked ${ms(runtime.blocked_ms)}${gcPart} + waiting ${ms(runtime.waiting_ms)}`;
  const rows: Array<RuntimeEventView & { at: string }> = [];
  const place = (entry: { task?: string; region?: string }) =>
    [
      entry.task !== undefined ? `task ${cut(entry.task, cuts)}` : '',
      entry.region !== undefined ? `region ${cut(entry.region, cuts)}` : '',
    ]
      .filter((part) => part !== '')
      .join(', ');
  const add = (at: string, text: string) => rows.push({ at, time: timeOf(at, cuts), text });
  for (const gc of runtime.gc ?? []) add(gc.start_time, `GC ${gc.kind} ${ms(gc.duration_ms)} ms`);
  for (const b of runtime.blocked ?? []) {
    const by = b.by_trace_id !== undefined ? `trace ${cut(b.by_trace_id, cuts)}` : 'other work';
    const where = place(b);
    add(b.start_time, `blocked ${ms(b.duration_ms)} ms by ${by}${where ? ` (${where})` : ''}`);
  }
  for (const b of runtime.blocking ?? []) {
    const where =
      b.region !== undefined
        ? ` in region ${cut(b.region, cuts)}`
        : b.task !== undefined
          ? ` in task ${cut(b.task, cuts)}`
          : '';
    const n = b.blocked_trace_ids?.length ?? 0;
    const held = n > 0 ? ` (blocked ${n} request${n === 1 ? '' : 's'})` : '';
    add(b.start_time, `held the loop ${ms(b.duration_ms)} ms${where}${held}`);
  }
  rows.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const view: RuntimeView = { summary, events: rows.map(({ time, text }) => ({ time, text })) };
  const dropped =
    (runtime.dropped_gc ?? 0) + (runtime.dropped_blocked ?? 0) + (runtime.dropped_blocking ?? 0);
  if (dropped > 0) view.dropped = dropped;
  return view;
}

/**
 * What the page shows of `input` (a trace, a list of traces, or anything else): every item that
 * is a trace (an object with a string `trace_id`), read field by field into checked copies.
 * Never throws: an item that is no trace, or whose reading throws (a getter, a Proxy), is
 * skipped and counted; a malformed part of a trace is left out and counted; past the page's caps
 * (`PAGE_LIMITS`) the rest is cut; every such count is a note on the page.
 * @example preparePage(processor.recent(50), checkViewerOptions({}, 'renderHtml')).traces.length
 */
export function preparePage(input: unknown, options: CheckedViewerOptions): PageData {
  const page: PageData = { title: options.title, notes: [], traces: [] };
  const budget: Budget = {
    decisions: PAGE_LIMITS.decisions,
    entities: PAGE_LIMITS.entities,
    spans: PAGE_LIMITS.spans,
    races: PAGE_LIMITS.races,
    state: PAGE_LIMITS.state,
    segments: PAGE_LIMITS.pathSegments,
  };
  let skipped = 0;
  let unreadable = 0;
  let length = 1;
  let list: ArrayLike<unknown> = [input];
  try {
    if (Array.isArray(input)) {
      list = input as unknown[];
      length = list.length;
    }
  } catch {
    list = [];
    length = 0;
    unreadable++;
  }
  let i = 0;
  for (; i < length && i < PAGE_LIMITS.items && page.traces.length < PAGE_LIMITS.traces; i++) {
    try {
      const item = list[i];
      if (!isRecord(item) || typeof item.trace_id !== 'string') {
        skipped++;
        continue;
      }
      page.traces.push(readTrace(item, item.trace_id, options, budget));
    } catch {
      unreadable++;
    }
  }
  if (skipped > 0)
    page.notes.push(
      `${count(skipped)} item(s) skipped: not a trace (an object with a string trace_id)`,
    );
  if (unreadable > 0)
    page.notes.push(`${count(unreadable)} item(s) skipped: reading them threw an error`);
  if (i < length) {
    page.notes.push(
      page.traces.length >= PAGE_LIMITS.traces
        ? `Showing the first ${count(PAGE_LIMITS.traces)} traces: ${count(length - i)} more item(s) of the input are not shown`
        : `${count(length - i)} item(s) of the input not read: a page reads at most ${count(PAGE_LIMITS.items)}`,
    );
  }
  return page;
}
