import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { isoTimestamp } from '../../core/isoTimestamp.js';
import type {
  RuntimeBlocked,
  RuntimeBlocking,
  RuntimeEventLoop,
  RuntimeGc,
  RuntimeGcKind,
  TraceRuntime,
} from '../../types.js';
import { DelaySamples } from './DelaySamples.js';

/** Entries each list of a request (`gc`, `blocked`, `blocking`) keeps; past it they are counted. */
export const MAX_ENTRIES = 100;

/** Two stretches this close (ms) are one: a block cut in parts by the check at each callback's end. */
const CONTIGUOUS_MS = 0.05;

/** The frames a stretch ran in (see `frameInfo`). */
export interface FrameInfo {
  task?: string;
  region?: string;
  stack?: string[];
}

/** A `blocked` entry while it is built: times on the `performance.now()` clock. */
interface Blocked {
  start: number;
  /** When the stretch ended (`start` + its wall time), to tell a contiguous one. */
  end: number;
  duration: number;
  by: WatchedRequest | undefined;
  where: FrameInfo;
}

/** A `blocking` entry while it is built. */
interface Blocking {
  start: number;
  end: number;
  duration: number;
  where: FrameInfo;
  blocked: Set<string> | undefined;
}

/** A GC while it is built. */
interface Gc {
  kind: RuntimeGcKind;
  start: number;
  duration: number;
}

/** Milliseconds rounded to the microsecond, as span durations are. */
const ms = (value: number): number => Math.round(value * 1000) / 1000;

/** `performance.now()` time as ISO 8601. */
const isoOf = (time: number): string => isoTimestamp(performance.timeOrigin + time);

function sameFrames(a: FrameInfo, b: FrameInfo): boolean {
  return a.task === b.task && a.region === b.region;
}

/**
 * What a `RuntimeMonitor` learns about one traced request while it runs: its own time on the
 * event loop, the stretches that blocked it or that it blocked others with, the GCs during it,
 * the loop's utilization and delay. Bounded: each list keeps `MAX_ENTRIES`, and counts the rest.
 */
export class WatchedRequest {
  /** When it ended (`performance.now()`); undefined while open. */
  endedAt: number | undefined = undefined;
  /** Its own synchronous work so far (GC pauses inside included; see `gcInOwnMs`). */
  onLoopMs = 0;
  /** GC pauses that fell in its own work. */
  gcInOwnMs = 0;
  /** GC pauses that fell in stretches that blocked it. */
  gcInBlockedMs = 0;
  gcMs = 0;
  blockedMs = 0;
  readonly #gc: Gc[] = [];
  #droppedGc = 0;
  readonly #blocked: Blocked[] = [];
  #droppedBlocked = 0;
  readonly #blocking: Blocking[] = [];
  #droppedBlocking = 0;
  /** Event-loop utilization at its start (with `eventLoop`). */
  readonly #elu: EventLoopUtilization | undefined;
  #utilization: number | undefined = undefined;
  /** Loop delay samples (with `eventLoop`). */
  readonly #delays: DelaySamples | undefined;

  constructor(
    readonly traceId: string,
    /** When the processor started holding it (`performance.now()`). */
    readonly startedAt: number,
    /** Whether to measure the event loop (utilization and delay) over it. */
    eventLoop: boolean,
  ) {
    this.#delays = eventLoop ? new DelaySamples() : undefined;
    this.#elu = eventLoop ? performance.eventLoopUtilization() : undefined;
  }

  /** The request ended: its time stops here. */
  end(now: number): void {
    if (this.endedAt !== undefined) return;
    this.endedAt = now;
    if (this.#elu !== undefined) {
      this.#utilization = performance.eventLoopUtilization(
        performance.eventLoopUtilization(),
        this.#elu,
      ).utilization;
    }
  }

  /** A loop delay sample taken while it was open. */
  delaySample(delayMs: number): void {
    this.#delays?.add(delayMs);
  }

  /** A GC that overlapped it; `overlap` is the part inside its time. */
  addGc(kind: RuntimeGcKind, start: number, duration: number, overlap: number): void {
    this.gcMs += overlap;
    if (this.#gc.length >= MAX_ENTRIES) this.#droppedGc++;
    else this.#gc.push({ kind, start, duration });
    // A pause inside a stretch that blocked it is GC, not the blocker's work.
    const end = start + duration;
    for (let i = this.#blocked.length - 1; i >= 0; i--) {
      const b = this.#blocked[i] as Blocked;
      if (b.end <= start) break;
      const inside = Math.min(end, b.end) - Math.max(start, b.start);
      if (inside > 0) this.gcInBlockedMs += inside;
    }
  }

  /** `blocker` (or untraced work) held the loop for `duration` of `[start, end]` while it waited. */
  addBlocked(
    start: number,
    end: number,
    duration: number,
    blocker: WatchedRequest | undefined,
    where: FrameInfo,
  ): void {
    this.blockedMs += duration;
    const last = this.#blocked.at(-1);
    if (
      last !== undefined &&
      last.by === blocker &&
      start - last.end <= CONTIGUOUS_MS &&
      sameFrames(last.where, where)
    ) {
      last.end = end;
      last.duration += duration;
      return;
    }
    if (this.#blocked.length >= MAX_ENTRIES) this.#droppedBlocked++;
    else this.#blocked.push({ start, end, duration, by: blocker, where });
  }

  /** It held the loop for `duration` of `[start, end]`; `blocked` are the requests it blocked. */
  addBlocking(
    start: number,
    end: number,
    duration: number,
    where: FrameInfo,
    blocked: readonly string[],
  ): void {
    const last = this.#blocking.at(-1);
    let entry: Blocking | undefined;
    if (last !== undefined && start - last.end <= CONTIGUOUS_MS && sameFrames(last.where, where)) {
      entry = last;
      last.end = end;
      last.duration += duration;
    } else if (this.#blocking.length >= MAX_ENTRIES) {
      this.#droppedBlocking++;
      return;
    } else {
      entry = { start, end, duration, where, blocked: undefined };
      this.#blocking.push(entry);
    }
    for (const id of blocked) (entry.blocked ??= new Set()).add(id);
  }

  /** Its `runtime` JSON; `now` ends a request still open (a trace emitted before its end). */
  toJson(now: number, withGc: boolean): TraceRuntime {
    const end = this.endedAt ?? now;
    const duration = Math.max(0, end - this.startedAt);
    const gc = withGc ? this.gcMs : 0;
    const onLoop = Math.max(0, this.onLoopMs - this.gcInOwnMs);
    const blocked = Math.max(0, this.blockedMs - this.gcInBlockedMs);
    const runtime: TraceRuntime = {
      duration_ms: ms(duration),
      on_loop_ms: ms(onLoop),
      blocked_ms: ms(blocked),
      ...(withGc ? { gc_ms: ms(gc) } : {}),
      waiting_ms: ms(Math.max(0, duration - onLoop - blocked - gc)),
    };
    if (this.#gc.length > 0) runtime.gc = this.#gc.map(gcJson);
    if (this.#droppedGc > 0) runtime.dropped_gc = this.#droppedGc;
    if (this.#elu !== undefined) {
      const utilization =
        this.#utilization ??
        performance.eventLoopUtilization(performance.eventLoopUtilization(), this.#elu).utilization;
      const delays = this.#delays;
      const samples = delays?.count ?? 0;
      const loop: RuntimeEventLoop = {
        utilization: Math.round(utilization * 1000) / 1000,
        ...(delays !== undefined && samples > 0
          ? { delay_p99_ms: ms(delays.percentile(99)), delay_max_ms: ms(delays.max) }
          : {}),
        delay_samples: samples,
      };
      runtime.event_loop = loop;
    }
    if (this.#blocked.length > 0) runtime.blocked = this.#blocked.map(blockedJson);
    if (this.#droppedBlocked > 0) runtime.dropped_blocked = this.#droppedBlocked;
    if (this.#blocking.length > 0) runtime.blocking = this.#blocking.map(blockingJson);
    if (this.#droppedBlocking > 0) runtime.dropped_blocking = this.#droppedBlocking;
    return runtime;
  }
}

function gcJson(gc: Gc): RuntimeGc {
  return { kind: gc.kind, start_time: isoOf(gc.start), duration_ms: ms(gc.duration) };
}

function withFrames<T extends FrameInfo>(entry: T, where: FrameInfo): T {
  if (where.task !== undefined) entry.task = where.task;
  if (where.region !== undefined) entry.region = where.region;
  if (where.stack !== undefined) entry.stack = [...where.stack];
  return entry;
}

function blockedJson(b: Blocked): RuntimeBlocked {
  const entry: RuntimeBlocked = { start_time: isoOf(b.start), duration_ms: ms(b.duration) };
  if (b.by !== undefined) entry.by_trace_id = b.by.traceId;
  return withFrames(entry, b.where);
}

function blockingJson(b: Blocking): RuntimeBlocking {
  const entry = withFrames<RuntimeBlocking>(
    { start_time: isoOf(b.start), duration_ms: ms(b.duration) },
    b.where,
  );
  if (b.blocked !== undefined) entry.blocked_trace_ids = [...b.blocked];
  return entry;
}
