import { listOf, objectOf, textOf } from '../../core/jsonShape.js';
import type { Trace } from '../../types.js';
import type { ChromeTrace, ChromeTraceEvent } from './ChromeTrace.js';
import { layOutLanes, type LanePlacement, type LaneSlice } from './layOutLanes.js';
import { coverOf, instantTime, type Cover, type PlacedSlice } from './instantTime.js';
import { epochMs, finite, runtimeFieldsOf, type LoopPeriod } from './runtimeFieldsOf.js';

/** The process track of spans that name no service (a live capture's: this process). */
const DEFAULT_PROCESS = 'stepmark-otel';
/** Longest name of a slice, instant or track: a trace UI shows a line, not a page. */
const MAX_NAME = 512;
/** Longest string argument written (a stack); meta is already capped by the recorder. */
const MAX_TEXT = 8_192;

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A span of a trace, read without trusting its shape. */
interface SpanIn {
  id: string | undefined;
  parentId: string | undefined;
  name: string;
  kind: string | undefined;
  service: string | undefined;
  startMs: number;
  durationMs: number;
  raw: Readonly<Record<string, unknown>>;
}

/** A decision or log, read without trusting its shape. */
interface InstantIn {
  name: string;
  cat: 'decision' | 'log';
  atMs: number;
  spanId: string | undefined;
  args: Record<string, unknown>;
}

function spansOf(trace: Trace): SpanIn[] {
  const out: SpanIn[] = [];
  for (const item of listOf(trace.spans)) {
    const span = objectOf(item);
    const startMs = epochMs(span?.start_time);
    if (span === undefined || startMs === undefined) continue;
    const endMs = epochMs(span.end_time);
    const durationMs =
      finite(span.duration_ms) ?? (endMs === undefined ? 0 : Math.max(0, endMs - startMs));
    out.push({
      id: textOf(span.span_id),
      parentId: textOf(span.parent_id),
      name: cut(textOf(span.name) ?? 'span', MAX_NAME),
      kind: textOf(span.kind),
      service: textOf(span.service),
      startMs,
      durationMs: Math.max(0, durationMs),
      raw: span,
    });
  }
  return out;
}

function withMeta(args: Record<string, unknown>, meta: unknown): Record<string, unknown> {
  const object = objectOf(meta);
  if (object !== undefined) args.meta = object;
  return args;
}

function instantsOf(trace: Trace): InstantIn[] {
  const out: InstantIn[] = [];
  const decision = (item: unknown, entity?: { id: string; kind: string | undefined }): void => {
    const event = objectOf(item);
    const atMs = epochMs(event?.timestamp);
    if (event === undefined || atMs === undefined) return;
    const stage = textOf(event.stage) ?? '';
    const action = textOf(event.action) ?? '';
    const args: Record<string, unknown> = { stage, action };
    if (entity !== undefined) {
      args.entity_id = entity.id;
      if (entity.kind !== undefined) args.entity_kind = entity.kind;
    }
    const spanId = textOf(event.span_id);
    if (spanId !== undefined) args.span_id = spanId;
    const prefix = entity === undefined ? '' : `${entity.id} · `;
    out.push({
      name: cut(`${prefix}${stage}: ${action}`, MAX_NAME),
      cat: 'decision',
      atMs,
      spanId,
      args: withMeta(args, event.meta),
    });
  };
  for (const item of listOf(trace.events)) decision(item);
  const entities = objectOf(trace.entities);
  for (const key of Object.keys(entities ?? {})) {
    const entity = objectOf(entities?.[key]);
    if (entity === undefined) continue;
    const id = textOf(entity.entity_id) ?? key;
    for (const item of listOf(entity.events)) decision(item, { id, kind: textOf(entity.kind) });
  }
  for (const item of listOf(trace.logs)) {
    const log = objectOf(item);
    const atMs = epochMs(log?.timestamp);
    if (log === undefined || atMs === undefined) continue;
    const category = textOf(log.category) ?? '';
    const message = textOf(log.message) ?? '';
    const args: Record<string, unknown> = { category, message };
    for (const key of ['task', 'region', 'span_id'] as const) {
      const value = textOf(log[key]);
      if (value !== undefined) args[key] = value;
    }
    out.push({
      name: cut(`${category}: ${message}`, MAX_NAME),
      cat: 'log',
      atMs,
      spanId: textOf(log.span_id),
      args: withMeta(args, log.meta),
    });
  }
  return out;
}

/** The arguments of a span's slice: its ids and what the trace says of it. */
function spanArgs(span: SpanIn): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  if (span.id !== undefined) args.span_id = span.id;
  if (span.parentId !== undefined) args.parent_id = span.parentId;
  const status = textOf(span.raw.status);
  if (status !== undefined) args.status = status;
  if (span.raw.open === true) args.open = true;
  const tags = objectOf(span.raw.tags);
  if (tags !== undefined) args.tags = tags;
  return args;
}

/** Builds the events, numbering processes (one per service) and thread tracks as they come. */
class ChromeTraceWriter {
  readonly metadata: ChromeTraceEvent[] = [];
  readonly events: ChromeTraceEvent[] = [];
  readonly #pids = new Map<string, number>();
  #nextTid = 1;
  /** Garbage collections by process, once each (every trace of the moment reports the same one). */
  readonly #gc = new Map<
    number,
    Map<string, { kind: string; startMs: number; durationMs: number }>
  >();

  constructor(readonly originMs: number) {}

  /** Microseconds since the origin, whole. */
  us(ms: number): number {
    return Math.max(0, Math.round((ms - this.originMs) * 1_000));
  }

  pid(service: string | undefined): number {
    const name = service ?? DEFAULT_PROCESS;
    let pid = this.#pids.get(name);
    if (pid === undefined) {
      pid = this.#pids.size + 1;
      this.#pids.set(name, pid);
      this.metadata.push(
        { name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: cut(name, MAX_NAME) } },
        { name: 'process_sort_index', ph: 'M', ts: 0, pid, tid: 0, args: { sort_index: pid } },
      );
    }
    return pid;
  }

  /** A new thread track of `pid`, named; `sortIndex` orders it among the process's tracks. */
  track(pid: number, name: string, sortIndex?: number): number {
    const tid = this.#nextTid++;
    this.metadata.push(
      { name: 'thread_name', ph: 'M', ts: 0, pid, tid, args: { name: cut(name, MAX_NAME) } },
      {
        name: 'thread_sort_index',
        ph: 'M',
        ts: 0,
        pid,
        tid,
        args: { sort_index: sortIndex ?? tid },
      },
    );
    return tid;
  }

  gc(pid: number, kind: string, startMs: number, durationMs: number): void {
    let seen = this.#gc.get(pid);
    if (seen === undefined) this.#gc.set(pid, (seen = new Map()));
    seen.set(`${kind}|${startMs}|${durationMs}`, { kind, startMs, durationMs });
  }

  /** Flat slices (GC, blocked periods) on as many tracks named `name` as their overlaps need. */
  flat(
    pid: number,
    name: string,
    sortIndex: number | undefined,
    slices: ReadonlyArray<{
      startMs: number;
      durationMs: number;
      event: Omit<ChromeTraceEvent, 'ts' | 'dur' | 'pid' | 'tid' | 'ph'>;
    }>,
  ): void {
    if (slices.length === 0) return;
    const placed = layOutLanes(
      slices.map((s) => ({
        id: undefined,
        parentId: undefined,
        start: this.us(s.startMs),
        end: this.us(s.startMs) + Math.round(s.durationMs * 1_000),
      })),
    );
    const tids: number[] = [];
    slices.forEach((s, i) => {
      const { lane, start, end } = placed[i] as LanePlacement;
      while (tids.length <= lane) {
        tids.push(
          this.track(pid, tids.length === 0 ? name : `${name} (${tids.length + 1})`, sortIndex),
        );
      }
      this.events.push({
        ...s.event,
        ph: 'X',
        ts: start,
        dur: end - start,
        pid,
        tid: tids[lane] as number,
      });
    });
  }

  /**
   * A request's `blocked` periods (others held the loop while it waited) or `blocking` ones (its
   * own work held it), on a track of their own: `blocked` names the request that held the loop,
   * `blocking` the requests that waited.
   */
  #loopTrack(
    pid: number,
    name: string,
    what: 'blocked' | 'blocking',
    traceId: string,
    periods: readonly LoopPeriod[],
  ): void {
    this.flat(
      pid,
      name,
      undefined,
      periods.map((p) => {
        const args: Record<string, unknown> = { trace_id: traceId };
        if (p.others.length > 0) {
          if (what === 'blocked') args.by_trace_id = p.others[0];
          else args.blocked_trace_ids = p.others.slice(0, 100);
        }
        if (p.task !== undefined) args.task = cut(p.task, MAX_NAME);
        if (p.region !== undefined) args.region = cut(p.region, MAX_NAME);
        if (p.stack !== undefined) args.stack = cut(p.stack, MAX_TEXT);
        const where = p.region ?? p.task;
        const named = where === undefined ? what : `${what} · ${where}`;
        return {
          startMs: p.startMs,
          durationMs: p.durationMs,
          event: { name: cut(named, MAX_NAME), cat: what, args },
        };
      }),
    );
  }

  /** The GC tracks, one per process, on top of it. */
  flushGc(): void {
    for (const [pid, seen] of this.#gc) {
      this.flat(
        pid,
        'GC',
        -1,
        [...seen.values()].map((gc) => ({
          startMs: gc.startMs,
          durationMs: gc.durationMs,
          event: { name: cut(`GC ${gc.kind}`, MAX_NAME), cat: 'gc', args: { kind: gc.kind } },
        })),
      );
    }
  }

  /** Adds one trace: its spans as slices on its lanes, decisions and logs as instants, its runtime events. */
  addTrace(trace: Trace, index: number): void {
    const traceId = textOf(trace.trace_id) ?? `trace-${index + 1}`;
    const spans = spansOf(trace);
    const ids = new Set(spans.map((s) => s.id));
    const root = spans.find((s) => s.parentId === undefined || !ids.has(s.parentId));
    const label = `${root?.name ?? 'trace'} · ${traceId.slice(0, 8)}`;
    const mainPid = this.pid(root?.service);
    // Lanes per service: each service is a process track of its own.
    const where = new Map<string, PlacedSlice>();
    let main: { pid: number; tid: number } | undefined;
    const groups = new Map<string | undefined, SpanIn[]>();
    for (const span of spans) {
      const group = groups.get(span.service);
      if (group === undefined) groups.set(span.service, [span]);
      else group.push(span);
    }
    for (const [service, group] of groups) {
      const pid = this.pid(service);
      const slices: LaneSlice[] = group.map((s) => ({
        id: s.id,
        parentId: s.parentId,
        start: this.us(s.startMs),
        end: this.us(s.startMs) + Math.round(s.durationMs * 1_000),
      }));
      const placed = layOutLanes(slices);
      const tids: number[] = [];
      group.forEach((span, i) => {
        const { lane, start, end } = placed[i] as LanePlacement;
        while (tids.length <= lane) {
          tids.push(this.track(pid, tids.length === 0 ? label : `${label} (${tids.length + 1})`));
        }
        const tid = tids[lane] as number;
        const spot = { pid, tid, start, end };
        if (span.id !== undefined) where.set(span.id, spot);
        if (span === root) main = spot;
        const args = spanArgs(span);
        if (span === root) {
          args.trace_id = traceId;
          const incomplete = textOf(trace.incomplete);
          if (incomplete !== undefined) args.incomplete = incomplete;
        }
        this.events.push({
          name: span.name,
          cat: span.kind ?? 'span',
          ph: 'X',
          ts: start,
          dur: end - start,
          pid,
          tid,
          args,
        });
      });
    }
    main ??= { pid: mainPid, tid: this.track(mainPid, label) };
    // Each span's children placed on its own track: an instant of the span is kept out of them.
    const children = new Map<string, PlacedSlice[]>();
    for (const span of spans) {
      const parent = span.parentId === undefined ? undefined : where.get(span.parentId);
      const child = span.id === undefined ? undefined : where.get(span.id);
      if (parent === undefined || child === undefined || child.tid !== parent.tid) continue;
      const list = children.get(span.parentId as string);
      if (list === undefined) children.set(span.parentId as string, [child]);
      else list.push(child);
    }
    const covers = new Map<string, Cover>();
    const coverOfSpan = (id: string): Cover => {
      let cover = covers.get(id);
      if (cover === undefined) covers.set(id, (cover = coverOf(children.get(id) ?? [])));
      return cover;
    };
    for (const instant of instantsOf(trace)) {
      const own = instant.spanId === undefined ? undefined : where.get(instant.spanId);
      const at = own ?? main;
      const raw = this.us(instant.atMs);
      const ts =
        own === undefined ? raw : instantTime(raw, own, coverOfSpan(instant.spanId as string));
      this.events.push({
        name: instant.name,
        cat: instant.cat,
        ph: 'i',
        s: 't',
        ts,
        pid: at.pid,
        tid: at.tid,
        args: instant.args,
      });
    }
    const runtime = runtimeFieldsOf(trace);
    for (const gc of runtime.gc) this.gc(main.pid, gc.kind, gc.startMs, gc.durationMs);
    this.#loopTrack(main.pid, `${label} · blocked`, 'blocked', traceId, runtime.blocked);
    this.#loopTrack(main.pid, `${label} · blocking`, 'blocking', traceId, runtime.blocking);
    const loop = runtime.eventLoop;
    if (loop !== undefined && root !== undefined) {
      const args: Record<string, number> = { ...loop };
      this.events.push({
        name: 'event loop',
        cat: 'event_loop',
        ph: 'C',
        ts: this.us(root.startMs + root.durationMs),
        pid: main.pid,
        tid: main.tid,
        args,
      });
    }
  }
}

/** The earliest moment of every trace (spans, decisions, logs, runtime events), epoch ms. */
function originOf(traces: readonly Trace[]): number | undefined {
  let origin = Number.POSITIVE_INFINITY;
  for (const trace of traces) {
    for (const span of spansOf(trace)) origin = Math.min(origin, span.startMs);
    for (const instant of instantsOf(trace)) origin = Math.min(origin, instant.atMs);
    const runtime = runtimeFieldsOf(trace);
    for (const period of [...runtime.gc, ...runtime.blocked, ...runtime.blocking])
      origin = Math.min(origin, period.startMs);
  }
  return Number.isFinite(origin) ? origin : undefined;
}

/**
 * The traces in the Chrome trace event format, which https://ui.perfetto.dev and
 * `chrome://tracing` open: one process track per service; per request a thread track named
 * after its root span and trace id (more lanes when its spans ran concurrently), its spans,
 * tasks and regions as nested slices, its decisions and logs as instants on the span they were
 * recorded on; the times the event loop was held while it waited (`blocked`) or by its own work
 * (`blocking`) on tracks of the request, garbage collections on a `GC` track of the process,
 * event-loop figures as a counter. Times are microseconds since the
 * earliest moment of the traces (`otherData.origin`). Reads traces from a file as safely as live
 * ones: an entry of the wrong shape is left out. Never throws for a bad trace.
 * @example writeFileSync('capture.json', JSON.stringify(toChromeTrace(await capture.stop())))
 */
export function toChromeTrace(traces: readonly Trace[]): ChromeTrace {
  const list = Array.isArray(traces)
    ? traces.filter((t): t is Trace => objectOf(t) !== undefined)
    : [];
  const origin = originOf(list);
  const writer = new ChromeTraceWriter(origin ?? 0);
  list.forEach((trace, i) => writer.addTrace(trace, i));
  writer.flushGc();
  // Outer slices first at equal times: importers nest by order.
  const events = writer.events.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const out: ChromeTrace = {
    traceEvents: [...writer.metadata, ...events],
    displayTimeUnit: 'ms',
    otherData: { generator: 'stepmark-otel', traces: list.length },
  };
  if (origin !== undefined) out.otherData.origin = new Date(origin).toISOString();
  return out;
}
