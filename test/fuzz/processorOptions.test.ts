// Issue 9: options of `new StepmarkSpanProcessor(...)` as callers get them wrong. Either the
// constructor throws a TypeError or RangeError, or the processor works in a real provider:
// requests record, spans end, forceFlush and shutdown settle, and nothing throws later.
import { context, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdk } from '#otel-sdk';
import * as stepmark from '../../src/index.js';
import { configureFuzz, fuzzTimeout } from './support/fuzzConfig.js';
import { isOptionRefusal, processorOptions } from './support/optionValues.js';
import { BudgetExceeded, measured, printSummary } from './support/PropertyMeter.js';
import { scenario } from './support/scenario.js';

configureFuzz();

beforeAll(() => {
  context.disable();
  context.setGlobalContextManager(sdk.createContextManager().enable());
});
afterAll(() => {
  context.disable();
  printSummary('processor options');
});

describe('fuzz: StepmarkSpanProcessor options', () => {
  it(
    'refuses them at construction with a TypeError/RangeError, or works in a provider',
    () =>
      measured('options: new StepmarkSpanProcessor(options)', async (meter) => {
        await fc.assert(
          fc.asyncProperty(processorOptions, async (options) => {
            meter.case();
            const given = options.make() as stepmark.StepmarkSpanProcessorOptions;
            let created: stepmark.StepmarkSpanProcessor | undefined;
            try {
              meter.call('new StepmarkSpanProcessor', () => {
                created = new stepmark.StepmarkSpanProcessor(given);
              });
            } catch (error) {
              // A processor registers itself process-wide: one made too slowly is shut down,
              // or it would hold every later trace of this file.
              await created?.shutdown();
              if (error instanceof BudgetExceeded) throw error;
              expect(isOptionRefusal(error), String(error)).toBe(true);
              return;
            }
            const processor = created as stepmark.StepmarkSpanProcessor;
            const exporter = new sdk.InMemorySpanExporter();
            const provider = sdk.createProvider({
              spanProcessors: [processor, new sdk.SimpleSpanProcessor(exporter as never)],
            });
            try {
              const tracer = provider.getTracer('fuzz');
              let traceId = '';
              await tracer.startActiveSpan('request', async (span) => {
                traceId = span.spanContext().traceId;
                await context.with(
                  meter.call('enable', () => stepmark.enable()),
                  async () => {
                    scenario(meter);
                    await new Promise((resolve) => setImmediate(resolve));
                    tracer.startActiveSpan('child', (child) => {
                      scenario(meter);
                      meter.call('child span.end', () => child.end());
                    });
                  },
                );
                meter.call('root span.end', () => span.end());
              });
              // A span with no enabled context: 'always' mode records on it.
              tracer.startActiveSpan('untriggered', (span) => {
                scenario(meter);
                span.end();
              });
              await meter.callAsync('forceFlush', () => provider.forceFlush(), 1_000);
              const kept = meter.call('processor.collect', () => processor.collect(traceId));
              meter.call('JSON.stringify(collect)', () => JSON.stringify(kept));
              const recent = meter.call('processor.recent', () => processor.recent());
              meter.call('JSON.stringify(recent)', () => JSON.stringify(recent));
              meter.call('processor.stats', () => processor.stats());
              expect(trace.getActiveSpan()).toBeUndefined();
            } finally {
              await meter.callAsync('shutdown', () => provider.shutdown(), 1_000);
            }
          }),
        );
      }),
    fuzzTimeout(1_500), // a case may wait out a hung sink: forceFlush and shutdown, 1 s each at most
  );
});
