import type * as Http from 'node:http';
import type Express from 'express';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { SpanKind, trace, type Context } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stepmark } from '../../src/express/index.js';
import { samplingAttributes } from '../../src/http/index.js';
import { StepmarkSampler } from '../../src/index.js';
import type { Trace } from '../../src/index.js';
import { adapterSuite, decide } from '../support/adapterSuite.js';
import { instrumentedRequire } from '../support/instrumented.js';
import { listen } from '../support/listen.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';
import { untilDone } from '../support/turns.js';
import { expressApp } from './expressApp.js';

const http = new HttpInstrumentation();
const instrumentations = [http, new ExpressInstrumentation()];
const require = instrumentedRequire(instrumentations);
const { createServer } = require('node:http') as typeof Http;
const express = require('express') as typeof Express;

adapterSuite('stepmark-otel/express with instrumentation-http and -express', expressApp(express), {
  instrumentations,
  serverScope: '@opentelemetry/instrumentation-http',
  rawBody: true,
});

describe('requests in flight together with one trace id (a caller fanning out)', () => {
  let h: Harness;
  beforeEach(() => {
    h = setupOtel();
    for (const i of instrumentations) i.setTracerProvider(h.provider);
  });
  afterEach(() => h.teardown());

  it('never shows one caller the decisions of another request of the same trace', async () => {
    const app = express();
    app.use(
      stepmark({
        rateLimit: false,
        responseHeader: 'X-Stepmark-Trace',
        responseHeaderWithoutAuthorization: true,
      }),
    );
    // Every handler records, then waits until all three are in flight: they overlap for sure.
    let arrived = 0;
    let release: () => void = () => undefined;
    const allIn = new Promise<void>((resolve) => (release = resolve));
    app.get('/orders/:id', async (req, res) => {
      decide(String(req.params.id));
      if (++arrived === 3) release();
      await allIn;
      res.send('ok');
    });
    const running = await listen(createServer(app));
    try {
      const headers = {
        'X-Stepmark': 'true',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      };
      const responses = await Promise.all(
        ['1', '2', '3'].map((id) => fetch(`${running.url}/orders/${id}`, { headers })),
      );
      const shown = responses.map((r) => r.headers.get('x-stepmark-trace'));
      for (const r of responses) await r.text();
      // Under instrumentation-express the adapter enables below the server span (on a layer's
      // span), so the three requests join one session: no caller may be shown the others'
      // decisions, hence no header or one with its own entity only.
      for (const [i, header] of shown.entries()) {
        if (header === null) continue;
        const entities = Object.keys((JSON.parse(header) as Trace).entities ?? {});
        expect(entities).toEqual([`order_${i + 1}`]);
      }
      await h.processor.forceFlush();
      const all = await h.traces();
      expect(all.flatMap((t) => Object.keys(t.entities ?? {})).sort()).toEqual([
        'order_1',
        'order_2',
        'order_3',
      ]);
    } finally {
      await running.close();
    }
  });
});

describe('under a sampler that would drop the request (StepmarkSampler around ParentBased(AlwaysOff))', () => {
  let h: Harness;
  beforeEach(() => {
    // ParentBased(AlwaysOff): roots dropped, children follow their parent.
    const off = {
      shouldSample: (ctx: Context) => ({
        decision: (trace.getSpanContext(ctx)?.traceFlags ?? 0) & 1 ? 2 : 0,
      }),
      toString: () => 'ParentBased{AlwaysOff}',
    };
    h = setupOtel({ sampler: new StepmarkSampler(off) as never });
    for (const i of instrumentations) i.setTracerProvider(h.provider);
    http.setConfig({ startIncomingSpanHook: samplingAttributes() });
  });
  afterEach(async () => {
    http.setConfig({});
    await h.teardown();
  });

  it('samples the triggered request through samplingAttributes and records on its server span', async () => {
    const finished: Trace[] = [];
    const app = express();
    app.use(stepmark({ rateLimit: false, onFinish: (t) => void finished.push(t) }));
    app.get('/orders/:id', (req, res) => void res.send(decide(String(req.params.id))));
    const running = await listen(createServer(app));
    try {
      await (await fetch(`${running.url}/orders/4`)).text(); // untriggered: dropped
      await (await fetch(`${running.url}/orders/5`, { headers: { 'X-Stepmark': 'true' } })).text();
      await untilDone(() => finished.length > 0);
      expect(finished.map((t) => Object.keys(t.entities ?? {}))).toEqual([['order_5']]);
      const spans = h.exporter.getFinishedSpans();
      const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
      expect(servers.map((s) => s.instrumentationScope.name)).toEqual([
        '@opentelemetry/instrumentation-http',
      ]);
      const traceIds = new Set(spans.map((s) => s.spanContext().traceId));
      expect([...traceIds]).toEqual([finished[0]?.trace_id]);
      expect(
        spans.flatMap((s) => s.events.map((e) => e.attributes?.['stepmark.entity.id'])),
      ).toEqual(['order_5']);
    } finally {
      await running.close();
    }
  });
});
