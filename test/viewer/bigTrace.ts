// Large traces for the viewer's browser test and benchmark: deterministic, shaped like a batch
// request (one root, stages under it, their children), every decision on a span of the trace.
import type { EntityTrace, Trace, TraceSpan } from '../../src/types.js';

export interface BigTraceShape {
  /** Entities, each with `decisions / entities` decisions (rounded up). */
  entities: number;
  decisions: number;
  spans: number;
  /** Every `rejectEvery`-th entity ends `fraud_check: blocked`. Default 97. */
  rejectEvery?: number;
  traceId?: string;
}

const STAGES = ['validate', 'fraud_check', 'inventory', 'pricing', 'payment'];
const T0 = Date.parse('2026-01-01T12:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

/** One trace of that shape: spans root → 5 stages → the rest as children of the stages. */
export function bigTrace(shape: BigTraceShape): Trace {
  const traceId = shape.traceId ?? 'b1'.padEnd(32, '0');
  const rejectEvery = shape.rejectEvery ?? 97;
  const spans: TraceSpan[] = [];
  const span = (id: number, name: string, start: number, duration: number, parent?: number) => {
    const s: TraceSpan = {
      span_id: id.toString(16).padStart(16, '0'),
      name,
      start_time: iso(T0 + start),
      end_time: iso(T0 + start + duration),
      duration_ms: duration,
      tags: { 'stepmark.process': 'p1' },
    };
    if (parent !== undefined) s.parent_id = parent.toString(16).padStart(16, '0');
    spans.push(s);
  };
  span(1, 'POST /batch', 0, 5_000);
  STAGES.forEach((stage, i) => span(2 + i, stage, i * 1_000, 1_000, 1));
  for (let i = spans.length; i < shape.spans; i++) {
    const stage = i % STAGES.length;
    span(
      1 + i,
      `${STAGES[stage]}.step_${i % 7}`,
      stage * 1_000 + (i % 50) * 19,
      15 + (i % 13),
      2 + stage,
    );
  }
  const perEntity = Math.ceil(shape.decisions / shape.entities);
  const entities: Record<string, EntityTrace> = {};
  let made = 0;
  for (let e = 0; e < shape.entities && made < shape.decisions; e++) {
    const id = `order_${100_000 + e}`;
    const rejected = e % rejectEvery === rejectEvery - 1;
    const events: EntityTrace['events'] = [];
    for (let d = 0; d < perEntity && made < shape.decisions; d++, made++) {
      const blocked = rejected && (d === perEntity - 1 || made === shape.decisions - 1);
      const stage = blocked ? 1 : d % STAGES.length;
      events.push({
        stage: STAGES[stage] as string,
        action: blocked ? 'blocked' : stage === 1 ? 'cleared' : 'passed',
        timestamp: iso(T0 + stage * 1_000 + (e % 900)),
        meta: { score: (e % 100) / 100, customer: `c_${e % 311}`, step: d },
        span_id: (2 + stage).toString(16).padStart(16, '0'),
      });
    }
    entities[id] = {
      entity_id: id,
      kind: 'order',
      meta: { country: e % 5 === 0 ? 'XX' : 'DE' },
      events,
    };
  }
  return { trace_id: traceId, meta: { batch: 'nightly' }, entities, spans };
}
