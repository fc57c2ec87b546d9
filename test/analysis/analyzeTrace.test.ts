import { describe, expect, it } from 'vitest';
import { analyzeTrace, analyzeTraces, DurationAnomalies } from '../../src/analysis/index.js';
import type { Race, Trace } from '../../src/types.js';
import { access, span, threeServiceTrace } from '../support/analysisTraces.js';

describe('analyzeTrace', () => {
  it('gives every analysis of a three-service fan-out', () => {
    const trace = threeServiceTrace('fan-out');
    const copy = structuredClone(trace);
    const analysis = analyzeTrace(trace);
    expect(trace).toEqual(copy);
    expect(analysis.trace_id).toBe(trace.trace_id);
    expect(analysis.races?.map((r) => r.kind)).toEqual(['write_write']);
    expect(analysis.audit_trail?.[0]?.accesses).toHaveLength(4);
    expect(analysis.critical_path?.duration_ms).toBe(100);
    expect(analysis.dependencies).toEqual([
      { from: 'checkout', to: 'ledger', calls: 1 },
      { from: 'checkout', to: 'stock', calls: 1 },
    ]);
    expect(analysis.anomalies).toBeUndefined();
  });

  it('omits what it did not find', () => {
    expect(analyzeTrace({ trace_id: 'x' })).toEqual({ trace_id: 'x' });
    expect(analyzeTrace(threeServiceTrace('sequential')).races).toBeUndefined();
  });

  it('keeps the races found in process first, then those between services', () => {
    const trace = threeServiceTrace('fan-out');
    const inProcess: Race = {
      kind: 'lost_update',
      variable: 'balance',
      accesses: [
        access(trace.trace_id, 'balance', 'read', 1, { task_id: 'a', seq: 1 }),
        access(trace.trace_id, 'balance', 'write', 2, { task_id: 'b', seq: 2 }),
        access(trace.trace_id, 'balance', 'write', 3, { task_id: 'a', seq: 3 }),
      ],
    };
    const races = analyzeTrace({ ...trace, races: [inProcess, { kind: 'nope' } as never] }).races;
    expect(races?.map((r) => r.kind)).toEqual(['lost_update', 'write_write']);
  });
});

describe('analyzeTraces', () => {
  it('builds the duration baseline over the traces in order', () => {
    const traceOf = (id: string, ms: number): Trace => ({
      trace_id: id,
      spans: [span('s', 'GET /', 0, ms)],
    });
    const traces = [
      ...Array.from({ length: 10 }, (_, i) => traceOf(`t${i}`, 10 + (i % 2))),
      traceOf('slow', 80),
      traceOf('fast', 10),
    ];
    const out = analyzeTraces(traces);
    expect(out.filter((a) => a.anomalies !== undefined).map((a) => a.trace_id)).toEqual(['slow']);
    expect(() => analyzeTraces([], { k: -1 })).toThrow(RangeError);
    // One shared detector gives the same answers.
    const detector = new DurationAnomalies();
    expect(traces.map((t) => analyzeTrace(t, detector))).toEqual(out);
  });
});
