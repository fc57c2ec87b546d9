import { describe, expect, it } from 'vitest';
import { serviceDependencies } from '../../src/analysis/index.js';
import type { Trace } from '../../src/types.js';
import { span, threeServiceTrace } from '../support/analysisTraces.js';

describe('serviceDependencies', () => {
  it('counts the calls from one service to another in the span tree', () => {
    expect(serviceDependencies(threeServiceTrace('fan-out'))).toEqual([
      { from: 'checkout', to: 'ledger', calls: 1 },
      { from: 'checkout', to: 'stock', calls: 1 },
    ]);
  });

  it('counts repeated calls, ignores calls within a service and spans without a service', () => {
    const trace: Trace = {
      trace_id: 't',
      spans: [
        span('r', 'root', 0, 100, { service: 'api' }),
        span('c1', 'call', 0, 10, { service: 'api', parent_id: 'r' }),
        span('s1', 'serve', 1, 9, { service: 'db', parent_id: 'c1' }),
        span('c2', 'call', 20, 30, { service: 'api', parent_id: 'r' }),
        span('s2', 'serve', 21, 29, { service: 'db', parent_id: 'c2' }),
        span('x', 'back', 22, 28, { service: 'api', parent_id: 's2' }),
        span('n', 'no service', 40, 50, { parent_id: 'r' }),
        span('o', 'orphan', 40, 50, { service: 'cache', parent_id: 'missing' }),
      ],
    };
    expect(serviceDependencies(trace)).toEqual([
      { from: 'api', to: 'db', calls: 2 },
      { from: 'db', to: 'api', calls: 1 },
    ]);
  });

  it('is empty for a trace of one process or without spans', () => {
    expect(serviceDependencies({ spans: [span('r', 'root', 0, 1)] })).toEqual([]);
    expect(serviceDependencies({})).toEqual([]);
    expect(serviceDependencies({ spans: 'x' } as unknown as Trace)).toEqual([]);
  });
});
