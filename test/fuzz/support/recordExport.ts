// A real OTLP/JSON export to mutate: two services' requests with decisions of every kind,
// recorded in a real set-up and converted as Jaeger's /api/v3 returns them.
import * as stepmark from '../../../src/index.js';
import type { Trace } from '../../../src/index.js';
import type { OtlpTracesData } from '../../../src/jaeger/index.js';
import { setupOtel } from '../../support/otelHarness.js';
import { toOtlpJson, type FinishedSpan } from '../../support/otlpJson.js';

/** The export (both services in one document) and the JSON traces the same requests emitted. */
export async function recordExport(): Promise<{ exported: OtlpTracesData; recorded: Trace[] }> {
  const h = setupOtel();
  try {
    const orders = stepmark.scope('order');
    const parts: OtlpTracesData[] = [];
    for (const service of ['checkout', 'inventory']) {
      await h.request(
        async () => {
          orders.track('order_1', { total: 9.5, items: ['a', 'b'] });
          stepmark.recordEntity('order_1', 'fraud', 'cleared', { score: 0.02, rules: ['geo'] });
          await h.tracer.startActiveSpan('db', async (span) => {
            stepmark.record('cache', 'miss', { key: 'prices' });
            const exit = stepmark.enterEntity('order_2', { nested: { deep: [1, { x: null }] } });
            exit({ ok: true });
            span.end();
          });
          stepmark.stepEntity('order_1', 'paid');
        },
        { traceMeta: { route: '/checkout', service } },
      );
      const spans = h.exporter.getFinishedSpans() as unknown as FinishedSpan[];
      parts.push(toOtlpJson(spans, service));
      h.exporter.reset();
    }
    return {
      exported: { resourceSpans: parts.flatMap((p) => p.resourceSpans ?? []) },
      recorded: [...(await h.traces())],
    };
  } finally {
    await h.teardown();
  }
}
