import { describe, expect, it } from 'vitest';
import { rebuildTraces, type OtlpTracesData } from '../../src/jaeger/index.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const str = (stringValue: string) => ({ stringValue });
const int = (n: number) => ({ intValue: String(n) });
const kv = (key: string, value: object) => ({ key, value });
/** Nanoseconds (as OTLP/JSON writes them) of a millisecond offset from a fixed instant. */
const at = (ms: number) =>
  `${BigInt(Date.parse('2026-11-21T10:00:00.000Z')) * 1_000_000n + BigInt(Math.round(ms * 1e6))}`;

function decision(
  ms: number,
  seq: number,
  stage: string,
  action: string,
  entity?: string,
  extra: object[] = [],
) {
  return {
    timeUnixNano: at(ms),
    name: 'stepmark.event',
    attributes: [
      kv('stepmark.seq', int(seq)),
      kv('stepmark.stage', str(stage)),
      kv('stepmark.action', str(action)),
      ...(entity ? [kv('stepmark.entity.id', str(entity))] : []),
      ...extra,
    ],
  };
}

function service(name: string, spans: unknown[]): object {
  return { resource: { attributes: [kv('service.name', str(name))] }, scopeSpans: [{ spans }] };
}

describe('rebuildTraces', () => {
  it('merges services, keeps each process in recording order and decodes meta', () => {
    const data = {
      resourceSpans: [
        service('checkout', [
          {
            traceId: TRACE,
            spanId: 'aaaaaaaaaaaaaaaa',
            name: 'POST /checkout',
            startTimeUnixNano: at(0),
            endTimeUnixNano: at(50),
            attributes: [kv('stepmark.trace.meta.route', str('/checkout'))],
            events: [
              {
                timeUnixNano: at(1),
                name: 'stepmark.track',
                attributes: [
                  kv('stepmark.seq', int(0)),
                  kv('stepmark.entity.id', str('order_1')),
                  kv('stepmark.entity.kind', str('order')),
                  kv('stepmark.meta.total', { doubleValue: 9.5 }),
                ],
              },
              decision(2, 1, 'fraud_check', 'cleared', 'order_1', [
                kv('stepmark.meta.rules', str('["geo"]')),
                kv('stepmark.meta.note', str('plain')),
              ]),
              // Written on the root a millisecond "earlier" than the child's event, but recorded later.
              decision(9, 3, 'payment', 'captured', 'order_1'),
              { timeUnixNano: at(3), name: 'exception', attributes: [] }, // not a decision
            ],
          },
          {
            traceId: TRACE,
            spanId: 'bbbbbbbbbbbbbbbb',
            parentSpanId: 'aaaaaaaaaaaaaaaa',
            name: 'db',
            startTimeUnixNano: at(5),
            endTimeUnixNano: at(10),
            status: { code: 2 },
            events: [decision(10, 2, 'stock', 'checked', 'order_1')],
          },
        ]),
        service('inventory', [
          {
            traceId: TRACE,
            spanId: 'cccccccccccccccc',
            parentSpanId: 'aaaaaaaaaaaaaaaa',
            name: 'GET /reserve',
            startTimeUnixNano: at(6),
            endTimeUnixNano: at(8),
            events: [
              decision(7, 0, 'inventory', 'reserved', 'order_1'),
              decision(7.5, 1, 'cache', 'miss'),
            ],
          },
        ]),
      ],
    } as unknown as OtlpTracesData;
    const [trace] = rebuildTraces(data);
    expect(trace?.trace_id).toBe(TRACE);
    expect(trace?.meta).toEqual({ route: '/checkout' });
    const order = trace?.entities?.order_1;
    expect(order?.kind).toBe('order');
    expect(order?.meta).toEqual({ total: 9.5 });
    expect(order?.events.map((e) => `${e.service}:${e.stage}:${e.action}`)).toEqual([
      'checkout:fraud_check:cleared',
      'inventory:inventory:reserved',
      'checkout:stock:checked',
      'checkout:payment:captured',
    ]);
    expect(order?.events[0]?.meta).toEqual({ rules: ['geo'], note: 'plain' });
    expect(trace?.events?.map((e) => [e.service, e.action])).toEqual([['inventory', 'miss']]);
    expect(trace?.spans?.map((s) => [s.name, s.service, s.parent_id, s.status])).toEqual([
      ['POST /checkout', 'checkout', undefined, undefined],
      ['db', 'checkout', 'aaaaaaaaaaaaaaaa', 'error'],
      ['GET /reserve', 'inventory', 'aaaaaaaaaaaaaaaa', undefined],
    ]);
  });

  it('orders two requests of one trace in one process by their process-wide seq', () => {
    // Two calls of one trace into the same service, one after the other: two sessions, one process.
    const call = (spanId: string, start: number, events: object[]) => ({
      traceId: TRACE,
      spanId,
      parentSpanId: 'eeeeeeeeeeeeeeee',
      name: 'GET /reserve',
      startTimeUnixNano: at(start),
      endTimeUnixNano: at(start + 5),
      attributes: [kv('stepmark.process', str('p1'))],
      events,
    });
    const data = {
      resourceSpans: [
        service('inventory', [
          call('1111111111111111', 0, [
            decision(1, 10, 's', 'call1_first', 'o'),
            decision(4, 11, 's', 'call1_second', 'o'),
          ]),
          // The second call's span clock runs a little behind: its times overlap the first call's.
          call('2222222222222222', 3, [
            decision(3.5, 12, 's', 'call2_first', 'o'),
            decision(6, 13, 's', 'call2_second', 'o'),
          ]),
        ]),
      ],
    } as unknown as OtlpTracesData;
    const [trace] = rebuildTraces(data);
    expect(trace?.entities?.o?.events.map((e) => e.action)).toEqual([
      'call1_first',
      'call1_second',
      'call2_first',
      'call2_second',
    ]);
  });

  it('returns nothing for no data and one trace per trace id', () => {
    expect(rebuildTraces({})).toEqual([]);
    const span = (traceId: string) => ({
      traceId,
      spanId: '1111111111111111',
      name: 's',
      startTimeUnixNano: at(0),
      endTimeUnixNano: at(1),
    });
    const traces = rebuildTraces({
      resourceSpans: [service('a', [span(TRACE), span('f'.repeat(32))])],
    } as unknown as OtlpTracesData);
    expect(traces.map((t) => t.trace_id)).toEqual([TRACE, 'f'.repeat(32)]);
  });

  it('reads a document of any shape: fields of another type count as absent', () => {
    expect(rebuildTraces({ resourceSpans: {} } as unknown as OtlpTracesData)).toEqual([]);
    for (const data of [null, 5, 'x', [], { resourceSpans: [null, 5] }])
      expect(rebuildTraces(data as unknown as OtlpTracesData)).toEqual([]);
    const data = {
      resourceSpans: [
        { resource: 5, scopeSpans: [null, { spans: 'x' }] },
        service('a', [
          null,
          5,
          { spanId: 'no trace id' },
          {
            traceId: TRACE,
            spanId: '1111111111111111',
            name: 7,
            startTimeUnixNano: { n: 1 },
            endTimeUnixNano: '1e400',
            status: 'error',
            attributes: [null, { key: 3 }, kv('n', { arrayValue: { values: 5 } })],
            events: [
              null,
              { ...decision(1, 0, 's', 'no_time', 'o'), timeUnixNano: 'soon' },
              { ...decision(2, 1, 's', 'bad_attributes'), attributes: {} },
              decision(3, 2, 's', 'kept', 'o', [
                kv('stepmark.meta.x', { stringValue: 5, intValue: '4' }),
              ]),
            ],
          },
        ]),
      ],
    } as unknown as OtlpTracesData;
    const [trace, ...rest] = rebuildTraces(data);
    expect(rest).toEqual([]);
    expect(trace?.spans).toEqual([
      {
        span_id: '1111111111111111',
        name: '',
        start_time: '1970-01-01T00:00:00.000Z',
        end_time: '1970-01-01T00:00:00.000Z',
        duration_ms: 0,
        service: 'a',
        tags: { n: [] },
      },
    ]);
    expect(trace?.entities?.o?.events.map((e) => [e.action, e.timestamp, e.meta])).toEqual([
      ['no_time', '1970-01-01T00:00:00.000Z', undefined],
      ['kept', '2026-11-21T10:00:00.003Z', { x: 4 }],
    ]);
  });

  it('cuts an attribute value nested too deep to read', () => {
    let deep: object = str('x');
    for (let i = 0; i < 20_000; i++) deep = { arrayValue: { values: [deep] } };
    const [trace] = rebuildTraces({
      resourceSpans: [service('a', [{ traceId: TRACE, spanId: 's', attributes: [kv('k', deep)] }])],
    } as unknown as OtlpTracesData);
    expect(JSON.stringify(trace?.spans?.[0]?.tags)).toMatch(/^\{"k":\[+"\[Nested\]"\]+\}$/);
  });

  it('cuts meta whose JSON text is nested too deep to print', () => {
    const text = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const [trace] = rebuildTraces({
      resourceSpans: [
        service('a', [
          {
            traceId: TRACE,
            spanId: 's',
            attributes: [kv('stepmark.trace.meta.deep', str(text))],
            events: [decision(1, 0, 's', 'a', 'o', [kv('stepmark.meta.deep', str(text))])],
          },
        ]),
      ],
    } as unknown as OtlpTracesData);
    expect(JSON.stringify(trace)).toContain('[Array]');
    expect(trace?.meta).toEqual({ deep: [[[[[['[Array]']]]]]] });
  });
});
