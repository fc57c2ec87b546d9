// Issue 9: stepmark-otel/http under arbitrary headers and options. Real requests, sent as raw
// bytes, to a node:http server on 127.0.0.1 with `withStepmark`; and the RequestGate every
// adapter shares, driven directly with header values no HTTP parser would let through. The
// server always answers (200 from the handler, or Node's own 4xx for what it cannot parse),
// never a 500; nothing throws; the trace header, when sent, is ASCII JSON.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import fc, { type Arbitrary } from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import type { Trace } from '../../src/index.js';
import {
  anyTrigger,
  headerTrigger,
  queryTrigger,
  RequestGate,
  withStepmark,
  type RequestHead,
  type StepmarkHttpOptions,
} from '../../src/http/index.js';
import { setupOtel, type Harness } from '../support/otelHarness.js';
import { configureFuzz, fuzzTimeout } from './support/fuzzConfig.js';
import {
  baggageValue,
  traceparentValue,
  tracestateValue,
  triggerValue,
} from './support/headerValues.js';
import { hostile, weirdString, type Hostile } from './support/hostile.js';
import {
  coreOptions,
  hostileRecord,
  isOptionRefusal,
  numberish,
  wrongValue,
} from './support/optionValues.js';
import {
  BudgetExceeded,
  measured,
  printSummary,
  type PropertyMeter,
} from './support/PropertyMeter.js';
import { rawRequest, type RawHeader } from './support/rawHttp.js';
import { scenario } from './support/scenario.js';

configureFuzz();

let h: Harness;
let server: Server;
let port: number;
/** The handler the server runs now: each case installs its own `withStepmark`. */
let current: (req: IncomingMessage, res: ServerResponse) => void;
/** Between properties the server keeps no case's handler (nor the options it holds). */
const idle = () => {
  current = (_req, res) => res.end();
};
/** Traces handed to `onFinish` by the current handler. */
let finished: Trace[] = [];

beforeAll(async () => {
  idle();
  // Ten recent traces, not the default hundred: that documented cache keeps each finished trace,
  // request meta included, and fuzzed request meta is often near META_BUDGET (about 0.3 MB a
  // trace measured); the heap bound is about what stepmark keeps beyond its documented caches.
  h = setupOtel({ processor: { recentTraces: 10 } });
  server = createServer((req, res) => current(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await h.teardown();
  printSummary('http');
});

/** The application: records what the request carried, marks its response as its own, says ok. */
function app(req: IncomingMessage, res: ServerResponse): void {
  stepmark.recordEntity(String(req.headers['x-order'] ?? 'order_1'), 'http', 'received', {
    baggage: req.headers.baggage,
    traceparent: req.headers.traceparent,
    url: req.url,
  });
  stepmark.record('http', 'headers', req.headers as Record<string, unknown>);
  res.setHeader('x-app', '1');
  res.end('ok');
}

/** A trace header value as the README promises it: ASCII without controls, and JSON. */
function checkTraceHeader(value: string | undefined): void {
  if (value === undefined) return;
  expect(value).toMatch(/^[\x20-\x7e]*$/);
  expect(() => JSON.parse(value) as unknown).not.toThrow();
}

/** Sends the request (timed) and checks the answer; then what onFinish got is JSON. */
async function send(
  meter: PropertyMeter,
  path: string,
  headers: readonly RawHeader[],
): Promise<void> {
  const response = await meter.callAsync('HTTP request', () => rawRequest(port, path, headers));
  expect(response.status, 'never a 500').not.toBe(500);
  if (response.headers['x-app'] === '1') {
    expect(response.status).toBe(200);
    expect(response.body).toContain('ok');
  } else {
    // Node's parser refused the request before any handler ran.
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  }
  checkTraceHeader(response.headers['x-stepmark-trace']);
  await meter.callAsync('forceFlush', () => h.traces(), 1_000);
  for (const t of finished) meter.call('JSON.stringify(onFinish trace)', () => JSON.stringify(t));
  finished = [];
  h.sink.clear();
  h.exporter.reset();
}

/** Header names as clients spell them: the canonical one, other casings, or repeated. */
const headerName = (name: string): Arbitrary<string> =>
  fc.constantFrom(
    name,
    name.toUpperCase(),
    name.replace(/^./, (c) => c.toUpperCase()),
  );

const header = (name: string, value: Arbitrary<string>): Arbitrary<RawHeader> =>
  fc.record({
    name: headerName(name),
    value,
    encoding: fc.constantFrom('utf8' as const, 'latin1' as const),
  });

/** The headers of one request: the trigger, W3C context and baggage, a token, in any mix. */
const requestHeaders: Arbitrary<RawHeader[]> = fc.array(
  fc.oneof(
    header('x-stepmark', triggerValue),
    header('traceparent', traceparentValue),
    header('tracestate', tracestateValue),
    header('baggage', baggageValue),
    header('x-stepmark-token', fc.oneof(fc.constant('s3cret'), weirdString)),
    header('x-order', weirdString),
  ),
  { maxLength: 8 },
);

const requestPath: Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '/',
    '/orders?stepmark=1',
    '/orders?stepmark=true&stepmark=0',
    '/?stepmark=%',
    '/?stepmark',
  ),
  fc.webPath().map((p) => `/${p.replace(/^\//, '')}`),
  weirdString.map((s) => `/?stepmark=${encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))}`),
);

/** Safe options, with and without an authorizer and a signing key. */
const safeOptions = (signed: boolean): StepmarkHttpOptions => ({
  trigger: anyTrigger(headerTrigger('X-Stepmark'), queryTrigger('stepmark')),
  responseHeader: 'X-Stepmark-Trace',
  responseHeaderWithoutAuthorization: true,
  rateLimit: false,
  onFinish: (t) => void finished.push(t),
  ...(signed
    ? {
        authorize: (req: IncomingMessage) => req.headers['x-stepmark-token'] === 's3cret',
        flagKey: 'k3y',
      }
    : {}),
});

/** Options of the middleware, mostly wrong. */
const httpOptions: Arbitrary<Hostile> = fc.oneof(
  { weight: 1, arbitrary: wrongValue },
  {
    weight: 6,
    arbitrary: hostileRecord({
      trigger: fc.oneof(
        fc.constant(hostile("headerTrigger('X-Stepmark')", () => headerTrigger('X-Stepmark'))),
        fc.constant(
          hostile('a trigger that throws', () => () => {
            throw new Error('trigger');
          }),
        ),
        wrongValue,
      ),
      authorize: fc.oneof(
        fc.constant(hostile('() => true', () => () => true)),
        fc.constant(
          hostile('an authorizer that throws', () => () => {
            throw new Error('authorize');
          }),
        ),
        wrongValue,
      ),
      responseHeader: fc.oneof(
        fc
          .constantFrom('X-Stepmark-Trace', 'bad header\r\nname', '', 'é')
          .map((n) => hostile(JSON.stringify(n), () => n)),
        wrongValue,
      ),
      responseHeaderWithoutAuthorization: wrongValue,
      maxHeaderBytes: numberish,
      onFinish: fc.oneof(
        fc.constant(
          hostile('an onFinish that throws', () => () => {
            throw new Error('onFinish');
          }),
        ),
        wrongValue,
      ),
      tracerOptions: coreOptions,
      rateLimit: fc.oneof(
        hostileRecord({ perSecond: numberish, burst: numberish }),
        fc.constant(hostile('false', () => false)),
        wrongValue,
      ),
      honorBaggage: wrongValue,
      flagKey: fc.oneof(fc.constant(hostile("'k3y'", () => 'k3y')), wrongValue),
      forwardBaggage: fc.oneof(
        fc.constantFrom('all', 'stepmark-only', 'none').map((v) => hostile(`'${v}'`, () => v)),
        wrongValue,
      ),
    }),
  },
);

describe('fuzz: stepmark-otel/http', () => {
  it(
    'answers every request with arbitrary trigger, traceparent, tracestate and baggage bytes',
    () =>
      measured('http: withStepmark, raw requests', (meter) =>
        fc
          .assert(
            fc.asyncProperty(
              fc.boolean(),
              requestPath,
              requestHeaders,
              async (signed, path, headers) => {
                meter.case();
                current = withStepmark(app, safeOptions(signed));
                await send(meter, path, headers);
              },
            ),
          )
          .finally(idle),
      ),
    fuzzTimeout(300),
  );

  it(
    'refuses wrong middleware options at creation with a TypeError/RangeError, or serves',
    () =>
      measured('http: withStepmark(handler, options)', (meter) =>
        fc
          .assert(
            fc.asyncProperty(httpOptions, requestHeaders, async (options, headers) => {
              meter.case();
              const given = options.make() as StepmarkHttpOptions;
              try {
                current = meter.call('withStepmark', () => withStepmark(app, given));
              } catch (error) {
                if (error instanceof BudgetExceeded) throw error;
                expect(isOptionRefusal(error), String(error)).toBe(true);
                return;
              }
              await send(meter, '/orders?stepmark=1', [
                { name: 'X-Stepmark', value: 'true', encoding: 'latin1' },
                ...headers,
              ]);
              await send(meter, '/', [
                { name: 'baggage', value: 'stepmark=1', encoding: 'latin1' },
              ]);
            }),
          )
          .finally(idle),
      ),
    fuzzTimeout(500),
  );

  it(
    'RequestGate (every adapter) takes header values no HTTP parser lets through',
    () =>
      measured('http: RequestGate.open(any head)', (meter) => {
        const value = fc.oneof(
          fc.oneof(triggerValue, traceparentValue, tracestateValue, baggageValue, weirdString),
          fc.array(fc.oneof(triggerValue, baggageValue, traceparentValue), { maxLength: 3 }),
          fc.constant(undefined),
        );
        const names = fc.constantFrom(
          'x-stepmark',
          'traceparent',
          'tracestate',
          'baggage',
          'x-stepmark-token',
        );
        const head: Arbitrary<{ label: string; head: RequestHead }> = fc
          .record({
            headers: fc.dictionary(fc.oneof(names, weirdString), value, { maxKeys: 6 }),
            fetchStyle: fc.boolean(),
            raw: fc.boolean(),
            url: fc.option(
              fc.oneof(
                weirdString,
                weirdString.map((s) => `/?stepmark=${s}`),
              ),
              { nil: undefined },
            ),
            method: fc.option(weirdString, { nil: undefined }),
          })
          .map(({ headers, fetchStyle, raw, url, method }) => {
            const get = (name: string) => {
              const v = headers[name];
              return Array.isArray(v) ? v.join(',') : (v ?? null);
            };
            const rawHeaders = Object.entries(headers).flatMap(([k, v]) =>
              Array.isArray(v) ? v.flatMap((x) => [k, x]) : v === undefined ? [k] : [k, v],
            );
            return {
              label: JSON.stringify({ headers, fetchStyle, raw, url, method }).slice(0, 400),
              head: {
                headers: fetchStyle ? { get } : headers,
                url,
                method,
                ...(raw ? { rawHeaders } : {}),
              },
            };
          });
        const gates = [false, true].map(
          (signed) =>
            new RequestGate<RequestHead>({
              ...(safeOptions(signed) as StepmarkHttpOptions<RequestHead>),
              maxHeaderBytes: 4_096,
            }),
        );
        return fc.assert(
          fc.asyncProperty(head, fc.nat(1), async ({ head: given }, which) => {
            meter.case();
            const gate = gates[which] as RequestGate<RequestHead>;
            const traced = context.with(ROOT_CONTEXT, () =>
              meter.call('RequestGate.open', () => gate.open(given, given)),
            );
            if (traced !== undefined) {
              context.with(traced.ctx, () => scenario(meter));
              checkTraceHeader(meter.call('headerValue', () => traced.headerValue()));
              meter.call('finish', () =>
                traced.finish({ attributes: { 'http.response.status_code': 200 } }),
              );
            }
            await meter.callAsync('forceFlush', () => h.traces(), 1_000);
            for (const t of finished)
              meter.call('JSON.stringify(onFinish trace)', () => JSON.stringify(t));
            finished = [];
            h.sink.clear();
            h.exporter.reset();
          }),
        );
      }),
    fuzzTimeout(100),
  );
});
