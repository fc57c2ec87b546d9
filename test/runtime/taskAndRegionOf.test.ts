import { describe, expect, it } from 'vitest';
import type { Trace, TraceSpan } from '../../src/index.js';
import { taskAndRegionOf } from '../../src/runtime/index.js';

const at = '2024-01-01T00:00:00.000Z';
function span(span_id: string, parent_id?: string, kind?: 'task' | 'region'): TraceSpan {
  return {
    span_id,
    name: `span-${span_id}`,
    start_time: at,
    end_time: at,
    duration_ms: 0,
    ...(parent_id !== undefined ? { parent_id } : {}),
    ...(kind !== undefined ? { kind } : {}),
  };
}

describe('taskAndRegionOf', () => {
  // root → task A → region R1 → plain P → region R2 → task B → plain Q
  const trace: Trace = {
    trace_id: 't',
    spans: [
      span('root'),
      span('A', 'root', 'task'),
      span('R1', 'A', 'region'),
      span('P', 'R1'),
      span('R2', 'P', 'region'),
      span('B', 'R2', 'task'),
      span('Q', 'B'),
    ],
  };
  const names = (spanId: string | undefined) => {
    const { task, region } = taskAndRegionOf(trace, spanId);
    return [task?.span_id, region?.span_id];
  };

  it('finds the innermost task up the tree, and the innermost region below it', () => {
    expect(names('R2')).toEqual(['A', 'R2']);
    expect(names('P')).toEqual(['A', 'R1']);
    expect(names('A')).toEqual(['A', undefined]);
    expect(names('Q')).toEqual(['B', undefined]);
    expect(names('B')).toEqual(['B', undefined]);
  });

  it('is empty for a span in no task, an unknown span, no span id, or a trace without spans', () => {
    expect(names('root')).toEqual([undefined, undefined]);
    expect(names('nope')).toEqual([undefined, undefined]);
    expect(names(undefined)).toEqual([undefined, undefined]);
    expect(taskAndRegionOf({ trace_id: 't' }, 'A')).toEqual({});
  });

  it('stops on a cycle of parent links (a trace read from a file)', () => {
    const cyclic: Trace = { trace_id: 't', spans: [span('x', 'y', 'region'), span('y', 'x')] };
    expect(taskAndRegionOf(cyclic, 'x').region?.span_id).toBe('x');
    expect(taskAndRegionOf(cyclic, 'x').task).toBeUndefined();
  });
});
