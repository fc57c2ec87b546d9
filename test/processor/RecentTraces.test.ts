import { describe, expect, it } from 'vitest';
import { RecentTraces } from '../../src/processor/RecentTraces.js';
import { TraceAssembly } from '../../src/processor/TraceAssembly.js';

const trace = (id: string) => new TraceAssembly(id, 0);
const ids = (list: TraceAssembly[]) => list.map((t) => t.traceId);

describe('RecentTraces', () => {
  it('lists the newest first, up to a limit, and forgets the oldest past its capacity', () => {
    const recent = new RecentTraces(3);
    for (const id of ['a', 'b', 'c', 'd']) recent.add(trace(id));
    expect(ids(recent.list(10))).toEqual(['d', 'c', 'b']);
    expect(ids(recent.list(2))).toEqual(['d', 'c']);
    expect(recent.get('a')).toBeUndefined();
    expect(recent.get('b')?.traceId).toBe('b');
  });

  it('finds the latest of a trace id that finished twice, until that one is forgotten', () => {
    const recent = new RecentTraces(2);
    const first = trace('a');
    const second = trace('a');
    recent.add(first);
    recent.add(second);
    expect(recent.get('a')).toBe(second);
    recent.add(trace('b')); // pushes out `first`, which must not take `second`'s entry along
    expect(recent.get('a')).toBe(second);
    recent.add(trace('c'));
    expect(recent.get('a')).toBeUndefined();
  });

  it('keeps nothing with capacity 0', () => {
    const recent = new RecentTraces(0);
    recent.add(trace('a'));
    expect(recent.list(5)).toEqual([]);
    expect(recent.get('a')).toBeUndefined();
  });
});
