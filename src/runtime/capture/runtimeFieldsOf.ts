import { listOf, objectOf, textOf } from '../../core/jsonShape.js';
import type { Trace } from '../../types.js';

/** A garbage collection seen during a request (`Trace.runtime.gc`, the RuntimeMonitor's). */
export interface GcPeriod {
  kind: string;
  startMs: number;
  durationMs: number;
}

/**
 * A time the event loop was held during a request: by others while it waited
 * (`Trace.runtime.blocked`, `others` the request that held it), or by its own work
 * (`Trace.runtime.blocking`, `others` the requests that waited).
 */
export interface LoopPeriod {
  startMs: number;
  durationMs: number;
  task: string | undefined;
  region: string | undefined;
  stack: string | undefined;
  others: string[];
}

/** The event loop over a request (`Trace.runtime.event_loop`): the figures present. */
export interface EventLoopFigures {
  utilization?: number;
  delay_p99_ms?: number;
  delay_max_ms?: number;
}

/** What the RuntimeMonitor adds to a trace, read without trusting its shape. */
export interface RuntimeFields {
  gc: GcPeriod[];
  blocked: LoopPeriod[];
  blocking: LoopPeriod[];
  eventLoop: EventLoopFigures | undefined;
}

/** A finite number, or undefined. */
export function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** An ISO 8601 time as epoch milliseconds, or undefined. */
export function epochMs(value: unknown): number | undefined {
  const text = textOf(value);
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A stack as text: a string, or a list of frames (strings) one per line. */
function stackOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return undefined;
  const frames = value.filter((frame): frame is string => typeof frame === 'string');
  return frames.length === 0 ? undefined : frames.join('\n');
}

/** The entries of a `blocked` or `blocking` list that have a time and a duration. */
function loopPeriods(
  list: unknown,
  othersOf: (entry: Readonly<Record<string, unknown>>) => string[],
): LoopPeriod[] {
  const out: LoopPeriod[] = [];
  for (const item of listOf(list)) {
    const entry = objectOf(item);
    const startMs = epochMs(entry?.start_time);
    const durationMs = finite(entry?.duration_ms);
    if (entry === undefined || startMs === undefined || durationMs === undefined) continue;
    if (durationMs < 0) continue;
    out.push({
      startMs,
      durationMs,
      task: textOf(entry.task),
      region: textOf(entry.region),
      stack: stackOf(entry.stack),
      others: othersOf(entry),
    });
  }
  return out;
}

/**
 * `trace.runtime` (`{ gc?, event_loop?, blocked?, blocking? }`, added by the RuntimeMonitor), read as JSON
 * from outside is: an entry of another shape than expected is left out, an absent field is empty.
 * Read structurally, so that this needs nothing of the monitor.
 */
export function runtimeFieldsOf(trace: Trace): RuntimeFields {
  const runtime = objectOf((trace as { runtime?: unknown }).runtime);
  const out: RuntimeFields = { gc: [], blocked: [], blocking: [], eventLoop: undefined };
  if (runtime === undefined) return out;
  for (const item of listOf(runtime.gc)) {
    const gc = objectOf(item);
    const startMs = epochMs(gc?.start_time);
    const durationMs = finite(gc?.duration_ms);
    if (startMs === undefined || durationMs === undefined || durationMs < 0) continue;
    out.gc.push({ kind: textOf(gc?.kind) ?? 'gc', startMs, durationMs });
  }
  out.blocked = loopPeriods(runtime.blocked, (o) => {
    const by = textOf(o.by_trace_id);
    return by === undefined ? [] : [by];
  });
  out.blocking = loopPeriods(runtime.blocking, (o) =>
    listOf(o.blocked_trace_ids).filter((id): id is string => typeof id === 'string'),
  );
  const loop = objectOf(runtime.event_loop);
  if (loop !== undefined) {
    const figures: EventLoopFigures = {};
    for (const key of ['utilization', 'delay_p99_ms', 'delay_max_ms'] as const) {
      const value = finite(loop[key]);
      if (value !== undefined) figures[key] = value;
    }
    if (Object.keys(figures).length > 0) out.eventLoop = figures;
  }
  return out;
}
