// What a reader of the exported spans sees (Jaeger's UI lists span events by name, shows a
// span's status and its tags): decisions named `<stage>: <action>`, errorActions marking the span
// red, and the request's summary on its local root span.
import { SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { MAX_OUTCOMES } from '../../src/core/records/requestSummary.js';
import { rebuildTraces } from '../../src/jaeger/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

function finished(name: string) {
  const span = h?.exporter.getFinishedSpans().find((s) => s.name === name);
  if (span === undefined) throw new Error(`no finished span ${name}`);
  return span;
}

describe('decisions as Jaeger shows them', () => {
  it('names each decision span event `<stage>: <action>`; a track stays stepmark.track', async () => {
    h = setupOtel();
    await h.request(() => {
      stepmark.track('order_43', { total: 250 }, { kind: 'order' });
      stepmark.recordEntity('order_43', 'fraud_check', 'blocked', { score: 0.97 });
      stepmark.record('cache', 'miss');
    });
    expect(finished('request').events.map((e) => e.name)).toEqual([
      'stepmark.track',
      'fraud_check: blocked',
      'cache: miss',
    ]);
  });

  it('marks the span of a decision in errorActions with error status, the decision as message', async () => {
    h = setupOtel();
    await h.request(
      () => {
        stepmark.recordEntity('order_42', 'fraud_check', 'cleared');
        stepmark.recordEntity('order_43', 'fraud_check', 'blocked');
        stepmark.recordEntity('order_43', 'payment', 'rejected');
      },
      { errorActions: ['blocked', 'rejected'] },
    );
    // The first error decision names the status; a later one does not overwrite it.
    expect(finished('request').status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'fraud_check: blocked',
    });
    const [trace] = await h.traces();
    expect(trace?.spans?.find((s) => s.name === 'request')?.status).toBe('error');
  });

  it('leaves the status alone without errorActions, for other actions, and where the app set one', async () => {
    h = setupOtel();
    await h.request(() => stepmark.recordEntity('order_43', 'fraud_check', 'blocked'));
    await h.request(() => stepmark.recordEntity('order_42', 'fraud_check', 'cleared'), {
      errorActions: ['blocked'],
    });
    await h.tracer.startActiveSpan('app-ok', async (span) => {
      span.setStatus({ code: SpanStatusCode.OK });
      const { context } = await import('@opentelemetry/api');
      context.with(stepmark.enable({ errorActions: ['blocked'] }), () =>
        stepmark.recordEntity('order_44', 'fraud_check', 'blocked'),
      );
      span.end();
    });
    await h.tracer.startActiveSpan('app-error', async (span) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'gateway timeout' });
      const { context } = await import('@opentelemetry/api');
      context.with(stepmark.enable({ errorActions: ['blocked'] }), () =>
        stepmark.recordEntity('order_45', 'fraud_check', 'blocked'),
      );
      span.end();
    });
    const statuses = h.exporter.getFinishedSpans().map((s) => [s.name, s.status]);
    expect(statuses).toEqual([
      ['request', { code: SpanStatusCode.UNSET }],
      ['request', { code: SpanStatusCode.UNSET }],
      ['app-ok', { code: SpanStatusCode.OK }],
      ['app-error', { code: SpanStatusCode.ERROR, message: 'gateway timeout' }],
    ]);
  });

  it('puts the request summary on its local root: decisions, each entity outcome, the conventions version', async () => {
    h = setupOtel();
    await h.request(async () => {
      stepmark.track('order_43', {}, { kind: 'order' });
      stepmark.recordEntity('order_43', 'fraud_check', 'blocked');
      await h?.tracer.startActiveSpan('child', async (span) => {
        stepmark.recordEntity('order_42', 'fraud_check', 'cleared');
        stepmark.recordEntity('order_42', 'shipping', 'scheduled');
        span.end();
      });
      stepmark.record('cache', 'miss');
    });
    expect(finished('request').attributes).toMatchObject({
      'stepmark.decisions': 4,
      'stepmark.outcomes': ['order_43: fraud_check: blocked', 'order_42: shipping: scheduled'],
      'stepmark.conventions.version': '1',
    });
    // Only the local root carries it.
    expect(finished('child').attributes).not.toHaveProperty('stepmark.decisions');
  });

  it('lists at most 32 outcomes and writes no summary for a request that recorded nothing', async () => {
    h = setupOtel();
    await h.request(() => {
      for (let i = 0; i < 40; i++) stepmark.recordEntity(`order_${i}`, 'check', 'passed');
    });
    await h.request(() => undefined);
    const [busy, idle] = h.exporter.getFinishedSpans();
    expect(busy?.attributes['stepmark.decisions']).toBe(40);
    expect(busy?.attributes['stepmark.outcomes']).toHaveLength(MAX_OUTCOMES);
    expect(idle?.attributes).not.toHaveProperty('stepmark.decisions');
  });
});

describe('reading decisions back', () => {
  it('recognises decisions by their attributes, under the new name and the old one', () => {
    const event = (name: string, stage: string, action: string) => ({
      name,
      timeUnixNano: '1795255200001000000',
      attributes: [
        { key: 'stepmark.stage', value: { stringValue: stage } },
        { key: 'stepmark.action', value: { stringValue: action } },
        { key: 'stepmark.entity.id', value: { stringValue: 'order_43' } },
      ],
    });
    const [trace] = rebuildTraces({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: '1111111111111111',
                  name: 'POST /checkout',
                  events: [
                    event('stepmark.event', 'validate', 'passed'),
                    event('fraud_check: blocked', 'fraud_check', 'blocked'),
                    // An application's own event that happens to look like a decision's name.
                    { name: 'cache: miss', timeUnixNano: '1795255200002000000', attributes: [] },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(trace?.entities?.order_43?.events.map((e) => `${e.stage}: ${e.action}`)).toEqual([
      'validate: passed',
      'fraud_check: blocked',
    ]);
    expect(trace?.events).toBeUndefined();
  });
});
