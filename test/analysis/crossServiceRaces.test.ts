import { describe, expect, it } from 'vitest';
import { crossServiceRaces } from '../../src/analysis/index.js';
import type { StateAccess, Trace } from '../../src/types.js';
import { access, at, FAN_OUT_TRACE, span, threeServiceTrace } from '../support/analysisTraces.js';

/** `trace` with more state accesses. */
const plus = (trace: Trace, ...more: StateAccess[]): Trace => ({
  ...trace,
  state: [...(trace.state ?? []), ...more],
});

const where = (trace: Trace) =>
  crossServiceRaces(trace).map((race) => [
    race.kind,
    race.variable,
    ...race.accesses.map((a) => `${a.service}@${a.location}`),
  ]);

describe('crossServiceRaces', () => {
  it('reports two services writing one row in concurrent branches of a fan-out', () => {
    const races = crossServiceRaces(threeServiceTrace('fan-out'));
    expect(races).toEqual([
      {
        kind: 'write_write',
        variable: 'row:7',
        accesses: [
          {
            variable: 'row:7',
            access: 'write',
            value: 2,
            old_value: 1,
            trace_id: FAN_OUT_TRACE,
            task_id: 'stock:1',
            seq: 1,
            service: 'stock',
            span_id: 'b000000000000001',
            location: 'stock.js:20:5',
            timestamp: at(15),
          },
          {
            variable: 'row:7',
            access: 'write',
            value: 3,
            old_value: 1,
            trace_id: FAN_OUT_TRACE,
            task_id: 'ledger:1',
            seq: 1,
            service: 'ledger',
            span_id: 'c000000000000001',
            location: 'ledger.js:30:7',
            timestamp: at(17),
          },
        ],
      },
    ]);
  });

  it('reports nothing when the same calls run one after the other', () => {
    expect(crossServiceRaces(threeServiceTrace('sequential'))).toEqual([]);
  });

  it("orders the caller's accesses before the call and after the awaited answer", () => {
    // threeServiceTrace has checkout's reads at 5 ms and 95 ms: neither races with a write.
    const trace = threeServiceTrace('fan-out');
    expect(where(trace)).toHaveLength(1);
    const caller = (ms: number, kind: StateAccess['access'], seq: number) =>
      access(trace.trace_id, 'row:7', kind, ms, {
        task_id: 'checkout:1',
        seq,
        service: 'checkout',
        span_id: 'a000000000000001',
        location: `checkout.js:${seq}`,
      });
    // A write before both calls and one after both answers: ordered.
    expect(where(plus(trace, caller(8, 'write', 3), caller(99, 'write', 4)))).toHaveLength(1);
  });

  it("reports the caller's own access made while its call was outstanding", () => {
    const trace = threeServiceTrace('sequential'); // stock's call 10-40, ledger's 45-80
    const during = access(trace.trace_id, 'row:7', 'read', 20, {
      task_id: 'checkout:2',
      seq: 3,
      service: 'checkout',
      span_id: 'a000000000000001',
      location: 'checkout.js:during',
    });
    expect(where(plus(trace, during))).toEqual([
      ['read_write', 'row:7', 'stock@stock.js:20:5', 'checkout@checkout.js:during'],
    ]);
  });

  it('orders a sibling branch that began after the answer, not one that overlapped the call', () => {
    const base = threeServiceTrace('sequential'); // ledger's call 45-80
    const sibling = (id: string, start: number): Trace => ({
      ...plus(
        base,
        access(base.trace_id, 'row:7', 'write', 90, {
          task_id: 'checkout:3',
          seq: 3,
          service: 'checkout',
          span_id: id,
          location: `checkout.js:${id}`,
        }),
      ),
      spans: [
        ...(base.spans ?? []),
        span(id, 'local step', start, 99, { service: 'checkout', parent_id: 'a000000000000001' }),
      ],
    });
    expect(where(sibling('a0000000000000aa', 85))).toEqual([]);
    // Began at 30, while both calls were outstanding: concurrent with both, though it wrote later.
    expect(where(sibling('a0000000000000bb', 30))).toEqual([
      ['write_write', 'row:7', 'stock@stock.js:20:5', 'checkout@checkout.js:a0000000000000bb'],
      ['write_write', 'row:7', 'ledger@ledger.js:30:7', 'checkout@checkout.js:a0000000000000bb'],
    ]);
  });

  it('follows calls through several services (a chain inside a branch)', () => {
    // checkout → stock → audit: stock writes before calling audit, and while the call is open.
    const id = 'cccccccccccccccccccccccccccccccc';
    const trace: Trace = {
      trace_id: id,
      spans: [
        span('r', 'root', 0, 100, { service: 'checkout' }),
        span('c1', 'POST stock', 10, 90, { service: 'checkout', parent_id: 'r' }),
        span('s1', 'serve', 12, 88, { service: 'stock', parent_id: 'c1' }),
        span('c2', 'POST audit', 40, 60, { service: 'stock', parent_id: 's1' }),
        span('s2', 'serve', 42, 58, { service: 'audit', parent_id: 'c2' }),
      ],
      state: [
        access(id, 'x', 'write', 20, { task_id: 's', seq: 1, service: 'stock', span_id: 's1' }),
        access(id, 'x', 'write', 50, { task_id: 'a', seq: 1, service: 'audit', span_id: 's2' }),
        access(id, 'x', 'write', 55, { task_id: 's2', seq: 2, service: 'stock', span_id: 's1' }),
        access(id, 'x', 'read', 70, { task_id: 's', seq: 3, service: 'stock', span_id: 's1' }),
      ],
    };
    expect(crossServiceRaces(trace).map((r) => r.accesses.map((a) => a.timestamp))).toEqual([
      [at(50), at(55)],
    ]);
  });

  it("compares times in the caller's clock only: a callee's skewed clock changes nothing", () => {
    const skewed = (trace: Trace): Trace => ({
      ...trace,
      spans: (trace.spans ?? []).map((s) =>
        s.service === 'ledger'
          ? { ...s, start_time: new Date(Date.parse(s.start_time) + 3_600_000).toISOString() }
          : s,
      ),
      state: (trace.state ?? []).map((a) =>
        a.service === 'ledger'
          ? { ...a, timestamp: new Date(Date.parse(a.timestamp) + 3_600_000).toISOString() }
          : a,
      ),
    });
    expect(crossServiceRaces(skewed(threeServiceTrace('fan-out')))).toHaveLength(1);
    expect(crossServiceRaces(skewed(threeServiceTrace('sequential')))).toEqual([]);
  });

  it('treats calls that meet within one millisecond as ordered', () => {
    const trace = threeServiceTrace('sequential');
    const spans = (trace.spans ?? []).map((s) =>
      s.span_id === 'a000000000000002' ? { ...s, duration_ms: 35.4 } : s,
    ); // stock's call now ends at 45.4 ms, ledger's starts at 45 ms
    expect(crossServiceRaces({ ...trace, spans })).toEqual([]);
  });

  it('reports a pair at the same places once, and never two reads', () => {
    const trace = threeServiceTrace('fan-out');
    const again = { ...(trace.state?.[1] as StateAccess), seq: 2, timestamp: at(16) };
    expect(crossServiceRaces(plus(trace, again))).toHaveLength(1);
    const reads = {
      ...trace,
      state: (trace.state ?? []).map((a) => ({ ...a, access: 'read' as const })),
    };
    expect(crossServiceRaces(reads)).toEqual([]);
  });

  it('leaves pairs within one service to its own detector, and skips what it cannot place', () => {
    const trace = threeServiceTrace('fan-out');
    const state = trace.state ?? [];
    const stockTwice = plus(trace, { ...(state[1] as StateAccess), task_id: 'stock:2', seq: 9 });
    // Each stock task races with ledger; the two stock tasks are not compared here.
    expect(crossServiceRaces(stockTwice).map((r) => r.accesses.map((a) => a.task_id))).toEqual([
      ['stock:1', 'ledger:1'],
      ['stock:2', 'ledger:1'],
    ]);
    const unplaced = {
      ...trace,
      state: state.map((a) => (a.service === 'ledger' ? { ...a, span_id: 'ffffffffffffffff' } : a)),
    };
    expect(crossServiceRaces(unplaced)).toEqual([]);
    const oneProcess = { ...trace, state: state.map(({ service: _s, ...a }) => a) };
    expect(crossServiceRaces(oneProcess)).toEqual([]);
    const junk = { ...trace, state: [null, 1, { variable: 'row:7' }, ...state] };
    expect(crossServiceRaces(junk as unknown as Trace)).toHaveLength(1);
  });

  it('is fast enough for a wide fan-out', () => {
    const id = 'dddddddddddddddddddddddddddddddd';
    const spans = [span('r', 'root', 0, 1_000, { service: 'gw' })];
    const state: StateAccess[] = [];
    for (let i = 0; i < 300; i++) {
      spans.push(span(`c${i}`, 'call', i, i + 50, { service: 'gw', parent_id: 'r' }));
      spans.push(span(`s${i}`, 'serve', i + 1, i + 49, { service: `svc${i}`, parent_id: `c${i}` }));
      state.push(
        access(id, 'v', 'write', i + 2, {
          task_id: `t${i}`,
          seq: 1,
          service: `svc${i}`,
          span_id: `s${i}`,
        }),
      );
    }
    const started = performance.now();
    const fanOut: Trace = { trace_id: id, spans, state };
    const races = crossServiceRaces(fanOut);
    // Calls i and j overlap when |i - j| < 50.
    expect(races).toHaveLength(300 * 49 - (49 * 50) / 2);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
