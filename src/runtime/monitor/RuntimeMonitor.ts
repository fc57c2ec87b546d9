import { performance } from 'node:perf_hooks';
import type { EventRecord } from '../../core/records/EventRecord.js';
import type { TraceAnalyzer } from '../../processor/TraceAnalyzer.js';
import type { RuntimeGcKind, Trace } from '../../types.js';
import { BlockDetector } from './BlockDetector.js';
import { GcWatcher } from './GcWatcher.js';
import { LoopDelaySampler } from './LoopDelaySampler.js';
import {
  checkRuntimeMonitorOptions,
  type RuntimeMonitorOptions,
  type RuntimeMonitorSettings,
} from './RuntimeMonitorOptions.js';
import { SliceClock } from './SliceClock.js';
import { WatchedRequest } from './WatchedRequest.js';

/** Ended requests kept until their JSON is built, at most; past it the oldest is forgotten. */
const MAX_ENDED = 1_000;
/** An ended request whose JSON was not built within this long never will be (nothing read it). */
const ENDED_TTL_MS = 60_000;

/** What a monitor holds and did; see `RuntimeMonitor.stats`. */
export interface RuntimeMonitorStats {
  /**
   * Whether its async hook and delay timer run: only while a traced request is open (its GC
   * observer stays connected a second longer, which costs requests nothing).
   */
  active: boolean;
  /** Traced requests open now. */
  open: number;
  /** Traced requests watched so far. */
  requests: number;
  /** Requests that ended and whose JSON was never built (forgotten after a minute, or past 1,000). */
  notReported: number;
}

/**
 * A `TraceAnalyzer` that joins what the Node.js runtime did to each traced request, in the
 * JSON's `runtime`: its time split into its own synchronous work (`on_loop_ms`), time the loop
 * was blocked by others (`blocked_ms`), GC pauses (`gc_ms`) and waiting on I/O and timers
 * (`waiting_ms`); the GCs that overlapped it (`gc`); the loop's utilization and delay
 * (`event_loop`); the long stretches of synchronous work that blocked it, naming the traced
 * request, task and region that ran (`blocked`), and those it blocked others with (`blocking`).
 * Off unless given to a processor; even then its async hook and delay timer run only while a
 * traced request is open, so untraced requests pay nothing when none is.
 * @example new StepmarkSpanProcessor({ analyzers: [new RuntimeMonitor({ blockedThresholdMs: 50 })] })
 */
export class RuntimeMonitor implements TraceAnalyzer {
  readonly name = 'RuntimeMonitor';
  readonly #settings: RuntimeMonitorSettings;
  readonly #open = new Map<string, WatchedRequest>();
  /** Ended requests, in the order they ended, until `onTraceComplete` takes them. */
  readonly #ended = new Map<string, WatchedRequest>();
  readonly #clock: SliceClock;
  readonly #gc: GcWatcher | undefined;
  readonly #delays: LoopDelaySampler | undefined;
  #requests = 0;
  #notReported = 0;

  /**
   * Checks every option here: a wrong one throws a `TypeError` (wrong type) or `RangeError`
   * (out of range) naming it.
   */
  constructor(options: RuntimeMonitorOptions = {}) {
    this.#settings = checkRuntimeMonitorOptions(options);
    const detector = new BlockDetector(this.#settings.blockedThresholdMs);
    this.#clock = new SliceClock(
      this.#open,
      this.#settings.blockedThresholdMs,
      (start, end, shares) => detector.stretch(start, end, shares, this.#open.values()),
    );
    this.#gc = this.#settings.gc ? new GcWatcher((k, s, d) => this.#onGc(k, s, d)) : undefined;
    this.#delays = this.#settings.eventLoop
      ? new LoopDelaySampler((delay) => {
          for (const request of this.#open.values()) request.delaySample(delay);
        })
      : undefined;
  }

  /** A traced request started: it is watched from now on (the first one turns the watch on). */
  onTraceStart(traceId: string): void {
    if (this.#open.has(traceId)) return;
    const request = new WatchedRequest(traceId, performance.now(), this.#settings.eventLoop);
    this.#open.set(traceId, request);
    this.#requests++;
    if (this.#open.size === 1) {
      this.#clock.start();
      this.#gc?.start();
      this.#delays?.start();
    }
    // It starts here, inside the callback that enabled it: what runs from now on is its work.
    this.#clock.claim(request, undefined);
  }

  /** A record is being made: the synchronous work running now is its request's. */
  onRecord(_record: EventRecord, traceId: string): void {
    if (this.#open.size > 0) this.#clock.claimTrace(traceId);
  }

  /** The request ended: its time stops; the watch stops with the last one open. */
  onTraceEnd(traceId: string): void {
    const request = this.#open.get(traceId);
    if (request === undefined) return;
    const now = performance.now();
    this.#clock.release(request);
    // The delay sample in flight, when already late: a block at the very end of the request.
    const late = this.#delays?.lateness(now) ?? 0;
    if (late > 0) request.delaySample(late);
    request.end(now);
    this.#open.delete(traceId);
    this.#keepEnded(request, now);
    if (this.#open.size === 0) {
      this.#delays?.stop();
      this.#gc?.stop();
      this.#clock.stop();
    }
  }

  /** Adds `runtime` to the trace's JSON. */
  onTraceComplete(trace: Trace): void {
    const id = trace.trace_id;
    const request = this.#ended.get(id) ?? this.#open.get(id);
    if (request === undefined) return;
    this.#ended.delete(id);
    trace.runtime = request.toJson(performance.now(), this.#settings.gc);
  }

  /** What the monitor holds and did. */
  stats(): RuntimeMonitorStats {
    return {
      active: this.#clock.running,
      open: this.#open.size,
      requests: this.#requests,
      notReported: this.#notReported,
    };
  }

  /** Keeps an ended request for its JSON; forgets those whose JSON never came (bounded). */
  #keepEnded(request: WatchedRequest, now: number): void {
    this.#ended.set(request.traceId, request);
    for (const [id, old] of this.#ended) {
      const expired = now - (old.endedAt ?? now) > ENDED_TTL_MS;
      if (!expired && this.#ended.size <= MAX_ENDED) break;
      this.#ended.delete(id);
      this.#notReported++;
    }
  }

  /** A GC: joined to every request it overlapped, its pause taken out of whose work it stopped. */
  #onGc(kind: RuntimeGcKind, start: number, duration: number): void {
    const end = start + duration;
    const join = (request: WatchedRequest): void => {
      const overlap = Math.min(end, request.endedAt ?? end) - Math.max(start, request.startedAt);
      if (overlap > 0) request.addGc(kind, start, duration, overlap);
    };
    for (const request of this.#open.values()) join(request);
    for (const request of this.#ended.values()) join(request);
    this.#clock.slicesOverlapping(start, end, (owner, overlap) => {
      owner.gcInOwnMs += overlap;
    });
  }
}
