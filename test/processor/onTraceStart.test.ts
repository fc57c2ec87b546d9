// TraceAnalyzer.onTraceStart: the hook a RuntimeMonitor learns that a request began by.
import { afterEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.teardown();
  h = undefined;
});

describe('StepmarkSpanProcessor', () => {
  describe('analyzers: onTraceStart', () => {
    it('is called once per trace, before its records, and followed by one onTraceEnd', async () => {
      const seen: string[] = [];
      h = setupOtel({
        processor: {
          analyzers: [
            {
              onTraceStart: (id) => void seen.push(`start:${id.length}`),
              onRecord: (r) => void seen.push(`record:${r.action}`),
              onTraceEnd: (id) => void seen.push(`end:${id.length}`),
            },
          ],
        },
      });
      await h.request(() => {
        stepmark.record('request', 'received');
        stepmark.record('request', 'answered');
      });
      await h.request(() => undefined);
      await h.traces();
      expect(seen).toEqual([
        'start:32',
        'record:received',
        'record:answered',
        'end:32',
        'start:32',
        'end:32',
      ]);
    });

    it('is isolated: a throw is counted and the request is traced as usual', async () => {
      h = setupOtel({
        processor: {
          analyzers: [
            {
              name: 'broken',
              onTraceStart: () => {
                throw new Error('analyzer bug');
              },
            },
          ],
        },
      });
      await h.request(() => stepmark.record('request', 'received'));
      const [trace] = await h.traces();
      expect(trace?.events?.[0]?.action).toBe('received');
      expect(h.processor.stats().analyzerErrors).toBe(1);
    });

    it('must be a function when given', () => {
      expect(
        () =>
          new stepmark.StepmarkSpanProcessor({
            analyzers: [{ onTraceStart: 'x' } as unknown as stepmark.TraceAnalyzer],
          }),
      ).toThrow(/analyzers\[0\]\.onTraceStart must be a function/);
    });
  });
});
