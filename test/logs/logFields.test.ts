import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import winston from 'winston';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

/** A stream that keeps each line written, parsed. */
function lines(): { stream: Writable; read: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  return { stream, read: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logFields, pinoMixin, winstonFormat', () => {
  let h: Harness;
  beforeEach(() => {
    h = setupOtel();
  });
  afterEach(() => h.teardown());

  it('are empty outside a span, the trace context in one, and stepmark: true in a traced request', async () => {
    expect(stepmark.logFields()).toEqual({});
    let untraced: stepmark.LogFields = {};
    let ids = { traceId: '', spanId: '' };
    h.tracer.startActiveSpan('plain', (span) => {
      untraced = stepmark.logFields();
      ids = span.spanContext();
      span.end();
    });
    expect(untraced).toEqual({ trace_id: ids.traceId, span_id: ids.spanId, trace_flags: '01' });
    const traced = await h.request(() => stepmark.logFields());
    expect(traced).toMatchObject({ stepmark: true, trace_flags: '01' });
    expect(traced.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('pinoMixin: every line of a traced request carries the fields, once each', async () => {
    const { stream, read } = lines();
    const logger = pino({ mixin: stepmark.pinoMixin() }, stream);
    logger.info('before');
    await h.request(() => logger.info({ order_id: 'o1' }, 'priced'));
    const [before, priced] = read();
    expect(before).not.toHaveProperty('trace_id');
    expect(priced).toMatchObject({
      order_id: 'o1',
      msg: 'priced',
      stepmark: true,
      trace_flags: '01',
    });
    const [trace] = await h.traces();
    expect(priced?.trace_id).toBe(trace?.trace_id);
  });

  it('winstonFormat: the same fields on winston lines, a field the line has kept', async () => {
    const { stream, read } = lines();
    const logger = winston.createLogger({
      format: winston.format.combine(stepmark.winstonFormat(), winston.format.json()),
      transports: [new winston.transports.Stream({ stream })],
    });
    await h.request(() => {
      logger.info('priced', { order_id: 'o1' });
      logger.info('own', { span_id: 'mine' });
    });
    const [priced, own] = read();
    expect(priced).toMatchObject({ message: 'priced', order_id: 'o1', stepmark: true });
    expect(priced?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(own?.span_id).toBe('mine');
  });

  it('beside @opentelemetry/instrumentation-pino, a line holds each field once', () => {
    const script = fileURLToPath(new URL('./pinoBothOn.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const [instrumented, line = ''] = run.stdout.trim().split('\n');
    // The instrumentation is really on: alone, it adds the trace context too.
    expect(JSON.parse(instrumented ?? '{}')).toHaveProperty('trace_id');
    for (const key of ['trace_id', 'span_id', 'trace_flags', 'stepmark']) {
      expect(line.split(`"${key}":`).length - 1, `${key} in ${line}`).toBe(1);
    }
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed).toMatchObject({ msg: 'both on', stepmark: true });
  });
});
