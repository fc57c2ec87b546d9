import { describe, expect, it } from 'vitest';
import { DurationAnomalies, DurationBaseline } from '../../src/analysis/index.js';
import type { Trace } from '../../src/types.js';
import { span } from '../support/analysisTraces.js';

/** A trace of one span per duration, each named `name`. */
function traceOf(name: string, ...durations: number[]): Trace {
  return {
    trace_id: 't',
    spans: durations.map((d, i) => span(`s${i}`, name, 0, d)),
  };
}

describe('DurationBaseline', () => {
  it('keeps the last samplesPerName durations of a name', () => {
    const baseline = new DurationBaseline({ samplesPerName: 3 });
    for (const d of [100, 1, 2, 3]) baseline.add('q', d);
    expect(baseline.stats('q')).toEqual({ mean_ms: 2, stddev_ms: Math.sqrt(2 / 3), samples: 3 });
    expect(baseline.stats('other')).toBeUndefined();
  });

  it('keeps at most maxNames names, evicting the one least recently added to, and counts it', () => {
    const baseline = new DurationBaseline({ maxNames: 2 });
    baseline.add('a', 1);
    baseline.add('b', 1);
    baseline.add('a', 2); // a is now the most recent
    baseline.stats('b'); // reading does not refresh b
    baseline.add('c', 1);
    expect(baseline.stats('b')).toBeUndefined();
    expect(baseline.stats('a')?.samples).toBe(2);
    expect(baseline.names).toBe(2);
    expect(baseline.evictedNames).toBe(1);
  });

  it('ignores durations that are not finite numbers ≥ 0', () => {
    const baseline = new DurationBaseline();
    for (const d of [Number.NaN, -1, Infinity]) baseline.add('a', d);
    expect(baseline.stats('a')).toBeUndefined();
  });

  it('holds 1,000 names of 100 samples when fed far more', () => {
    const baseline = new DurationBaseline();
    for (let i = 0; i < 5_000; i++) for (let j = 0; j < 3; j++) baseline.add(`n${i}`, j);
    for (let j = 0; j < 1_000; j++) baseline.add('n4999', j);
    expect(baseline.names).toBe(1_000);
    expect(baseline.evictedNames).toBe(4_000);
    expect(baseline.stats('n4999')?.samples).toBe(100);
  });

  it('checks its options at construction', () => {
    expect(() => new DurationBaseline({ samplesPerName: 0 })).toThrow(RangeError);
    expect(() => new DurationBaseline({ maxNames: 1.5 })).toThrow(RangeError);
    expect(() => new DurationBaseline({ maxNames: '10' as unknown as number })).toThrow(TypeError);
    expect(() => new DurationBaseline(null as unknown as object)).toThrow(TypeError);
  });
});

describe('DurationAnomalies', () => {
  it('reports a span far above the mean of its name once the baseline has enough samples', () => {
    const detector = new DurationAnomalies();
    detector.onTraceComplete(traceOf('GET /orders', 10, 12, 8, 10, 11, 9, 10, 12, 8, 10));
    const slow = traceOf('GET /orders', 10, 90);
    detector.onTraceComplete(slow);
    expect(slow.anomalies).toEqual([
      {
        span_id: 's1',
        name: 'GET /orders',
        duration_ms: 90,
        baseline_mean_ms: 10,
        baseline_stddev_ms: 1.342,
        score: 59.63,
        samples: 10,
      },
    ]);
  });

  it('judges nothing before minSamples durations of the name', () => {
    const detector = new DurationAnomalies({ minSamples: 5 });
    detector.onTraceComplete(traceOf('q', 10, 10, 10, 10));
    expect(detector.anomaliesOf(traceOf('q', 1_000))).toEqual([]);
    detector.onTraceComplete(traceOf('q', 10));
    expect(detector.anomaliesOf(traceOf('q', 1_000)).map((a) => a.samples)).toEqual([5]);
  });

  it('judges a trace against the traces before it, then learns from it', () => {
    const detector = new DurationAnomalies({ minSamples: 10 });
    detector.onTraceComplete(traceOf('q', ...Array<number>(10).fill(10)));
    // Two slow spans of one name in one trace: neither hides the other.
    const t = traceOf('q', 50, 60);
    detector.onTraceComplete(t);
    expect(t.anomalies?.map((a) => a.duration_ms)).toEqual([60, 50]);
    expect(detector.baseline.stats('q')?.samples).toBe(12);
  });

  it('never changes the baseline when reading', () => {
    const detector = new DurationAnomalies();
    detector.onTraceComplete(traceOf('q', ...Array<number>(10).fill(10)));
    const before = detector.baseline.stats('q');
    for (let i = 0; i < 3; i++) expect(detector.anomaliesOf(traceOf('q', 100))).toHaveLength(1);
    expect(detector.anomaliesOf(traceOf('new name', 100))).toEqual([]);
    expect(detector.baseline.stats('q')).toEqual(before);
    expect(detector.baseline.names).toBe(1);
  });

  it('uses minStddevMs so that spans of constant duration are not infinitely anomalous', () => {
    const detector = new DurationAnomalies();
    detector.onTraceComplete(traceOf('q', ...Array<number>(10).fill(0)));
    expect(detector.anomaliesOf(traceOf('q', 2))).toEqual([]);
    expect(detector.anomaliesOf(traceOf('q', 4))[0]).toMatchObject({ score: 4 });
  });

  it('judges an open span on its time so far but never learns it', () => {
    const detector = new DurationAnomalies();
    detector.onTraceComplete(traceOf('q', ...Array<number>(10).fill(10)));
    const open: Trace = { trace_id: 'o', spans: [span('s', 'q', 0, 500, { open: true })] };
    detector.onTraceComplete(open);
    expect(open.anomalies).toHaveLength(1);
    expect(detector.baseline.stats('q')?.samples).toBe(10);
  });

  it('shares a baseline given to it, and leaves traces without anomalies as they were', () => {
    const baseline = new DurationBaseline();
    const detector = new DurationAnomalies({ baseline });
    const t = traceOf('q', 10);
    detector.onTraceComplete(t);
    expect(t).toEqual(traceOf('q', 10));
    expect(baseline.stats('q')?.samples).toBe(1);
  });

  it('skips spans of another shape', () => {
    const detector = new DurationAnomalies({ minSamples: 1 });
    const odd = { trace_id: 'x', spans: [null, { name: 'q' }, 7] } as unknown as Trace;
    expect(() => detector.onTraceComplete(odd)).not.toThrow();
    expect(detector.baseline.names).toBe(0);
  });

  it('checks its options at construction', () => {
    expect(() => new DurationAnomalies({ k: -1 })).toThrow(RangeError);
    expect(() => new DurationAnomalies({ k: Number.NaN })).toThrow(RangeError);
    expect(() => new DurationAnomalies({ k: '3' as unknown as number })).toThrow(TypeError);
    expect(() => new DurationAnomalies({ minSamples: 0 })).toThrow(RangeError);
    expect(() => new DurationAnomalies({ minStddevMs: -0.5 })).toThrow(RangeError);
    expect(() => new DurationAnomalies({ baseline: {} as DurationBaseline })).toThrow(TypeError);
    expect(() => new DurationAnomalies({ k: 0, minSamples: 1, minStddevMs: 0 })).not.toThrow();
  });
});
