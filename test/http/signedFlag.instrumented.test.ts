// The signed flag and forwardBaggage with @opentelemetry/instrumentation-http: the server span
// is the instrumentation's, and the W3C propagators extracted the caller's baggage into the
// active context before stepmark runs; what goes downstream is what the propagator injects.
import type * as Http from 'node:http';
import { createHmac } from 'node:crypto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { context, propagation } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import type { Trace } from '../../src/index.js';
import { tokenAuthorizer, withStepmark, type StepmarkHttpOptions } from '../../src/http/index.js';
import { instrumentedRequire } from '../support/instrumented.js';
import { listen } from '../support/listen.js';
import type { RunningApp } from '../support/adapterSuite.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';
import { untilDone } from '../support/turns.js';

const http = new HttpInstrumentation();
const require = instrumentedRequire([http]);
const { createServer } = require('node:http') as typeof Http;

const KEY = 'instrumented-flag-key';
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${TRACE_ID}-b7ad6b7169203331-01`;
const signature = createHmac('sha256', KEY)
  .update(`stepmark-otel/flag/v1:${TRACE_ID}`)
  .digest()
  .subarray(0, 16)
  .toString('base64url');

let h: Harness;
let app: RunningApp | undefined;
beforeEach(() => {
  h = setupOtel();
  http.setTracerProvider(h.provider);
  process.env.STEPMARK_TOKEN = 'instrumented-token';
});
afterEach(async () => {
  delete process.env.STEPMARK_TOKEN;
  await app?.close();
  app = undefined;
  await h.teardown();
});

/** An instrumented server whose handler keeps the baggage the propagator would inject downstream. */
async function serve(
  options: StepmarkHttpOptions,
): Promise<{ url: string; finished: Trace[]; injected: Array<string | undefined> }> {
  const finished: Trace[] = [];
  const injected: Array<string | undefined> = [];
  const server = createServer(
    withStepmark(
      (_req, res) => {
        stepmark.record('pricing', 'quoted');
        const carrier: Record<string, string> = {};
        propagation.inject(context.active(), carrier);
        injected.push(carrier.baggage);
        res.end('ok');
      },
      { ...options, onFinish: (t) => void finished.push(t) },
    ),
  );
  app = await listen(server);
  return { url: app.url, finished, injected };
}

async function get(url: string, headers: Record<string, string>): Promise<void> {
  await (await fetch(url, { headers })).text();
}

describe('stepmark-otel/http with instrumentation-http: the signed baggage flag', () => {
  it('honours a flag signed for the trace the instrumentation continues, refuses it on another', async () => {
    const { url, finished } = await serve({ authorize: tokenAuthorizer(), flagKey: KEY });
    const before = stepmark.stats().refusedBaggageFlags;
    await get(url, {
      traceparent: '00-1bf7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      baggage: `stepmark=1,stepmark.sig=${signature}`,
    });
    expect(stepmark.stats().refusedBaggageFlags).toBe(before + 1);
    await get(url, { traceparent: TRACEPARENT, baggage: `stepmark=1,stepmark.sig=${signature}` });
    await untilDone(() => finished.length > 0);
    expect(finished.map((t) => t.trace_id)).toEqual([TRACE_ID]);
    // Recorded on the instrumentation's server span: the flag came from the extracted context.
    expect(h.exporter.getFinishedSpans().map((s) => s.instrumentationScope.name)).toEqual([
      '@opentelemetry/instrumentation-http',
      '@opentelemetry/instrumentation-http',
    ]);
  });

  it("replaces the baggage the instrumentation extracted with stepmark's own ('stepmark-only')", async () => {
    const { url, injected } = await serve({
      authorize: tokenAuthorizer(),
      flagKey: KEY,
      forwardBaggage: 'stepmark-only',
    });
    await get(url, {
      traceparent: TRACEPARENT,
      baggage: `user.role=admin,stepmark=1,stepmark.sig=${signature}`,
    });
    await get(url, {
      'X-Stepmark': 'true',
      'X-Stepmark-Token': 'instrumented-token',
      traceparent: TRACEPARENT,
      baggage: 'user.role=admin',
    });
    expect(injected.map((b) => b?.split(',').sort())).toEqual([
      [`stepmark.sig=${signature}`, 'stepmark=1'],
      [`stepmark.sig=${signature}`, 'stepmark=1'],
    ]);
  });
});
