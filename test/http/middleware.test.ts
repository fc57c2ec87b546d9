import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { context, diag, DiagLogLevel } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import type { Trace } from '../../src/index.js';
import {
  queryTrigger,
  tokenAuthorizer,
  withStepmark,
  type StepmarkHttpOptions,
} from '../../src/http/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';
import { untilDone } from '../support/turns.js';

let h: Harness;
let server: Server | undefined;
beforeEach(() => {
  h = setupOtel();
});
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  await h.teardown();
});

/** A node:http server on 127.0.0.1 with `withStepmark(handler, options)`; returns its URL and finished traces. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => unknown,
  options: StepmarkHttpOptions = {},
): Promise<{ url: string; finished: Trace[]; errors: unknown[] }> {
  const finished: Trace[] = [];
  const errors: unknown[] = [];
  server = createServer(
    withStepmark(handler, {
      ...options,
      onFinish: (t, req) => {
        finished.push(t);
        options.onFinish?.(t, req);
      },
      onError: (e) => void errors.push(e),
    }),
  );
  open = 0;
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    open++;
    res.once('close', () => open--);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    finished,
    errors,
  };
}

const checkout = (_req: IncomingMessage, res: ServerResponse) => {
  stepmark.recordEntity('order_42', 'fraud_check', 'cleared', { score: 0.02 });
  res.end('ok');
};

/** Responses the server has not closed yet; each closes after stepmark's 'finish' handling. */
let open = 0;
/** Waits (turn by turn, bounded in turns, not time) until every response closed on the server. */
async function settled(): Promise<void> {
  if (!(await untilDone(() => open === 0))) throw new Error(`${open} response(s) still open`);
}

describe('stepmark-otel/http', () => {
  describe('triggers', () => {
    it('leaves untriggered requests untraced and traces X-Stepmark: true ones', async () => {
      const { url, finished } = await serve(checkout);
      await (await fetch(url)).text();
      await (await fetch(url, { headers: { 'X-Stepmark': 'maybe' } })).text();
      const traced = await fetch(url, { headers: { 'X-Stepmark': ' TRUE ' } });
      expect(await traced.text()).toBe('ok');
      await settled();
      expect(finished).toHaveLength(1);
      expect(finished[0]?.entities?.order_42?.events[0]?.action).toBe('cleared');
      expect(traced.headers.get('x-stepmark-trace')).toBeNull();
      const spans = h.exporter.getFinishedSpans();
      expect(spans.map((s) => s.name)).toEqual(['GET']);
    });

    it('traces ?stepmark=true with a query trigger', async () => {
      const { url, finished } = await serve(checkout, { trigger: queryTrigger('stepmark') });
      await (await fetch(`${url}/orders?x=1`)).text();
      await (await fetch(`${url}/orders?stepmark=true`)).text();
      await settled();
      expect(finished).toHaveLength(1);
    });

    it('continues the caller trace from a valid traceparent and starts afresh on a malformed one', async () => {
      const { url } = await serve(checkout);
      const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      await (await fetch(url, { headers: { 'X-Stepmark': '1', traceparent: parent } })).text();
      await (
        await fetch(url, { headers: { 'X-Stepmark': '1', traceparent: '00-zzzz-bad-01' } })
      ).text();
      await settled();
      const [first, second] = h.exporter.getFinishedSpans();
      expect(first?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(second?.spanContext().traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
    });
  });

  describe('across services', () => {
    it('records for an upstream baggage stepmark=1 without a trigger, and never exposes it', async () => {
      const { url, finished } = await serve(checkout, {
        responseHeader: 'X-Stepmark-Trace',
        responseHeaderWithoutAuthorization: true,
      });
      const response = await fetch(url, { headers: { baggage: 'tenant=a,stepmark=1;ttl=3' } });
      await response.text();
      await settled();
      expect(finished).toHaveLength(1);
      expect(response.headers.get('x-stepmark-trace')).toBeNull();
    });

    it('ignores oversized or malformed baggage and keeps serving', async () => {
      const { url, finished } = await serve(checkout);
      const huge = `stepmark=1,${'k=v,'.repeat(3000)}`;
      expect((await fetch(url, { headers: { baggage: huge } })).status).toBe(200);
      expect((await fetch(url, { headers: { baggage: '%%%=,=,stepmark' } })).status).toBe(200);
      await settled();
      expect(finished).toHaveLength(0);
    });

    it('gives outgoing calls of a traced request traceparent and baggage stepmark=1', async () => {
      let outgoing: stepmark.PropagationHeaders = {};
      const { url } = await serve((_req, res) => {
        outgoing = stepmark.propagationHeaders();
        res.end('ok');
      });
      await (await fetch(url, { headers: { 'X-Stepmark': 'true', baggage: 'tenant=a' } })).text();
      expect(outgoing.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(outgoing.baggage?.split(',').sort()).toEqual(['stepmark=1', 'tenant=a']);
      expect(stepmark.propagationHeaders()).toEqual({}); // outside any request
    });
  });

  describe('security', () => {
    const token = 's3cret-token';
    beforeEach(() => {
      process.env.STEPMARK_TOKEN = token;
    });
    afterEach(() => {
      delete process.env.STEPMARK_TOKEN;
    });

    it('refuses a wrong token (untraced, no header) and returns the trace to the right one', async () => {
      const { url, finished } = await serve(checkout, {
        authorize: tokenAuthorizer(),
        responseHeader: 'X-Stepmark-Trace',
      });
      const wrong = await fetch(url, {
        headers: { 'X-Stepmark': 'true', 'X-Stepmark-Token': 'guess' },
      });
      await wrong.text();
      expect(wrong.headers.get('x-stepmark-trace')).toBeNull();
      const right = await fetch(url, {
        headers: { 'X-Stepmark': 'true', 'X-Stepmark-Token': token },
      });
      await right.text();
      await settled();
      expect(finished).toHaveLength(1);
      const header = JSON.parse(right.headers.get('x-stepmark-trace') ?? '{}') as Trace;
      expect(header.entities?.order_42?.events[0]?.meta).toEqual({ score: 0.02 });
    });

    it('sends no response header without an authorizer unless explicitly allowed', async () => {
      const { url } = await serve(checkout, { responseHeader: 'X-Stepmark-Trace' });
      const response = await fetch(url, { headers: { 'X-Stepmark': 'true' } });
      await response.text();
      expect(response.headers.get('x-stepmark-trace')).toBeNull();
    });

    it('holds the rate limit: past the burst, triggered requests run untraced', async () => {
      const { url, finished } = await serve(checkout, { rateLimit: { perSecond: 0, burst: 2 } });
      for (let i = 0; i < 5; i++)
        await (await fetch(url, { headers: { 'X-Stepmark': 'true' } })).text();
      await settled();
      expect(finished).toHaveLength(2);
    });

    it('redacts sensitive keys in the JSON, the response header and the exported span attributes', async () => {
      const { url, finished } = await serve(
        (_req, res) => {
          stepmark.recordEntity('user_1', 'login', 'ok', {
            password: 'hunter2',
            user_email: 'a@b.c',
            cardNumber: '4242',
            plan: 'pro',
            nested: { api_key: 'k' },
          });
          res.end('ok');
        },
        { authorize: tokenAuthorizer(), responseHeader: 'X-Stepmark-Trace' },
      );
      const response = await fetch(url, {
        headers: { 'X-Stepmark': 'true', 'X-Stepmark-Token': token },
      });
      await response.text();
      await settled();
      const expected = {
        password: '[REDACTED]',
        user_email: '[REDACTED]',
        cardNumber: '[REDACTED]',
        plan: 'pro',
        nested: { api_key: '[REDACTED]' },
      };
      expect(finished[0]?.entities?.user_1?.events[0]?.meta).toEqual(expected);
      expect(
        (JSON.parse(response.headers.get('x-stepmark-trace') ?? '{}') as Trace).entities?.user_1
          ?.events[0]?.meta,
      ).toEqual(expected);
      const attributes = h.exporter
        .getFinishedSpans()
        .flatMap((s) => s.events)
        .find((e) => e.attributes?.['stepmark.stage'] !== undefined)?.attributes;
      expect(attributes).toMatchObject({
        'stepmark.meta.password': '[REDACTED]',
        'stepmark.meta.user_email': '[REDACTED]',
        'stepmark.meta.plan': 'pro',
      });
      expect(JSON.stringify(h.exporter.getFinishedSpans().map((s) => s.events))).not.toMatch(
        /hunter2|a@b\.c|4242/,
      );
    });

    it('caps the response header and never sends CR/LF or non-ASCII in it', async () => {
      const { url } = await serve(
        (_req, res) => {
          stepmark.record('inject', 'x', { value: 'a\r\nSet-Cookie: evil=1 — ünïcode' });
          for (let i = 0; i < 500; i++) stepmark.record('bulk', `event_${i}`);
          res.end('ok');
        },
        { authorize: tokenAuthorizer(), responseHeader: 'X-Stepmark-Trace', maxHeaderBytes: 4096 },
      );
      const response = await fetch(url, {
        headers: { 'X-Stepmark': 'true', 'X-Stepmark-Token': token },
      });
      await response.text();
      const header = response.headers.get('x-stepmark-trace') ?? '';
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(header).toMatch(/^[\x20-\x7e]+$/);
      const marker = JSON.parse(header) as { truncated: boolean; trace_id: string; bytes: number };
      expect(marker).toMatchObject({
        truncated: true,
        trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      expect(marker.bytes).toBeGreaterThan(4096);
    });

    it('links the trace in Jaeger from the header with jaegerUrl, also past the cap', async () => {
      const options = {
        authorize: tokenAuthorizer(),
        responseHeader: 'X-Stepmark-Trace',
        jaegerUrl: 'https://ops:secret@jaeger.internal:16686/?q=1',
      };
      const { url } = await serve((req, res) => {
        const events = req.url === '/big' ? 500 : 1;
        for (let i = 0; i < events; i++) stepmark.record('bulk', `event_${i}`);
        res.end('ok');
      }, options);
      const headers = { 'X-Stepmark': 'true', 'X-Stepmark-Token': token };
      for (const path of ['/', '/big']) {
        const response = await fetch(`${url}${path}`, { headers });
        await response.text();
        const value = JSON.parse(response.headers.get('x-stepmark-trace') ?? '{}') as Trace & {
          jaeger_url?: string;
        };
        // Credentials and the query of the option are not shown to the caller.
        expect(value.jaeger_url).toBe(`https://jaeger.internal:16686/trace/${value.trace_id}`);
        if (path === '/')
          expect(Object.keys(value).slice(0, 2)).toEqual(['trace_id', 'jaeger_url']);
        else expect(value).toMatchObject({ truncated: true });
      }
      expect(() => withStepmark(() => undefined, { jaegerUrl: 'localhost:16686' })).toThrow(
        "jaegerUrl must be the http(s) URL of Jaeger's UI, got 'localhost:16686'",
      );
    });
  });

  describe('set-up mistakes', () => {
    it('says once on diag when no context manager is installed (nothing could record)', async () => {
      const warnings: string[] = [];
      const log = (message: string) => void warnings.push(message);
      diag.setLogger(
        { warn: log, error: log, info: log, debug: log, verbose: log },
        DiagLogLevel.WARN,
      );
      context.disable();
      try {
        const { url } = await serve(checkout, { rateLimit: false });
        for (let i = 0; i < 2; i++)
          await (await fetch(url, { headers: { 'X-Stepmark': 'true' } })).text();
        await settled();
      } finally {
        diag.disable();
      }
      expect(warnings.filter((w) => w.includes('no OpenTelemetry context manager'))).toHaveLength(
        1,
      );
    });
  });

  describe('bad handlers and clients', () => {
    it('answers 500 for a handler that throws or rejects, and keeps serving', async () => {
      let calls = 0;
      const { url, errors, finished } = await serve(async (_req, res) => {
        calls++;
        stepmark.record('handler', 'started');
        if (calls === 1) throw new Error('sync-ish failure');
        if (calls === 2) return Promise.reject(new Error('rejected'));
        res.end('ok');
      });
      expect((await fetch(url, { headers: { 'X-Stepmark': 'true' } })).status).toBe(500);
      expect((await fetch(url, { headers: { 'X-Stepmark': 'true' } })).status).toBe(500);
      expect(await (await fetch(url, { headers: { 'X-Stepmark': 'true' } })).text()).toBe('ok');
      await settled();
      expect(errors.map((e) => (e as Error).message)).toEqual(['sync-ish failure', 'rejected']);
      expect(finished).toHaveLength(3);
      expect(
        h.exporter
          .getFinishedSpans()
          .filter((s) => (s as unknown as { status: { code: number } }).status.code === 2),
      ).toHaveLength(2);
    });

    it('still delivers the trace of a streaming response whose headers went out first', async () => {
      const { url, finished } = await serve(
        (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('part 1;');
          stepmark.record('stream', 'after-headers');
          setTimeout(() => res.end('part 2'), 5);
        },
        { authorize: () => true, responseHeader: 'X-Stepmark-Trace' },
      );
      const response = await fetch(url, { headers: { 'X-Stepmark': 'true' } });
      expect(await response.text()).toBe('part 1;part 2');
      await settled();
      expect(finished[0]?.events?.map((e) => e.action)).toEqual(['after-headers']);
      expect(response.headers.get('x-stepmark-trace')).not.toContain('after-headers');
    });

    it('delivers the trace of a client that disconnects mid-request, and keeps serving', async () => {
      let started: () => void = () => undefined;
      const handlerStarted = new Promise<void>((resolve) => (started = resolve));
      let delivered: (t: Trace) => void = () => undefined;
      const traceDelivered = new Promise<Trace>((resolve) => (delivered = resolve));
      const held: ServerResponse[] = [];
      const { url } = await serve(
        (req, res) => {
          if (req.url !== '/slow') return void res.end('ok');
          stepmark.record('slow', 'started');
          held.push(res); // never answered: the client leaves first
          started();
        },
        { onFinish: (t) => delivered(t) },
      );
      const req = httpRequest(`${url}/slow`, { headers: { 'X-Stepmark': 'true' } });
      req.on('error', () => undefined);
      req.end();
      await handlerStarted;
      req.destroy();
      const trace = await traceDelivered;
      expect(trace.events?.map((e) => e.action)).toEqual(['started']);
      expect(h.exporter.getFinishedSpans()[0]?.attributes['http.aborted']).toBe(true);
      expect((await fetch(url)).status).toBe(200);
    });
  });
});

describe('StepmarkSampler', () => {
  it('samples triggered requests even when the configured sampler drops everything', async () => {
    const { sdk } = await import('#otel-sdk');
    void sdk;
    const { StepmarkSampler } = await import('../../src/index.js');
    const { context, ROOT_CONTEXT, propagation } = await import('@opentelemetry/api');
    const dropAll = { shouldSample: () => ({ decision: 0 }), toString: () => 'AlwaysOff' };
    const sampler = new StepmarkSampler(dropAll);
    const enabled = stepmark.enable(undefined, ROOT_CONTEXT);
    expect(sampler.shouldSample(enabled, 't', 'n', 0, {}, []).decision).toBe(2);
    const upstream = propagation.setBaggage(
      ROOT_CONTEXT,
      propagation.createBaggage({ stepmark: { value: '1' } }),
    );
    expect(sampler.shouldSample(upstream, 't', 'n', 0, {}, []).decision).toBe(2);
    expect(sampler.shouldSample(context.active(), 't', 'n', 0, {}, []).decision).toBe(0);
    expect(sampler.toString()).toBe('StepmarkSampler{AlwaysOff}');
  });
});
