// Issue 10: a set-up mistake is reported once per process, plainly: on OTel's diag logger when one
// is set, else as a process warning (so that it shows with nothing configured), and by name in
// `stats().misconfigurations`.
import { context, diag, SamplingDecision, trace, type Sampler } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sdk } from '#otel-sdk';
import * as stepmark from '../../src/index.js';
import { resetWarnings } from '../../src/core/diagnostics.js';
import { RequestGate, tokenAuthorizer } from '../../src/http/index.js';
import { captureDiag, type DiagCapture } from '../support/diagCapture.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';

let h: Harness | undefined;
let extra: stepmark.StepmarkSpanProcessor | undefined;
/** The process warnings stepmark emitted during the test. */
let emitted: Array<Error & { code?: string }> = [];
const onWarning = (warning: Error) => {
  if (warning.name === 'StepmarkWarning') emitted.push(warning);
};
const savedToken = process.env.STEPMARK_TOKEN;

beforeEach(() => {
  resetWarnings();
  emitted = [];
  process.on('warning', onWarning);
});
afterEach(async () => {
  vi.useRealTimers();
  process.off('warning', onWarning);
  diag.disable();
  await extra?.shutdown();
  extra = undefined;
  await h?.teardown();
  h = undefined;
  if (savedToken === undefined) delete process.env.STEPMARK_TOKEN;
  else process.env.STEPMARK_TOKEN = savedToken;
  resetWarnings();
});

/** A sampler that records nothing: spans are sampled out, the set-up is right. */
const neverSample: Sampler = {
  shouldSample: () => ({ decision: SamplingDecision.NOT_RECORD }),
  toString: () => 'NeverSample',
};

/** Lets process warnings out: `process.emitWarning` emits on the next tick. */
const warningsOut = () => new Promise((resolve) => setImmediate(resolve));

/** The diag warnings that mention `part`. */
const mentioning = (captured: DiagCapture, part: string) =>
  captured.messages.filter((m) => m.includes(part));

/** A triggered request through the gate every adapter shares, ended at once. */
function triggered(): void {
  const head = { headers: { 'x-stepmark': 'true' }, method: 'GET', url: '/' };
  new RequestGate({ rateLimit: false }).open(head, head)?.finish();
}

describe('misconfiguration', () => {
  describe('no tracer provider registered', () => {
    it('is said once on diag, whether withTracing, enable or a trigger meets it', async () => {
      h = setupOtel();
      trace.disable(); // the global provider is the API's no-op one now
      const captured = captureDiag();
      for (let i = 0; i < 3; i++) {
        stepmark.withTracing(() => stepmark.record('s', 'a'));
        context.with(stepmark.enable(), () => stepmark.record('s', 'a'));
        triggered();
      }
      expect(mentioning(captured, 'tracer provider')).toEqual([
        'stepmark-otel: no OpenTelemetry tracer provider is registered (NodeSDK.start() or trace.setGlobalTracerProvider), so spans do not record and stepmark decisions reach no processor; see docs/troubleshooting.md',
      ]);
      expect(stepmark.stats().misconfigurations).toEqual(['no-tracer-provider']);
      await warningsOut();
      expect(emitted).toEqual([]); // a diag logger is set: nothing on the process's warnings
    });

    it('is a process warning when no diag logger is set', async () => {
      h = setupOtel();
      trace.disable();
      stepmark.withTracing(() => stepmark.record('s', 'a'));
      stepmark.withTracing(() => stepmark.record('s', 'a'));
      await warningsOut();
      expect(emitted).toHaveLength(1);
      expect(emitted[0]?.code).toBe('STEPMARK_NO_TRACER_PROVIDER');
      expect(emitted[0]?.message).toMatch(
        /^stepmark-otel: no OpenTelemetry tracer provider is registered/,
      );
    });

    it('is not said when spans are merely sampled out', () => {
      h = setupOtel({ sampler: neverSample });
      const captured = captureDiag();
      stepmark.withTracing(() => stepmark.record('s', 'a'));
      expect(stepmark.stats().misconfigurations).toEqual([]);
      expect(captured.messages).toEqual([]);
    });
  });

  describe('no context manager', () => {
    it('is said once on diag, and withTracing still runs its function', async () => {
      h = setupOtel();
      context.disable(); // context.with is a no-op now: nothing inside finds its request
      const captured = captureDiag();
      const results = [0, 1, 2].map((i) =>
        stepmark.withTracing(() => {
          stepmark.record('s', 'a');
          return i;
        }),
      );
      triggered();
      expect(results).toEqual([0, 1, 2]);
      expect(mentioning(captured, 'context manager')).toEqual([
        'stepmark-otel: no OpenTelemetry context manager is installed (NodeSDK, or context.setGlobalContextManager(new AsyncLocalStorageContextManager())), so traced requests cannot record; see docs/troubleshooting.md',
      ]);
      expect(stepmark.stats().misconfigurations).toEqual(['no-context-manager']);
    });

    it('is a process warning when no diag logger is set', async () => {
      h = setupOtel();
      context.disable();
      stepmark.withTracing(() => undefined);
      context.with(stepmark.enable(), () => undefined);
      await warningsOut();
      expect(emitted.map((w) => w.code)).toEqual(['STEPMARK_NO_CONTEXT_MANAGER']);
    });

    it('is not said with a context manager', async () => {
      h = setupOtel();
      const captured = captureDiag();
      const trace = await stepmark.withTracing(async () => {
        stepmark.record('s', 'a');
        return stepmark.collect();
      });
      expect(trace?.events).toHaveLength(1);
      expect(captured.messages).toEqual([]);
      expect(stepmark.stats().misconfigurations).toEqual([]);
    });
  });

  describe('the processor on another provider than the one recording', () => {
    /** The global provider records, without stepmark; a processor sits on a provider nobody uses. */
    function misplaced(options?: stepmark.StepmarkSpanProcessorOptions): void {
      h = setupOtel({ withoutProcessor: true });
      extra = new stepmark.StepmarkSpanProcessor(options);
      sdk.createProvider({ spanProcessors: [extra] });
    }

    it('is said once when withTracing or a trigger starts a span it does not see', () => {
      misplaced();
      const captured = captureDiag();
      for (let i = 0; i < 3; i++) {
        stepmark.withTracing(() => stepmark.record('s', 'a'));
        triggered();
      }
      expect(mentioning(captured, 'another TracerProvider')).toHaveLength(1);
      expect(captured.messages[0]).toMatch(
        /^stepmark-otel: a StepmarkSpanProcessor is registered but did not see the span of a traced request start/,
      );
      expect(stepmark.stats().misconfigurations).toEqual(['processor-not-on-provider']);
    });

    it('is said when a trace it never saw a span of runs out its TTL', () => {
      vi.useFakeTimers();
      misplaced({ traceTtlMs: 1_000 });
      const captured = captureDiag();
      const root = h!.tracer.startSpan('request'); // recorded by the global provider only
      context.with(stepmark.enable(undefined, trace.setSpan(context.active(), root)), () =>
        stepmark.recordEntity('order_1', 's', 'a'),
      );
      root.end();
      expect(captured.messages).toEqual([]);
      vi.advanceTimersByTime(2_500);
      expect(extra!.stats().tracesEvictedTtl).toBe(1);
      expect(mentioning(captured, 'another TracerProvider')).toHaveLength(1);
      expect(stepmark.stats().misconfigurations).toEqual(['processor-not-on-provider']);
    });

    it('is not said for a trace whose root never ends on the right provider', () => {
      vi.useFakeTimers();
      h = setupOtel({ processor: { traceTtlMs: 1_000 } });
      const captured = captureDiag();
      const root = h.tracer.startSpan('never-ends');
      context.with(stepmark.enable(undefined, trace.setSpan(context.active(), root)), () =>
        stepmark.recordEntity('order_1', 's', 'a'),
      );
      vi.advanceTimersByTime(2_500);
      expect(h.processor.stats().tracesEvictedTtl).toBe(1);
      expect(captured.messages).toEqual([]);
      expect(stepmark.stats().misconfigurations).toEqual([]);
      root.end();
    });
  });

  describe('tokenAuthorizer() without its secret', () => {
    it('is said once on diag, however many are created', () => {
      delete process.env.STEPMARK_TOKEN;
      const captured = captureDiag();
      const authorize = tokenAuthorizer();
      tokenAuthorizer();
      tokenAuthorizer({ env: 'OTHER_TOKEN' });
      expect(authorize({}, { headers: { 'x-stepmark-token': '' } })).toBe(false);
      expect(captured.messages).toEqual([
        "stepmark-otel: STEPMARK_TOKEN is not set, so tokenAuthorizer() refuses every request and every triggered request runs untraced; set STEPMARK_TOKEN (the secret callers send in 'x-stepmark-token') before the middleware is created; see docs/troubleshooting.md",
      ]);
      expect(stepmark.stats().misconfigurations).toEqual(['token-unset']);
    });

    it('is a process warning when no diag logger is set, and nothing when the secret is set', async () => {
      process.env.STEPMARK_TOKEN = 's3cret';
      tokenAuthorizer();
      await warningsOut();
      expect(emitted).toEqual([]);
      delete process.env.STEPMARK_TOKEN;
      tokenAuthorizer();
      tokenAuthorizer();
      await warningsOut();
      expect(emitted.map((w) => w.code)).toEqual(['STEPMARK_TOKEN_UNSET']);
    });
  });

  it('names nothing in stats() when the set-up is right', async () => {
    h = setupOtel();
    process.env.STEPMARK_TOKEN = 's3cret';
    const captured = captureDiag();
    tokenAuthorizer();
    await h.request(() => stepmark.record('s', 'a'));
    stepmark.withTracing(() => stepmark.record('s', 'a'));
    triggered();
    expect(captured.messages).toEqual([]);
    expect(stepmark.stats().misconfigurations).toEqual([]);
  });
});
