// A banking trace as the RaceDetector leaves it (docs/concurrency.md): two concurrent transfers
// from alice's account, this trace's transfer writing from a stale read (a lost update), with its
// state accesses and spans. For the viewer's tests: the banner, the race and state lists, the
// critical path.
import type { StateAccess, Trace } from '../../src/types.js';

export const TRANSFER_A = 'a1c3'.padEnd(32, '0');
export const TRANSFER_B = '4bf9'.padEnd(32, '0');

const T0 = Date.parse('2026-03-01T09:00:00.000Z');
const iso = (ms: number): string => new Date(T0 + ms).toISOString();

/** The stale read, the other transfer's write, and the write made from the stale read. */
const STALE_READ: StateAccess = {
  variable: 'accounts.alice.balance',
  access: 'read',
  value: 100,
  trace_id: TRANSFER_B,
  task_id: 't2:request',
  span_id: 'b000000000000002',
  location: '/srv/bank.ts:81:5',
  timestamp: iso(1),
  seq: 41,
};
const OTHER_WRITE: StateAccess = {
  variable: 'accounts.alice.balance',
  access: 'write',
  value: 70,
  old_value: 100,
  trace_id: TRANSFER_A,
  task_id: 't1:request',
  span_id: 'a000000000000004',
  location: '/srv/bank.ts:88:5',
  timestamp: iso(12),
  seq: 44,
};
const STALE_WRITE: StateAccess = {
  variable: 'accounts.alice.balance',
  access: 'write',
  value: 50,
  old_value: 100,
  trace_id: TRANSFER_B,
  task_id: 't2:request',
  span_id: 'b000000000000004',
  location: '/srv/bank.ts:88:5',
  timestamp: iso(23),
  seq: 47,
  previous: { seq: 44, happens_before: false },
};

const span = (id: string, name: string, start: number, duration: number, parent?: string) => ({
  span_id: id,
  name,
  start_time: iso(start),
  end_time: iso(start + duration),
  duration_ms: duration,
  ...(parent === undefined ? {} : { parent_id: parent }),
});

/** Transfer B: read 100, awaited the fraud API while A wrote 70, then wrote 50 from its stale read. */
export const LOST_UPDATE: Trace = {
  trace_id: TRANSFER_B,
  meta: { route: 'POST /transfer' },
  events: [
    { stage: 'transfer', action: 'completed', timestamp: iso(24), span_id: 'b000000000000001' },
  ],
  spans: [
    span('b000000000000001', 'POST /transfer', 0, 30),
    span('b000000000000002', 'read balance', 0, 2, 'b000000000000001'),
    span('b000000000000003', 'fraud api', 2, 20, 'b000000000000001'),
    span('b000000000000004', 'write balance', 22, 4, 'b000000000000001'),
  ],
  state: [
    STALE_READ,
    {
      variable: 'audit.log',
      access: 'write',
      value: ['transfer', 30],
      trace_id: TRANSFER_B,
      task_id: 't2:request',
      timestamp: iso(2),
      seq: 42,
      locks: ['audit-lock'],
    },
    STALE_WRITE,
  ],
  races: [
    {
      kind: 'lost_update',
      variable: 'accounts.alice.balance',
      accesses: [STALE_READ, OTHER_WRITE, STALE_WRITE],
    },
  ],
};
