import { rangeError, typeError } from '../core/checkOptions.js';
import type { TraceAnalyzer } from '../processor/TraceAnalyzer.js';
import type { DurationAnomaly, Trace, TraceSpan } from '../types.js';
import { DurationBaseline, positiveInteger, type DurationStats } from './DurationBaseline.js';

/** How `DurationAnomalies` decides. */
export interface DurationAnomaliesOptions {
  /** A span is anomalous above mean + k·stddev of its name's baseline. Default 3. */
  k?: number;
  /** Durations the baseline must hold for a name before its spans are judged. Default 10. */
  minSamples?: number;
  /**
   * Smallest standard deviation used, milliseconds. Times have millisecond precision, so spans
   * that always took the same whole milliseconds would otherwise make any slower one infinitely
   * anomalous. Default 1.
   */
  minStddevMs?: number;
  /** The baseline to read and add to (shared, or kept across runs). Default: a new one. */
  baseline?: DurationBaseline;
}

function nonNegative(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw typeError(name, 'a finite number ≥ 0', value);
  if (!Number.isFinite(value) || value < 0) throw rangeError(name, 'a finite number ≥ 0', value);
  return value;
}

const round = (value: number, places: number): number => {
  const scale = 10 ** places;
  return Math.round(value * scale) / scale;
};

function spansOf(trace: Pick<Trace, 'spans'>): TraceSpan[] {
  const spans: unknown = trace.spans;
  if (!Array.isArray(spans)) return [];
  return spans.filter(
    (s): s is TraceSpan =>
      s !== null &&
      typeof s === 'object' &&
      typeof (s as TraceSpan).name === 'string' &&
      typeof (s as TraceSpan).duration_ms === 'number' &&
      Number.isFinite((s as TraceSpan).duration_ms),
  );
}

/**
 * A `TraceAnalyzer` that adds `anomalies` to each finished trace: its spans much slower than the
 * recent spans of the same name (duration > mean + k·stddev, once the name has `minSamples`
 * durations), judged against the traces before it; then it adds the trace's durations to the
 * baseline. Reading (`anomaliesOf`) never changes the baseline. An open span is judged on its
 * time so far (a lower bound) and never added. Memory: the baseline's bounds.
 * @example new StepmarkSpanProcessor({ analyzers: [new DurationAnomalies({ k: 3, minSamples: 10 })] })
 */
export class DurationAnomalies implements TraceAnalyzer {
  readonly name = 'DurationAnomalies';
  /** The durations spans are judged against. */
  readonly baseline: DurationBaseline;
  readonly #k: number;
  readonly #minSamples: number;
  readonly #minStddev: number;

  constructor(options: DurationAnomaliesOptions = {}) {
    if (options === null || typeof options !== 'object')
      throw typeError('DurationAnomalies options', 'an object', options);
    this.#k = nonNegative('k', options.k, 3);
    this.#minSamples = positiveInteger('minSamples', options.minSamples, 10);
    this.#minStddev = nonNegative('minStddevMs', options.minStddevMs, 1);
    if (options.baseline !== undefined && !(options.baseline instanceof DurationBaseline))
      throw typeError('baseline', 'a DurationBaseline', options.baseline);
    this.baseline = options.baseline ?? new DurationBaseline();
  }

  /**
   * The spans of `trace` that are anomalous against the baseline as it is, most anomalous
   * first. Changes nothing.
   */
  anomaliesOf(trace: Pick<Trace, 'spans'>): DurationAnomaly[] {
    const found: DurationAnomaly[] = [];
    const stats = new Map<string, DurationStats | undefined>();
    for (const span of spansOf(trace)) {
      if (!stats.has(span.name)) stats.set(span.name, this.baseline.stats(span.name));
      const known = stats.get(span.name);
      if (known === undefined || known.samples < this.#minSamples) continue;
      const stddev = Math.max(known.stddev_ms, this.#minStddev);
      if (span.duration_ms <= known.mean_ms + this.#k * stddev) continue;
      found.push({
        span_id: span.span_id,
        name: span.name,
        duration_ms: span.duration_ms,
        baseline_mean_ms: round(known.mean_ms, 3),
        baseline_stddev_ms: round(known.stddev_ms, 3),
        score: round((span.duration_ms - known.mean_ms) / stddev, 2),
        samples: known.samples,
      });
    }
    // Stable: spans of equal score stay in trace order.
    return found.sort((a, b) => b.score - a.score);
  }

  /** Adds the durations of the trace's ended spans to the baseline, in trace order. */
  learn(trace: Pick<Trace, 'spans'>): void {
    for (const span of spansOf(trace)) {
      if (span.open !== true) this.baseline.add(span.name, span.duration_ms);
    }
  }

  /** Sets `trace.anomalies` (when any), then adds the trace's durations to the baseline. */
  onTraceComplete(trace: Trace): void {
    const anomalies = this.anomaliesOf(trace);
    if (anomalies.length > 0) trace.anomalies = anomalies;
    this.learn(trace);
  }
}
