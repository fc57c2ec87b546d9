import { describe, expect, it } from 'vitest';
import { mergeTraces, type Trace } from '../../src/index.js';

const ev = (action: string, timestamp: string) => ({ stage: 's', action, timestamp });

describe('mergeTraces', () => {
  it('unites entities, orders events by time, merges meta and sums counters', () => {
    const a: Trace = {
      trace_id: 't',
      meta: { service: 'a', region: 'eu' },
      entities: {
        o: {
          entity_id: 'o',
          kind: 'order',
          meta: { x: 1 },
          events: [ev('a2', '2026-01-01T00:00:02.000Z')],
        },
      },
      events: [ev('r2', '2026-01-01T00:00:02.000Z')],
      dropped_events: 1,
    };
    const b: Trace = {
      trace_id: 't',
      meta: { service: 'b' },
      entities: {
        o: {
          entity_id: 'o',
          kind: 'purchase',
          meta: { y: 2 },
          events: [ev('b1', '2026-01-01T00:00:01.000Z')],
        },
        u: { entity_id: 'u', events: [] },
      },
      events: [ev('r1', '2026-01-01T00:00:01.000Z')],
      dropped_events: 2,
      invalid_calls: 1,
    };
    const merged = mergeTraces('t', [a, b]);
    expect(merged.meta).toEqual({ service: 'b', region: 'eu' });
    expect(merged.entities?.o).toEqual({
      entity_id: 'o',
      kind: 'purchase',
      meta: { x: 1, y: 2 },
      events: [ev('b1', '2026-01-01T00:00:01.000Z'), ev('a2', '2026-01-01T00:00:02.000Z')],
    });
    expect(Object.keys(merged.entities ?? {})).toEqual(['o', 'u']);
    expect(merged.events?.map((e) => e.action)).toEqual(['r1', 'r2']);
    expect(merged).toMatchObject({ dropped_events: 3, invalid_calls: 1 });
    expect(a.entities?.o?.events).toHaveLength(1); // inputs untouched
  });

  it('skips what is not trace-shaped, fields of another type counting as absent', () => {
    expect(mergeTraces('t', [{ trace_id: 't', spans: 5 }] as unknown as Trace[])).toEqual({
      trace_id: 't',
    });
    const good: Trace = {
      trace_id: 't',
      entities: { o: { entity_id: 'o', events: [ev('a', '1')] } },
    };
    const bad = [
      null,
      5,
      { trace_id: 't', spans: 5, events: 'xy', meta: 'm', dropped_events: '3' },
      { trace_id: 't', entities: 5 },
      {
        trace_id: 't',
        entities: {
          o: { entity_id: 'o', events: null, meta: 'm' },
          p: null,
          q: { entity_id: 3, events: [null, ev('q', '2')] },
        },
        events: [null, 4],
      },
    ] as unknown as Trace[];
    const merged = mergeTraces('t', [good, ...bad]);
    expect(merged).toEqual({
      trace_id: 't',
      entities: {
        o: { entity_id: 'o', events: [ev('a', '1')] },
        q: { entity_id: 'q', events: [ev('q', '2')] },
      },
    });
  });
});
