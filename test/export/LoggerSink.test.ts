// LoggerSink with a real pino logger: what it wrote is read back as pino's JSON lines.
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LoggerSink } from '../../src/export/index.js';
import type { Trace } from '../../src/index.js';

const TRACE: Trace = {
  trace_id: '0af7651916cd43dd8448eb211c80319c',
  entities: {
    order_43: {
      entity_id: 'order_43',
      events: [
        { stage: 'fraud_check', action: 'blocked', timestamp: '2026-12-01T10:00:00.000Z' },
        { stage: 'checkout', action: 'rejected', timestamp: '2026-12-01T10:00:00.001Z' },
      ],
    },
  },
};

function pinoTo(level = 'info'): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  const logger = pino({ level }, out);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('LoggerSink', () => {
  it("each: 'decision' mirrors every decision as a line of its own, in time order, with the log fields", async () => {
    const { logger, lines } = pinoTo('debug');
    const sink = new LoggerSink({ logger, level: 'debug', each: 'decision' });
    sink.export({
      ...TRACE,
      events: [
        {
          stage: 'request',
          action: 'accepted',
          timestamp: '2026-12-01T09:59:59.999Z',
          span_id: '00f067aa0ba902b7',
        },
      ],
      entities: {
        ...TRACE.entities,
        order_44: {
          entity_id: 'order_44',
          events: [
            {
              stage: 'fraud_check',
              action: 'cleared',
              timestamp: '2026-12-01T10:00:00.000Z',
              meta: { score: 0.02 },
            },
          ],
        },
      },
    });
    await sink.forceFlush();
    const out = lines();
    expect(out.map((l) => l.msg)).toEqual([
      'request accepted',
      'order_43: fraud_check blocked',
      'order_44: fraud_check cleared',
      'order_43: checkout rejected',
    ]);
    expect(
      out.every((l) => l.level === 20 && l.trace_id === TRACE.trace_id && l.stepmark === true),
    ).toBe(true);
    expect(out[0]).toMatchObject({
      span_id: '00f067aa0ba902b7',
      stage: 'request',
      action: 'accepted',
    });
    expect(out[0]).not.toHaveProperty('entity_id');
    expect(out[2]).toMatchObject({
      entity_id: 'order_44',
      meta: { score: 0.02 },
      decided_at: '2026-12-01T10:00:00.000Z',
    });
    expect(() => new LoggerSink({ logger, each: 'line' as never })).toThrow(TypeError);
  });

  it('logs one structured line per trace, with trace_id, through pino', async () => {
    const { logger, lines } = pinoTo();
    const sink = new LoggerSink({ logger });
    sink.export(TRACE);
    await sink.forceFlush();
    const [line, ...rest] = lines();
    expect(rest).toEqual([]);
    expect(line?.level).toBe(30); // pino's info
    expect(line?.trace_id).toBe(TRACE.trace_id);
    expect(line?.trace).toEqual(TRACE);
    expect(line?.msg).toBe('stepmark trace: 1 entities, 2 decisions');
  });

  it('logs at the level given', async () => {
    const { logger, lines } = pinoTo('debug');
    new LoggerSink({ logger, level: 'debug' }).export(TRACE);
    expect(lines()[0]?.level).toBe(20);
  });

  it.each([
    ['no logger', {}],
    ['a logger that is a string', { logger: 'pino' }],
    ['a level the logger has no method for', { logger: pino({ enabled: false }), level: 'notice' }],
    ['a keep that is no function', { logger: pino({ enabled: false }), keep: 1 }],
  ])('refuses %s where it is made', (_label, options) => {
    expect(() => new LoggerSink(options as never)).toThrow(/stepmark-otel: LoggerSink/);
  });
});
