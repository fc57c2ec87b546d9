import { describe, expect, it } from 'vitest';
import { CriticalPathAnalyzer, criticalPath } from '../../src/analysis/index.js';
import type { CriticalPath, Trace, TraceSpan } from '../../src/types.js';
import { span } from '../support/analysisTraces.js';

const trace = (spans: TraceSpan[]): Trace => ({ trace_id: 't', spans });

/** The path as `name:self_ms` pairs, and a check that the segments add up to the duration. */
function summary(path: CriticalPath | undefined): string[] {
  expect(path).toBeDefined();
  const total = path!.segments.reduce((sum, s) => sum + s.self_ms, 0);
  expect(total).toBeCloseTo(path!.duration_ms, 6);
  return path!.segments.map((s) => `${s.name}:${s.self_ms}`);
}

describe('criticalPath', () => {
  it('A (10 ms) then B (20 ms) under a root of 30 ms is 30 ms', () => {
    const path = criticalPath(
      trace([
        span('r', 'root', 0, 30),
        span('a', 'A', 0, 10, { parent_id: 'r' }),
        span('b', 'B', 10, 30, { parent_id: 'r' }),
      ]),
    );
    expect(path?.duration_ms).toBe(30);
    expect(summary(path)).toEqual(['root:0', 'A:10', 'B:20']);
    expect(path?.segments.map((s) => s.start_ms)).toEqual([0, 0, 10]);
  });

  it('counts nested spans once', () => {
    const path = criticalPath(
      trace([
        span('r', 'root', 0, 100),
        span('c', 'child', 10, 90, { parent_id: 'r' }),
        span('g', 'grandchild', 20, 80, { parent_id: 'c' }),
      ]),
    );
    expect(path?.duration_ms).toBe(100);
    expect(summary(path)).toEqual(['root:20', 'child:20', 'grandchild:60']);
  });

  it('follows only the longest of parallel children', () => {
    const path = criticalPath(
      trace([
        span('r', 'root', 0, 100),
        span('x', 'short', 0, 40, { parent_id: 'r' }),
        span('y', 'long', 0, 90, { parent_id: 'r' }),
        span('z', 'tail', 95, 100, { parent_id: 'r' }),
      ]),
    );
    expect(summary(path)).toEqual(['root:5', 'long:90', 'tail:5']);
  });

  it('continues into an earlier child that overlapped the one it waited on last', () => {
    const path = criticalPath(
      trace([
        span('r', 'root', 0, 100),
        span('x', 'first', 0, 60, { parent_id: 'r' }),
        span('y', 'second', 50, 100, { parent_id: 'r' }),
      ]),
    );
    expect(summary(path)).toEqual(['root:0', 'first:50', 'second:50']);
  });

  it('clamps a child that runs past its parent (another clock) to the parent', () => {
    const path = criticalPath(
      trace([span('r', 'root', 0, 50), span('c', 'child', 10, 70, { parent_id: 'r' })]),
    );
    expect(path?.duration_ms).toBe(50);
    expect(summary(path)).toEqual(['root:10', 'child:40']);
  });

  it('takes the longest of several roots', () => {
    const path = criticalPath(
      trace([
        span('r1', 'short root', 0, 50),
        span('r2', 'long root', 10, 210, { service: 'api' }),
        span('c', 'work', 20, 200, { parent_id: 'r2', service: 'api' }),
      ]),
    );
    expect(path?.duration_ms).toBe(200);
    expect(summary(path)).toEqual(['long root:20', 'work:180']);
    // Offsets are from the trace's first span, the short root's start.
    expect(path?.segments[0]).toEqual({
      span_id: 'r2',
      name: 'long root',
      start_ms: 10,
      self_ms: 20,
      service: 'api',
    });
  });

  it('counts an open span up to its emission time and marks it', () => {
    const path = criticalPath(
      trace([
        span('r', 'root', 0, 40, { open: true }),
        span('c', 'pending', 10, 40, { parent_id: 'r', open: true }),
      ]),
    );
    expect(path?.duration_ms).toBe(40);
    expect(path?.segments.map((s) => s.open)).toEqual([true, true]);
    expect(summary(path)).toEqual(['root:10', 'pending:30']);
  });

  it('keeps sub-millisecond durations exact and the sum equal to the root', () => {
    const root = { ...span('r', 'root', 0, 1), duration_ms: 1.234 };
    const child = { ...span('c', 'child', 0, 1, { parent_id: 'r' }), duration_ms: 0.617 };
    const path = criticalPath(trace([root, child]));
    expect(path?.duration_ms).toBe(1.234);
    expect(summary(path)).toEqual(['root:0.617', 'child:0.617']);
  });

  it('is undefined for a trace without timed spans, and skips spans with no time', () => {
    expect(criticalPath({ spans: [] })).toBeUndefined();
    expect(criticalPath({})).toBeUndefined();
    const bad = { ...span('x', 'bad', 0, 10), start_time: 'yesterday' };
    expect(criticalPath(trace([bad]))).toBeUndefined();
    const path = criticalPath(trace([span('r', 'root', 0, 10), { ...bad, parent_id: 'r' }]));
    expect(summary(path)).toEqual(['root:10']);
  });

  it('handles 10,000 spans in a chain and 10,000 siblings quickly', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) =>
      span(`s${i}`, `chain${i}`, i / 100, 200 - i / 100, i > 0 ? { parent_id: `s${i - 1}` } : {}),
    );
    const siblings = [
      span('root', 'root', 0, 10_001),
      ...Array.from({ length: 9_999 }, (_, i) =>
        span(`c${i}`, `child${i}`, i, i + 2, { parent_id: 'root' }),
      ),
    ];
    const started = performance.now();
    const deep = criticalPath(trace(chain));
    const wide = criticalPath(trace(siblings));
    const elapsed = performance.now() - started;
    expect(deep?.segments).toHaveLength(10_000);
    expect(deep?.duration_ms).toBe(200);
    expect(wide?.duration_ms).toBe(10_001);
    // Overlapping siblings: each on the path only for the part after the previous one's start.
    expect(wide!.segments.reduce((sum, s) => sum + s.self_ms, 0)).toBeCloseTo(10_001, 6);
    expect(elapsed).toBeLessThan(1_000);
  });
});

describe('CriticalPathAnalyzer', () => {
  it('sets critical_path on the finished trace', () => {
    const t = trace([span('r', 'root', 0, 30), span('a', 'A', 0, 10, { parent_id: 'r' })]);
    new CriticalPathAnalyzer().onTraceComplete(t);
    expect(t.critical_path?.duration_ms).toBe(30);
    const empty: Trace = { trace_id: 'e' };
    new CriticalPathAnalyzer().onTraceComplete(empty);
    expect(empty).toEqual({ trace_id: 'e' });
  });
});
