// Traces for the analyses, built as the rebuild from Jaeger shows them: spans with their
// `service`, state accesses with `service`, `span_id`, `task_id`, a per-process `seq`.
import type { StateAccess, Trace, TraceSpan } from '../../src/types.js';

/** 2025-06-01T12:00:00.000Z, the start of every fixture trace. */
export const T0 = Date.parse('2025-06-01T12:00:00.000Z');

/** The ISO time `ms` milliseconds after T0. */
export const at = (ms: number): string => new Date(T0 + ms).toISOString();

/** A span from `startMs` to `endMs` after T0. */
export function span(
  id: string,
  name: string,
  startMs: number,
  endMs: number,
  more: Partial<TraceSpan> = {},
): TraceSpan {
  return {
    span_id: id,
    name,
    start_time: at(startMs),
    end_time: at(endMs),
    duration_ms: endMs - startMs,
    ...more,
  };
}

/** A state access at `ms` after T0. */
export function access(
  traceId: string,
  variable: string,
  kind: StateAccess['access'],
  ms: number,
  more: Partial<StateAccess> & Pick<StateAccess, 'task_id' | 'seq'>,
): StateAccess {
  return { variable, access: kind, trace_id: traceId, timestamp: at(ms), ...more };
}

export const FAN_OUT_TRACE = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
export const SEQUENTIAL_TRACE = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

/**
 * Three services in three processes: `checkout` calls `stock` and `ledger`, each of which writes
 * `row:7`. In the fan-out the two client spans overlap (Promise.all); sequential, `stock`'s call
 * ends before `ledger`'s starts. `checkout` reads `row:7` before both calls and after both.
 */
export function threeServiceTrace(shape: 'fan-out' | 'sequential'): Trace {
  const id = shape === 'fan-out' ? FAN_OUT_TRACE : SEQUENTIAL_TRACE;
  const [stockCall, ledgerCall] =
    shape === 'fan-out'
      ? [
          [10, 50],
          [12, 60],
        ]
      : [
          [10, 40],
          [45, 80],
        ];
  const [s0, s1] = stockCall as [number, number];
  const [l0, l1] = ledgerCall as [number, number];
  return {
    trace_id: id,
    spans: [
      span('a000000000000001', 'POST /checkout', 0, 100, { service: 'checkout' }),
      span('a000000000000002', 'POST stock', s0, s1, {
        service: 'checkout',
        parent_id: 'a000000000000001',
      }),
      span('b000000000000001', 'POST /reserve', s0 + 2, s1 - 2, {
        service: 'stock',
        parent_id: 'a000000000000002',
      }),
      span('a000000000000003', 'POST ledger', l0, l1, {
        service: 'checkout',
        parent_id: 'a000000000000001',
      }),
      span('c000000000000001', 'POST /book', l0 + 2, l1 - 2, {
        service: 'ledger',
        parent_id: 'a000000000000003',
      }),
    ],
    state: [
      access(id, 'row:7', 'read', 5, {
        value: 1,
        task_id: 'checkout:1',
        seq: 1,
        service: 'checkout',
        span_id: 'a000000000000001',
        location: 'checkout.js:10:3',
      }),
      access(id, 'row:7', 'write', s0 + 5, {
        value: 2,
        old_value: 1,
        task_id: 'stock:1',
        seq: 1,
        service: 'stock',
        span_id: 'b000000000000001',
        location: 'stock.js:20:5',
      }),
      access(id, 'row:7', 'write', l0 + 5, {
        value: 3,
        old_value: 1,
        task_id: 'ledger:1',
        seq: 1,
        service: 'ledger',
        span_id: 'c000000000000001',
        location: 'ledger.js:30:7',
      }),
      access(id, 'row:7', 'read', 95, {
        value: 3,
        task_id: 'checkout:1',
        seq: 2,
        service: 'checkout',
        span_id: 'a000000000000001',
        location: 'checkout.js:12:3',
      }),
    ],
  };
}
