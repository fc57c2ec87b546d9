import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as stepmark from '../../src/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

/** A second copy of the package in this process (as a library bundling its own would bring). */
async function secondCopy(): Promise<typeof stepmark> {
  vi.resetModules();
  const copy = (await import('../../src/index.js')) as typeof stepmark;
  expect(copy.StepmarkSpanProcessor).not.toBe(stepmark.StepmarkSpanProcessor);
  return copy;
}

describe('two copies of the package', () => {
  let h: Harness;
  beforeEach(() => {
    h = setupOtel(); // its processor is this copy's
  });
  afterEach(() => h.teardown());

  it('record into one trace through the shared registry and session', async () => {
    const other = await secondCopy();
    await h.request(() => {
      // Enabled by this copy (the harness); recorded through the other, and back.
      other.recordEntity('order_1', 'fraud', 'cleared');
      stepmark.recordEntity('order_1', 'payment', 'captured');
      expect(other.enabled()).toBe(true);
    });
    const [trace] = await h.traces();
    expect(trace?.entities?.order_1?.events.map((e) => e.action)).toEqual(['cleared', 'captured']);
  });

  it("a request enabled by the other copy reaches this copy's processor", async () => {
    const other = await secondCopy();
    await h.tracer.startActiveSpan('request', async (span) => {
      await other.withTracing(() => stepmark.track('user_1', { plan: 'pro' }));
      span.end();
    });
    const [trace] = await h.traces();
    expect(trace?.entities?.user_1?.meta).toEqual({ plan: 'pro' });
  });
});
