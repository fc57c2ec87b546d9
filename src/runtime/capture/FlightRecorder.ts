import {
  integerOption,
  optionsObject,
  warnLikelyTypos,
  type IntegerRule,
} from '../../core/checkOptions.js';
import { optionsError } from '../../core/options.js';
import {
  registry,
  startCapturing,
  stopCapturing,
  type CaptureHandle,
} from '../../core/registry.js';
import type { Trace } from '../../types.js';
import { MAX_BYTES_RULE, MAX_CAPTURE_MS, MAX_TRACES_RULE } from './CaptureOptions.js';
import { holdJson, tracesOf } from './heldJson.js';
import { captureCounters } from './captureStats.js';
import { TraceRing } from './TraceRing.js';

/**
 * Options of `FlightRecorder`, checked by its constructor: a wrong one is a `TypeError` (wrong
 * type) or `RangeError` (out of range) naming it.
 * @example new FlightRecorder({ windowMs: 30_000, maxTraces: 2_000 })
 */
export interface FlightRecorderOptions {
  /** How far back `dump()` reaches, in ms: a whole number from 1 to 3,600,000 (1 h). Default 10,000. */
  windowMs?: number;
  /** Traces held at most, from 1 to 1,000,000; past it the oldest is forgotten (counted). Default 1,000. */
  maxTraces?: number;
  /** Bytes of JSON (UTF-8) held at most, from 1 to 1 GiB; past it the oldest go (counted). Default 16 MiB. */
  maxBytes?: number;
}

/**
 * Counters of a flight recorder, from `recorder.stats()`.
 * @example recorder.stats() // { running: true, traces: 120, bytes: 240000, expired: 900, evicted: 0, dropped: 0 }
 */
export interface FlightRecorderStats {
  running: boolean;
  /** Traces held now. */
  traces: number;
  /** Bytes of their JSON (UTF-8). */
  bytes: number;
  /** Traces that aged out of the window (the normal way out). */
  expired: number;
  /** Traces forgotten before they aged out, to stay within `maxTraces` or `maxBytes`. */
  evicted: number;
  /** Traces never held: larger than `maxBytes` alone, or not printable as JSON. */
  dropped: number;
}

/** Default of `windowMs`: 10 s. */
export const DEFAULT_FLIGHT_WINDOW_MS = 10_000;
/** Default of `maxTraces` of a flight recorder: 1,000. */
export const DEFAULT_FLIGHT_MAX_TRACES = 1_000;
/** Default of `maxBytes` of a flight recorder: 16 MiB (it runs for long). */
export const DEFAULT_FLIGHT_MAX_BYTES = 16 * 1024 * 1024;

const WINDOW_RULE: IntegerRule = {
  min: 1,
  max: MAX_CAPTURE_MS,
  expects: `an integer from 1 to ${MAX_CAPTURE_MS} (ms)`,
};
const OPTION_NAMES: readonly string[] = ['windowMs', 'maxTraces', 'maxBytes'];

function checkFlightOptions(options: unknown): TraceRing {
  const o = optionsObject<Record<string, unknown>>('FlightRecorder', options) ?? {};
  const ring = new TraceRing(
    integerOption('windowMs', o.windowMs, WINDOW_RULE) ?? DEFAULT_FLIGHT_WINDOW_MS,
    integerOption('maxTraces', o.maxTraces, MAX_TRACES_RULE) ?? DEFAULT_FLIGHT_MAX_TRACES,
    integerOption('maxBytes', o.maxBytes, MAX_BYTES_RULE) ?? DEFAULT_FLIGHT_MAX_BYTES,
  );
  warnLikelyTypos('the options of FlightRecorder', o, OPTION_NAMES);
  return ring;
}

/**
 * Keeps the traces of the last `windowMs` (Go's `trace.FlightRecorder`): while started, every
 * request records (as during a capture) and its trace goes into a bounded ring, not to the sinks;
 * `dump()` returns the traces that finished in the window, on demand (an alert, an error, a
 * signal). Bounded by age, count and bytes; what leaves early is counted.
 * @example const recorder = new FlightRecorder({ windowMs: 30_000 }); recorder.start(); process.on('uncaughtExceptionMonitor', () => save(toChromeTrace(recorder.dump())));
 */
export class FlightRecorder implements CaptureHandle {
  readonly #ring: TraceRing;
  #dropped = 0;

  /** Checks the options (throws naming a wrong one); records nothing until `start()`. */
  constructor(options?: FlightRecorderOptions) {
    try {
      this.#ring = checkFlightOptions(options);
    } catch (error) {
      throw optionsError('FlightRecorder', error);
    }
  }

  /**
   * Starts recording every request (again, after `stop()`: what it holds stays). Does nothing if
   * it runs already. A recorder started before any processor is registered takes traces once one is.
   * @example recorder.start()
   */
  start(): void {
    if (registry.captures.has(this)) return;
    if (registry.captures.size > 0) captureCounters.overlapping++;
    startCapturing(this);
  }

  /**
   * Stops recording; the traces held stay for `dump()`. Does nothing if it is stopped.
   * @example recorder.stop()
   */
  stop(): void {
    stopCapturing(this);
  }

  /** Takes a finished trace (called by the processors). Never throws. */
  take(trace: Trace): void {
    const held = holdJson(trace, 'FlightRecorder');
    if (held === undefined || held.bytes > this.#ring.maxBytes) {
      this.#dropped++;
      return;
    }
    this.#ring.push(held.json, held.bytes, Date.now());
  }

  /**
   * The traces that finished in the last `windowMs`, oldest first, as new objects (the recorder
   * keeps its own). Works while started and after `stop()`.
   * @example writeFileSync('last-seconds.json', JSON.stringify(toChromeTrace(recorder.dump())))
   */
  dump(): Trace[] {
    this.#ring.expire(Date.now());
    return tracesOf(this.#ring.list(), 'FlightRecorder');
  }

  /**
   * What it holds and what it let go of.
   * @example recorder.stats().evicted // > 0: raise maxTraces or maxBytes to keep the whole window
   */
  stats(): FlightRecorderStats {
    this.#ring.expire(Date.now());
    return {
      running: registry.captures.has(this),
      traces: this.#ring.size,
      bytes: this.#ring.bytes,
      expired: this.#ring.expired,
      evicted: this.#ring.evicted,
      dropped: this.#dropped,
    };
  }
}
