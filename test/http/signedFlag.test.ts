import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import type { Trace } from '../../src/index.js';
import {
  middleware,
  tokenAuthorizer,
  withStepmark,
  type StepmarkHttpOptions,
} from '../../src/http/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';
import { untilDone } from '../support/turns.js';

const TOKEN = 'signed-flag-token';
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${TRACE_ID}-b7ad6b7169203331-01`;

/** The documented signature: base64url of the first 16 bytes of HMAC-SHA256(key, domain + trace id). */
function signatureFor(traceId: string, key: string): string {
  return createHmac('sha256', key)
    .update(`stepmark-otel/flag/v1:${traceId}`)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

let h: Harness;
let server: Server | undefined;
beforeEach(() => {
  h = setupOtel();
  process.env.STEPMARK_TOKEN = TOKEN;
});
afterEach(async () => {
  delete process.env.STEPMARK_TOKEN;
  delete process.env.STEPMARK_FLAG_KEY;
  await stop();
  await h.teardown();
});

/** Stops the test's server, if one runs. */
async function stop(): Promise<void> {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
}

/**
 * A node:http server with `withStepmark(options)` whose handler records one decision and keeps
 * the baggage header it would send downstream; returns its URL, finished traces and those headers.
 */
async function serve(
  options: StepmarkHttpOptions = {},
): Promise<{ url: string; finished: Trace[]; outgoing: Array<string | undefined> }> {
  const finished: Trace[] = [];
  const outgoing: Array<string | undefined> = [];
  const handler = (_req: IncomingMessage, res: ServerResponse) => {
    stepmark.recordEntity('order_1', 'pricing', 'quoted');
    outgoing.push(stepmark.propagationHeaders().baggage);
    res.end('ok');
  };
  server = createServer(
    withStepmark(handler, { ...options, onFinish: (t) => void finished.push(t) }),
  );
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    finished,
    outgoing,
  };
}

/** GETs `url` with `headers` and reads the body. */
async function get(url: string, headers: Record<string, string>): Promise<void> {
  await (await fetch(url, { headers })).text();
}

describe('stepmark-otel/http: the signed baggage flag', () => {
  describe('signing', () => {
    it('signs an authorized trigger with STEPMARK_TOKEN when STEPMARK_FLAG_KEY is unset', async () => {
      const { url, outgoing } = await serve({ authorize: tokenAuthorizer() });
      await get(url, { 'X-Stepmark': 'true', 'X-Stepmark-Token': TOKEN, traceparent: TRACEPARENT });
      expect(outgoing[0]?.split(',').sort()).toEqual([
        `stepmark.sig=${signatureFor(TRACE_ID, TOKEN)}`,
        'stepmark=1',
      ]);
    });

    it('prefers STEPMARK_FLAG_KEY, and the flagKey option over both', async () => {
      process.env.STEPMARK_FLAG_KEY = 'from-env';
      const fromEnv = await serve({ authorize: tokenAuthorizer() });
      await get(fromEnv.url, {
        'X-Stepmark': 'true',
        'X-Stepmark-Token': TOKEN,
        traceparent: TRACEPARENT,
      });
      expect(fromEnv.outgoing[0]).toContain(`stepmark.sig=${signatureFor(TRACE_ID, 'from-env')}`);
      await stop();
      const fromOption = await serve({
        authorize: tokenAuthorizer(),
        flagKey: Buffer.from('from-option'),
      });
      await get(fromOption.url, {
        'X-Stepmark': 'true',
        'X-Stepmark-Token': TOKEN,
        traceparent: TRACEPARENT,
      });
      expect(fromOption.outgoing[0]).toContain(
        `stepmark.sig=${signatureFor(TRACE_ID, 'from-option')}`,
      );
    });

    it('signs nothing without authorize (anyone may trigger there), and honours unsigned baggage as before', async () => {
      const { url, finished, outgoing } = await serve();
      await get(url, { 'X-Stepmark': 'true', traceparent: TRACEPARENT });
      await get(url, { baggage: 'stepmark=1' });
      await untilDone(() => finished.length === 2);
      expect(finished).toHaveLength(2);
      expect(outgoing).toEqual(['stepmark=1', 'stepmark=1']);
    });
  });

  describe('honouring upstream baggage', () => {
    it('with authorize and a key, honours only a flag signed for the request trace id (the rest counted)', async () => {
      const { url, finished } = await serve({ authorize: tokenAuthorizer() });
      const before = stepmark.stats().refusedBaggageFlags;
      const valid = signatureFor(TRACE_ID, TOKEN);
      const other = '1bf7651916cd43dd8448eb211c80319c';
      await get(url, { baggage: 'stepmark=1' }); // unsigned
      await get(url, { traceparent: TRACEPARENT, baggage: 'stepmark=1' }); // unsigned
      await get(url, {
        traceparent: TRACEPARENT,
        baggage: `stepmark=1,stepmark.sig=${'A'.repeat(22)}`,
      });
      await get(url, {
        traceparent: `00-${other}-b7ad6b7169203331-01`,
        baggage: `stepmark=1,stepmark.sig=${valid}`,
      });
      await get(url, { baggage: `stepmark=1,stepmark.sig=${valid}` }); // no traceparent: a new trace
      expect(stepmark.stats().refusedBaggageFlags).toBe(before + 5);
      await get(url, {
        traceparent: TRACEPARENT,
        baggage: `tenant=a,stepmark=1,stepmark.sig=${valid}`,
      });
      await untilDone(() => finished.length > 0);
      expect(finished.map((t) => t.trace_id)).toEqual([TRACE_ID]);
    });

    it('with authorize and no key (flagKey: false), lets any caller turn recording on, rate-limited', async () => {
      const { url, finished } = await serve({
        authorize: tokenAuthorizer(),
        flagKey: false,
        rateLimit: { perSecond: 0, burst: 1 },
      });
      await get(url, { baggage: 'stepmark=1' });
      await get(url, { baggage: 'stepmark=1' });
      await untilDone(() => finished.length === 1);
      expect(finished).toHaveLength(1);
    });
  });

  describe("forwardBaggage: 'stepmark-only'", () => {
    it("keeps only stepmark's own entries in the traced request's context", async () => {
      const { url, outgoing } = await serve({ forwardBaggage: 'stepmark-only' });
      await get(url, { baggage: 'user.role=admin,stepmark=1,stepmark.sig=abc' });
      await get(url, { 'X-Stepmark': 'true', baggage: 'user.role=admin' });
      expect(outgoing).toEqual(['stepmark=1,stepmark.sig=abc', 'stepmark=1']);
    });

    it("keeps every entry by default ('all')", async () => {
      const { url, outgoing } = await serve();
      await get(url, { baggage: 'user.role=admin,stepmark=1' });
      expect(outgoing).toEqual(['user.role=admin,stepmark=1']);
    });
  });

  describe('counters', () => {
    it('counts requests the rate limit refuses, triggered or from baggage', async () => {
      const { url, finished } = await serve({ rateLimit: { perSecond: 0, burst: 1 } });
      const before = stepmark.stats().rateLimitedRequests;
      for (let i = 0; i < 3; i++) await get(url, { 'X-Stepmark': 'true' });
      for (let i = 0; i < 2; i++) await get(url, { baggage: 'stepmark=1' });
      expect(stepmark.stats().rateLimitedRequests).toBe(before + 3);
      await untilDone(() => finished.length === 2);
      expect(finished).toHaveLength(2);
    });
  });

  describe('options', () => {
    it('throws at creation for a wrong flagKey or forwardBaggage, naming it', () => {
      expect(() => middleware({ flagKey: '' })).toThrow(/flagKey/);
      expect(() => middleware({ flagKey: 42 as never })).toThrow(TypeError);
      expect(() => middleware({ forwardBaggage: 'none' as never })).toThrow(/forwardBaggage/);
    });
  });
});
