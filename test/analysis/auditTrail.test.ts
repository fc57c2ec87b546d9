import { describe, expect, it } from 'vitest';
import { auditTrail } from '../../src/analysis/index.js';
import type { Trace } from '../../src/types.js';
import { access, at, threeServiceTrace } from '../support/analysisTraces.js';

const links = (trace: Trace) =>
  auditTrail(trace).map(({ variable, accesses }) => [
    variable,
    accesses.map((a) => [a.service ?? '', a.task_id, a.access, a.value, a.previous]),
  ]);

describe('auditTrail', () => {
  it('lists every access of a variable across services with its causal link', () => {
    expect(links(threeServiceTrace('fan-out'))).toEqual([
      [
        'row:7',
        [
          ['checkout', 'checkout:1', 'read', 1, undefined],
          ['stock', 'stock:1', 'write', 2, { seq: 1, happens_before: true }],
          // ledger wrote in a branch concurrent with stock's: not ordered.
          ['ledger', 'ledger:1', 'write', 3, { seq: 1, happens_before: false }],
          ['checkout', 'checkout:1', 'read', 3, { seq: 1, happens_before: true }],
        ],
      ],
    ]);
    expect(links(threeServiceTrace('sequential'))[0]?.[1]).toContainEqual([
      'ledger',
      'ledger:1',
      'write',
      3,
      { seq: 1, happens_before: true },
    ]);
  });

  it('keeps the link a race detector recorded, and groups variables by first access', () => {
    const id = 't';
    const trace: Trace = {
      trace_id: id,
      state: [
        access(id, 'b', 'write', 1, { task_id: 'main', seq: 1, value: 1 }),
        access(id, 'a', 'read', 2, { task_id: 'main', seq: 2 }),
        access(id, 'b', 'write', 3, {
          task_id: 'branch:1',
          seq: 3,
          previous: { seq: 1, happens_before: true },
        }),
        access(id, 'b', 'delete', 4, { task_id: 'branch:2', seq: 4 }),
        access(id, 'a', 'write', 5, { task_id: 'main', seq: 5 }),
      ],
    };
    expect(links(trace)).toEqual([
      [
        'b',
        [
          ['', 'main', 'write', 1, undefined],
          ['', 'branch:1', 'write', undefined, { seq: 1, happens_before: true }],
          // Another task of the same process, with no link recorded: left unknown.
          ['', 'branch:2', 'delete', undefined, undefined],
        ],
      ],
      [
        'a',
        [
          ['', 'main', 'read', undefined, undefined],
          ['', 'main', 'write', undefined, { seq: 2, happens_before: true }],
        ],
      ],
    ]);
  });

  it('orders accesses of one process by seq, and processes by time', () => {
    const id = 't';
    const trace: Trace = {
      trace_id: id,
      state: [
        // Same millisecond in one process: seq decides.
        access(id, 'x', 'write', 10, { task_id: 'p', seq: 7, service: 'p', value: 'second' }),
        access(id, 'x', 'write', 10, { task_id: 'p', seq: 6, service: 'p', value: 'first' }),
        access(id, 'x', 'read', 5, { task_id: 'q', seq: 100, service: 'q', value: 'q' }),
      ],
    };
    expect(auditTrail(trace)[0]?.accesses.map((a) => a.value)).toEqual(['q', 'first', 'second']);
  });

  it('does not change the trace and skips entries of another shape', () => {
    const trace = threeServiceTrace('fan-out');
    const copy = structuredClone(trace);
    auditTrail(trace);
    expect(trace).toEqual(copy);
    const junk = { trace_id: 'j', state: [null, 'x', { variable: 'v', access: 'poke' }] };
    expect(auditTrail(junk as unknown as Trace)).toEqual([]);
    expect(auditTrail({ trace_id: 'e' } as Trace)).toEqual([]);
    expect(at(0)).toBe('2025-06-01T12:00:00.000Z');
  });
});
