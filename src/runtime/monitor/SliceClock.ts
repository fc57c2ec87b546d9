import {
  AsyncResource,
  createHook,
  executionAsyncId,
  executionAsyncResource,
  type AsyncHook,
} from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { context, trace, type Context } from '@opentelemetry/api';
import { reportInternalError } from '../../core/registry.js';
import type { Frame } from '../Frame.js';
import { frameWatchers, type FrameWatcher } from './frameWatch.js';
import { SliceRing } from './SliceRing.js';
import { StretchShares } from './StretchShares.js';
import type { WatchedRequest } from './WatchedRequest.js';

/** Slices of requests' own work kept for GC reports (see `SliceRing`). */
const RING_SLICES = 4_096;

/**
 * Whether the callback about to run is a microtask or a nextTick callback: it runs right after
 * the callback before it, before the event loop can go on, so the two are one stretch of
 * synchronous work. (`queueMicrotask` runs its callback as an `AsyncResource`; a nextTick
 * callback's resource is a plain object.)
 */
function continuesStretch(): boolean {
  const resource: unknown = executionAsyncResource();
  if (resource instanceof Promise) return true;
  if (resource === null || typeof resource !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(resource);
  return proto === Object.prototype || proto === AsyncResource.prototype;
}

/**
 * Times the synchronous work of traced requests on the event loop. An `async_hooks` hook
 * (`before`/`after`, enabled only while a traced request is open) marks each callback the loop
 * runs; the callback belongs to the request whose context it runs in: `context.active()` in
 * `before` is already the callback's (on Node 20, where AsyncLocalStorage rides on async_hooks,
 * and on Node 24, where it is an AsyncContextFrame that Node restores before the hooks run).
 * Work that enters a request inside another callback is marked too: when the request starts
 * (`claim`), when a task or region runs (`enter`, `leave`), when it records something
 * (`claimTrace`). Each slice goes to its request's `onLoopMs`, to the ring (for GCs), and to the
 * shares of the current stretch; a stretch that reaches `thresholdMs` goes to `onLongStretch`.
 */
export class SliceClock implements FrameWatcher {
  readonly #open: ReadonlyMap<string, WatchedRequest>;
  readonly #thresholdMs: number;
  readonly #onLongStretch: (start: number, end: number, shares: StretchShares) => void;
  readonly #ring = new SliceRing(RING_SLICES);
  readonly #shares = new StretchShares();
  #hook: AsyncHook | undefined;
  /** The request whose work runs now, where it runs (a context or a frame), and since when. */
  #owner: WatchedRequest | undefined = undefined;
  #where: unknown = undefined;
  #mark = 0;
  /**
   * The async ids of the callbacks running now, one inside the other (mostly one), and for each
   * the owner and where of the callback it runs inside (`#savedOwners`, `#savedWheres`). By id
   * rather than a count: a callback that ends without its `after` (a throw) is skipped over.
   */
  readonly #ids: number[] = [];
  readonly #savedOwners: Array<WatchedRequest | undefined> = [];
  readonly #savedWheres: unknown[] = [];
  #stretchStart = 0;

  constructor(
    open: ReadonlyMap<string, WatchedRequest>,
    thresholdMs: number,
    onLongStretch: (start: number, end: number, shares: StretchShares) => void,
  ) {
    this.#open = open;
    this.#thresholdMs = thresholdMs;
    this.#onLongStretch = onLongStretch;
  }

  /** Whether it is timing (a traced request is open). */
  get running(): boolean {
    return frameWatchers.has(this);
  }

  /**
   * Starts timing, from inside whatever callback runs now (its end closes the first stretch).
   * Nothing before this moment is attributed.
   */
  start(): void {
    const now = performance.now();
    this.#owner = undefined;
    this.#where = undefined;
    this.#mark = now;
    this.#clearStack();
    // Inside a callback (its `before` came before the hook): its `after` will close it. Promise
    // jobs report 0 unless promise hooks run; their `after` finds the stack empty, which also
    // closes the stretch.
    const running = executionAsyncId();
    if (running > 0) this.#push(running);
    this.#stretchStart = now;
    this.#shares.reset();
    this.#hook ??= createHook({ before: this.#before, after: this.#after });
    this.#hook.enable();
    frameWatchers.add(this);
  }

  /** Stops timing: no hook left, and no request or context held. */
  stop(): void {
    this.#hook?.disable();
    frameWatchers.delete(this);
    this.#owner = undefined;
    this.#where = undefined;
    this.#clearStack();
    this.#ring.clear();
    this.#shares.clear();
  }

  /** From now on, the work running belongs to `owner` (none: untraced), in `where`. */
  claim(owner: WatchedRequest | undefined, where: unknown): void {
    this.#attribute(performance.now());
    this.#owner = owner;
    this.#where = where;
  }

  /** A record of `traceId` is being made: the work running now is that request's. */
  claimTrace(traceId: string): void {
    const owner = this.#open.get(traceId);
    if (owner !== this.#owner) this.claim(owner, context.active());
  }

  /** The request ended: the work running now is no longer its. */
  release(request: WatchedRequest): void {
    if (this.#owner === request) this.claim(undefined, undefined);
  }

  /** Work enters a task or region: it is that frame's request's (see `FrameWatcher`). */
  enter(frame: Frame): void {
    try {
      this.claim(this.#open.get(frame.traceId), frame);
    } catch (error) {
      reportInternalError('RuntimeMonitor', error);
    }
  }

  /** The work left its frame: it is again the work of the context active now. */
  leave(): void {
    try {
      const ctx = context.active();
      this.claim(this.#ownerOf(ctx), ctx);
    } catch (error) {
      reportInternalError('RuntimeMonitor', error);
    }
  }

  /** Calls `visit` for each recent slice of requests' own work that overlaps `[start, end]`. */
  slicesOverlapping(
    start: number,
    end: number,
    visit: (owner: WatchedRequest, overlap: number) => void,
  ): void {
    this.#ring.overlapping(start, end, visit);
  }

  #ownerOf(ctx: Context): WatchedRequest | undefined {
    const spanContext = trace.getSpanContext(ctx);
    return spanContext === undefined ? undefined : this.#open.get(spanContext.traceId);
  }

  /** Gives the time since the last mark to the request whose work it was; marks `now`. */
  #attribute(now: number): void {
    const owner = this.#owner;
    const start = this.#mark;
    this.#mark = now;
    if (owner === undefined) return;
    // Work past its end (a claim still held, an outer callback resumed) is no longer its own.
    const end = owner.endedAt === undefined ? now : Math.min(now, owner.endedAt);
    if (end <= start) return;
    const ms = end - start;
    owner.onLoopMs += ms;
    this.#ring.add(start, end, owner);
    this.#shares.add(owner, ms, this.#where);
  }

  #push(asyncId: number): void {
    this.#ids.push(asyncId);
    this.#savedOwners.push(this.#owner);
    this.#savedWheres.push(this.#where);
  }

  #clearStack(): void {
    this.#ids.length = 0;
    this.#savedOwners.length = 0;
    this.#savedWheres.length = 0;
  }

  // Hooks: any throw in an async hook ends the process, so each one catches everything.
  readonly #before = (asyncId: number): void => {
    try {
      const now = performance.now();
      if (this.#ids.length > 0) {
        this.#attribute(now); // the outer callback's work up to here
      } else {
        // Between callbacks: the loop's own work or idle time, no request's. A macrotask starts
        // a new stretch; a microtask continues the one of the callback before it.
        this.#mark = now;
        if (!continuesStretch()) {
          this.#stretchStart = now;
          this.#shares.reset();
        }
      }
      this.#push(asyncId);
      const ctx = context.active();
      this.#owner = this.#ownerOf(ctx);
      this.#where = ctx;
    } catch (error) {
      reportInternalError('RuntimeMonitor', error);
    }
  };

  readonly #after = (asyncId: number): void => {
    try {
      const now = performance.now();
      this.#attribute(now);
      const at = this.#ids.lastIndexOf(asyncId);
      // Unknown with callbacks running: not one of theirs (its `before` came before the hook).
      if (at < 0 && this.#ids.length > 0) return;
      if (at >= 0) {
        // Back to the callback it ran inside (callbacks above it that never ended are dropped).
        this.#owner = this.#savedOwners[at];
        this.#where = this.#savedWheres[at];
        this.#ids.length = at;
        this.#savedOwners.length = at;
        this.#savedWheres.length = at;
        if (at > 0) return;
      }
      // The outermost callback ended (or the one timing started in, which had no `before`).
      this.#owner = undefined;
      this.#where = undefined;
      if (now - this.#stretchStart >= this.#thresholdMs) {
        this.#onLongStretch(this.#stretchStart, now, this.#shares);
        // What follows (its microtasks) is a new stretch: contiguous ones are merged in the JSON.
        this.#stretchStart = now;
        this.#shares.reset();
      }
    } catch (error) {
      reportInternalError('RuntimeMonitor', error);
    }
  };
}
