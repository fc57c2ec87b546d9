import { registry, startCapturing, stopCapturing } from '../../core/registry.js';
import type { CaptureHandle } from '../../core/registry.js';
import type { Trace } from '../../types.js';
import { afterDeliveries } from './afterDeliveries.js';
import type { CaptureLimits } from './CaptureOptions.js';
import { captureCounters } from './captureStats.js';
import { holdJson, tracesOf } from './heldJson.js';

/**
 * Why a capture stopped recording: its time was up, it held `maxTraces`, the next trace would
 * have passed `maxBytes`, `stop()` was called, or no processor was registered to feed it.
 * @example if ((await capture.ended) === 'maxTraces') console.warn('capture full: raise maxTraces')
 */
export type CaptureEndReason = 'duration' | 'maxTraces' | 'maxBytes' | 'stopped' | 'no-processor';

/**
 * What a capture took and why it ended, from `capture.stats()`.
 * @example capture.stats() // { running: false, durationMs: 500, traces: 42, bytes: 81920, dropped: 0, reason: 'duration', ... }
 */
export interface CaptureStats {
  /** Whether every request still records for it. */
  running: boolean;
  /** How long it was to record at most, in ms (its `durationMs`). */
  durationMs: number;
  /** Traces taken. */
  traces: number;
  /** Bytes of their JSON (UTF-8). */
  bytes: number;
  /**
   * Traces that finished in its window but were not taken: past `maxTraces` or `maxBytes`, or
   * handed over after `stop()` had resolved.
   */
  dropped: number;
  /** Traces taken that were emitted before their request ended (`incomplete`: a processor shut down, a TTL, the capacity). */
  incomplete: number;
  /** Why it stopped recording; absent while it runs. */
  reason?: CaptureEndReason;
  /** When it started, ISO 8601. */
  startedAt: string;
  /** When it stopped recording, ISO 8601; absent while it runs. */
  endedAt?: string;
}

/**
 * A bounded recording of every request (Go's `trace.Start` … `trace.Stop`), from `startCapture`.
 * While it runs every request records, as in `mode: 'always'`, and it takes the trace of each
 * request that finishes; it ends by itself at its duration or bounds, or at `stop()`. The traces
 * recorded only because of it go to it alone: not to the sinks, `onFinish` or `recent()`.
 * @example const capture = startCapture({ durationMs: 500 }); await capture.ended; const traces = await capture.stop();
 */
export class Capture implements CaptureHandle {
  /** The traces taken, as JSON: their size is measured exactly, and nothing shares them. */
  #taken: string[] = [];
  #count = 0;
  #bytes = 0;
  #dropped = 0;
  #incomplete = 0;
  #reason: CaptureEndReason | undefined = undefined;
  readonly #startedAt = Date.now();
  #endedAt: number | undefined = undefined;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #result: Promise<Trace[]> | undefined = undefined;
  /** The traces were read out (`stop()` resolved): later hand-overs are dropped. */
  #closed = false;
  readonly #limits: CaptureLimits;
  #resolveEnded: (reason: CaptureEndReason) => void = () => {};
  /**
   * Settles with the reason once the capture stops recording (by itself or by `stop()`); never
   * rejects. Then `stop()` returns what it took.
   * @example const reason = await capture.ended; // 'duration'
   */
  readonly ended: Promise<CaptureEndReason>;

  /** Starts recording at once: see `startCapture`, which checks the limits. */
  constructor(limits: CaptureLimits) {
    this.#limits = limits;
    this.ended = new Promise<CaptureEndReason>((resolve) => {
      this.#resolveEnded = resolve;
    });
    captureCounters.captures++;
    if (registry.processors.size === 0) {
      // Nothing could hand it a trace: say so now rather than record for nothing.
      captureCounters.withoutProcessor++;
      this.#end('no-processor');
      return;
    }
    if (registry.captures.size > 0) captureCounters.overlapping++;
    startCapturing(this);
    // Unref'd: a capture is no reason to keep the process alive.
    this.#timer = setTimeout(() => this.#end('duration'), limits.durationMs);
    this.#timer.unref?.();
  }

  /** Takes a finished trace (called by the processors). Never throws. */
  take(trace: Trace): void {
    if (this.#closed || this.#reason === 'maxTraces' || this.#reason === 'maxBytes') {
      this.#dropped++;
      return;
    }
    const held = holdJson(trace, 'capture');
    if (held === undefined) {
      this.#dropped++;
      return;
    }
    const { json, bytes } = held;
    if (this.#bytes + bytes > this.#limits.maxBytes) {
      this.#dropped++;
      this.#end('maxBytes');
      return;
    }
    this.#taken.push(json);
    this.#count++;
    this.#bytes += bytes;
    if (trace.incomplete !== undefined) this.#incomplete++;
    if (this.#count >= this.#limits.maxTraces) this.#end('maxTraces');
  }

  /**
   * Stops recording (if it still runs) and resolves with the traces taken, in the order they
   * finished. Traces whose request ended before the call are in it; those still running are not.
   * A second call returns the first one's promise. Never rejects.
   * @example const traces = await capture.stop(); writeFileSync('capture.json', JSON.stringify(toChromeTrace(traces)));
   */
  stop(): Promise<Trace[]> {
    this.#end('stopped');
    this.#result ??= this.#readOut();
    return this.#result;
  }

  /**
   * What it took so far and why it ended.
   * @example if (capture.stats().dropped > 0) console.warn('capture bounds reached')
   */
  stats(): CaptureStats {
    const out: CaptureStats = {
      running: this.#reason === undefined,
      durationMs: this.#limits.durationMs,
      traces: this.#count,
      bytes: this.#bytes,
      dropped: this.#dropped,
      incomplete: this.#incomplete,
      startedAt: new Date(this.#startedAt).toISOString(),
    };
    if (this.#reason !== undefined) out.reason = this.#reason;
    if (this.#endedAt !== undefined) out.endedAt = new Date(this.#endedAt).toISOString();
    return out;
  }

  /** Stops recording, once: the first reason is the one kept. */
  #end(reason: CaptureEndReason): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#endedAt = Date.now();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    stopCapturing(this);
    this.#resolveEnded(reason);
  }

  async #readOut(): Promise<Trace[]> {
    await afterDeliveries();
    this.#closed = true;
    const taken = this.#taken;
    this.#taken = []; // the caller owns the traces now
    return tracesOf(taken, 'capture');
  }
}
