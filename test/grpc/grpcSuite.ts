// The gRPC adapter against a real grpc-js server on 127.0.0.1, called by a real grpc-js client,
// with and without @opentelemetry/instrumentation-grpc. The grpc module comes from the test file,
// which loads it after registering the instrumentations (a static import here would load it first).
import { fileURLToPath } from 'node:url';
import type * as Grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import {
  context,
  diag,
  DiagLogLevel,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as stepmark from '../../src/index.js';
import type { Trace } from '../../src/index.js';
import { stepmarkInterceptor, stepmarkService, type GrpcCall } from '../../src/grpc/index.js';
import { tokenAuthorizer, type StepmarkHttpOptions } from '../../src/http/index.js';
import {
  decide,
  endSuiteTest,
  startSuiteTest,
  type InstrumentationLike,
} from '../support/adapterSuite.js';
import type { Harness } from '../support/otelHarness.js';
import { untilDone } from '../support/turns.js';

type GrpcModule = typeof Grpc;
type Options = StepmarkHttpOptions<GrpcCall<Grpc.ServerInterceptingCallInterface>>;

interface Order {
  id: string;
  status: string;
}

/** What a test call got back: the response(s), the status and the trace trailer. */
interface Reply {
  orders: Order[];
  code: number;
  details: string;
  trailer: string | undefined;
}

/** The generated client of `stepmark.test.Orders` (test/grpc/fixtures/orders.proto). */
interface OrdersClient extends Grpc.Client {
  GetOrder(
    request: { id: string },
    metadata: Grpc.Metadata,
    callback: (error: Grpc.ServiceError | null, order?: Order) => void,
  ): Grpc.ClientUnaryCall;
  ListOrders(request: { id: string }, metadata: Grpc.Metadata): Grpc.ClientReadableStream<Order>;
}

const silent = { error() {}, warn() {}, info() {}, debug() {}, verbose() {} };
const PROTO = fileURLToPath(new URL('./fixtures/orders.proto', import.meta.url));
const TOKEN = 'grpc-suite-token';
const TRAILER = 'x-stepmark-trace';

/** The service: `GetOrder` decides on one order ('fail' returns INTERNAL, 'throw' throws). */
function implementation(grpc: GrpcModule) {
  return {
    GetOrder(
      call: Grpc.ServerUnaryCall<{ id: string }, Order>,
      callback: Grpc.sendUnaryData<Order>,
    ) {
      const id = call.request.id;
      if (id === 'throw') throw new Error('handler failed');
      if (id === 'fail') {
        stepmark.recordEntity(`order_${id}`, 'fraud_check', 'rejected');
        callback({ code: grpc.status.INTERNAL, details: 'rejected' });
        return;
      }
      callback(null, { id, status: decide(id) });
    },
    /** Streams three orders, deciding on each, across event-loop turns. */
    ListOrders(call: Grpc.ServerWritableStream<{ id: string }, Order>) {
      const ids = ['1', '2', '3'].map((n) => `${call.request.id}-${n}`);
      const next = () => {
        const id = ids.shift();
        if (id === undefined) return call.end();
        call.write({ id, status: decide(id) });
        setImmediate(next);
      };
      next();
    },
  };
}

export interface GrpcSuiteOptions {
  /** The instrumentations in use (registered by the test file before loading grpc-js). */
  instrumentations?: InstrumentationLike[];
  /** Wrap the implementation with `stepmarkService` (needed with instrumentation-grpc). */
  wrap?: boolean;
}

export function grpcSuite(name: string, grpc: GrpcModule, suite: GrpcSuiteOptions = {}): void {
  const instrumented = (suite.instrumentations?.length ?? 0) > 0;
  const definition = loadSync(PROTO);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    stepmark: { test: { Orders: Grpc.ServiceClientConstructor } };
  };
  const Orders = loaded.stepmark.test.Orders;

  describe(name, () => {
    let h: Harness;
    let server: Grpc.Server | undefined;
    let client: OrdersClient | undefined;
    let finished: Trace[];
    beforeEach(() => {
      ({ h, finished } = startSuiteTest(suite.instrumentations, TOKEN));
    });
    afterEach(async () => {
      client?.close();
      server?.forceShutdown();
      client = undefined;
      server = undefined;
      await endSuiteTest(h);
    });

    /**
     * Starts the server on 127.0.0.1 (a free port) with the interceptor (between `before` and
     * `after`, other interceptors), and a client of it.
     */
    async function run(
      options: Options = {},
      setup: {
        before?: Grpc.ServerInterceptor[];
        after?: Grpc.ServerInterceptor[];
        wrap?: boolean;
      } = {},
    ): Promise<OrdersClient> {
      const interceptor = stepmarkInterceptor(grpc, {
        rateLimit: false,
        ...options,
        onFinish: (t) => void finished.push(t),
      });
      server = new grpc.Server({
        interceptors: [...(setup.before ?? []), interceptor, ...(setup.after ?? [])],
      });
      const impl = implementation(grpc);
      const wrap = setup.wrap ?? suite.wrap === true;
      server.addService(Orders.service, wrap ? stepmarkService(impl) : impl);
      const port = await new Promise<number>((resolve, reject) =>
        server?.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) =>
          error ? reject(error) : resolve(p),
        ),
      );
      const created = new Orders(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      client = created as unknown as OrdersClient;
      return client;
    }

    function metadataOf(entries: Record<string, string>): Grpc.Metadata {
      const metadata = new grpc.Metadata();
      for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
      return metadata;
    }

    function statusOf(status: Grpc.StatusObject): Omit<Reply, 'orders'> {
      const value = status.metadata.get(TRAILER)[0];
      return {
        code: status.code,
        details: status.details,
        trailer: typeof value === 'string' ? value : undefined,
      };
    }

    /** One unary call; resolves once its status (with the trailers) arrived. */
    function getOrder(c: OrdersClient, id: string, md: Record<string, string> = {}) {
      return new Promise<Reply>((resolve) => {
        const orders: Order[] = [];
        const call = c.GetOrder({ id }, metadataOf(md), (_error, order) => {
          if (order !== undefined) orders.push(order);
        });
        call.on('status', (status: Grpc.StatusObject) => resolve({ orders, ...statusOf(status) }));
      });
    }

    /** One server-streaming call; resolves once every message and the status arrived. */
    function listOrders(c: OrdersClient, id: string, md: Record<string, string> = {}) {
      return new Promise<Reply>((resolve, reject) => {
        const orders: Order[] = [];
        let status: Grpc.StatusObject | undefined;
        let ended = false;
        const done = () => {
          if (status !== undefined && ended) resolve({ orders, ...statusOf(status) });
        };
        const call = c.ListOrders({ id }, metadataOf(md));
        call.on('data', (order: Order) => orders.push(order));
        call.on('error', reject);
        call.on('end', () => {
          ended = true;
          done();
        });
        call.on('status', (s: Grpc.StatusObject) => {
          status = s;
          done();
        });
      });
    }

    /** The finished spans once every traced call handed over its trace (no sleeps). */
    async function spans(expectedTraces: number) {
      await untilDone(() => finished.length >= expectedTraces);
      await h.processor.forceFlush();
      return h.exporter.getFinishedSpans();
    }

    type Spans = Awaited<ReturnType<typeof spans>>;

    /** The single server span of the call, checked to be the instrumentation's or stepmark's. */
    function serverSpan(all: Spans, path: string) {
      const servers = all.filter((s) => s.kind === SpanKind.SERVER);
      expect(servers).toHaveLength(1);
      const server = servers[0]!;
      if (instrumented) {
        expect(server.instrumentationScope.name).toBe('@opentelemetry/instrumentation-grpc');
      } else {
        expect(server.instrumentationScope.name).toBe('stepmark-otel/http');
        expect(server.name).toBe(path);
        expect(server.attributes['rpc.system']).toBe('grpc');
        expect(server.attributes['rpc.service']).toBe(path.split('/')[0]);
        expect(server.attributes['rpc.method']).toBe(path.split('/')[1]);
      }
      return server;
    }

    /** Every span holding decisions lies in `traceId`. */
    function expectDecisionsIn(all: Spans, traceId: string) {
      const recorded = all.filter((s) =>
        s.events.some((e) => e.attributes?.['stepmark.stage'] !== undefined),
      );
      expect(recorded.length).toBeGreaterThan(0);
      for (const s of recorded) expect(s.spanContext().traceId).toBe(traceId);
    }

    it('leaves an untriggered call alone', async () => {
      const c = await run({ responseHeader: TRAILER, responseHeaderWithoutAuthorization: true });
      const reply = await getOrder(c, '1');
      expect(reply.orders).toEqual([{ id: '1', status: 'ok 1' }]);
      expect(reply.trailer).toBeUndefined();
      const all = await spans(0);
      expect(finished).toEqual([]);
      expect(all.filter((s) => s.instrumentationScope.name === 'stepmark-otel/http')).toEqual([]);
      expect(all.flatMap((s) => s.events)).toEqual([]);
    });

    it('records a triggered unary call on exactly one server span', async () => {
      const c = await run();
      const reply = await getOrder(c, '42', { 'x-stepmark': 'true' });
      expect(reply.orders).toEqual([{ id: '42', status: 'ok 42' }]);
      expect(reply.trailer).toBeUndefined(); // no responseHeader configured
      const all = await spans(1);
      expect(finished).toHaveLength(1);
      const event = finished[0]?.entities?.order_42?.events[0];
      expect(event?.action).toBe('cleared');
      expect(event?.meta).toEqual({ score: 0.02, password: '[REDACTED]' });
      const server = serverSpan(all, 'stepmark.test.Orders/GetOrder');
      if (!instrumented) expect(server.attributes['rpc.grpc.status_code']).toBe(0);
      expectDecisionsIn(all, server.spanContext().traceId);
      expect(finished[0]?.trace_id).toBe(server.spanContext().traceId);
    });

    it('continues the caller trace and records for upstream baggage stepmark=1', async () => {
      const c = await run();
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const parentId = 'b7ad6b7169203331';
      // As an upstream service sends it: an instrumented client injects the same from its context.
      const upstream = propagation.setBaggage(
        trace.setSpanContext(ROOT_CONTEXT, {
          traceId,
          spanId: parentId,
          traceFlags: TraceFlags.SAMPLED,
          isRemote: true,
        }),
        propagation.createBaggage({ tenant: { value: 'a' }, stepmark: { value: '1' } }),
      );
      const reply = await context.with(upstream, () =>
        getOrder(c, '9', {
          traceparent: `00-${traceId}-${parentId}-01`,
          baggage: 'tenant=a,stepmark=1',
        }),
      );
      expect(reply.code).toBe(0);
      const all = await spans(1);
      expect(finished[0]?.trace_id).toBe(traceId);
      expect(finished[0]?.entities?.order_9?.events[0]?.action).toBe('cleared');
      expect(serverSpan(all, 'stepmark.test.Orders/GetOrder').spanContext().traceId).toBe(traceId);
      expectDecisionsIn(all, traceId);
    });

    it('returns the trace in a trailer to an authorized caller only', async () => {
      const token = tokenAuthorizer();
      const c = await run({
        // `req` is the GrpcCall: its method path, metadata and server call.
        authorize: (req, head) => req.path.startsWith('/stepmark.test.') && token(req, head),
        responseHeader: 'X-Stepmark-Trace', // set lower case, as metadata keys are
      });
      const refused = await getOrder(c, '1', { 'x-stepmark': 'true', 'x-stepmark-token': 'no' });
      expect(refused.code).toBe(0);
      expect(refused.trailer).toBeUndefined();
      const allowed = await getOrder(c, '2', { 'x-stepmark': 'true', 'x-stepmark-token': TOKEN });
      expect(allowed.orders).toEqual([{ id: '2', status: 'ok 2' }]);
      const header = JSON.parse(allowed.trailer ?? '{}') as Trace;
      expect(header.entities?.order_2?.events[0]?.meta).toEqual({
        score: 0.02,
        password: '[REDACTED]',
      });
      await spans(1);
      expect(finished.map((t) => Object.keys(t.entities ?? {}))).toEqual([['order_2']]);
      expect(finished[0]?.trace_id).toBe(header.trace_id);
    });

    it('traces a server-streaming call, across event-loop turns', async () => {
      const c = await run({ authorize: tokenAuthorizer(), responseHeader: TRAILER });
      const reply = await listOrders(c, 's', { 'x-stepmark': 'true', 'x-stepmark-token': TOKEN });
      expect(reply.orders.map((o) => o.id)).toEqual(['s-1', 's-2', 's-3']);
      expect(reply.code).toBe(0);
      const all = await spans(1);
      expect(Object.keys(finished[0]?.entities ?? {})).toEqual([
        'order_s-1',
        'order_s-2',
        'order_s-3',
      ]);
      const header = JSON.parse(reply.trailer ?? '{}') as Trace;
      expect(Object.keys(header.entities ?? {})).toEqual(['order_s-1', 'order_s-2', 'order_s-3']);
      const server = serverSpan(all, 'stepmark.test.Orders/ListOrders');
      expectDecisionsIn(all, server.spanContext().traceId);
      expect(finished[0]?.trace_id).toBe(server.spanContext().traceId);
    });

    it('finishes a call whose handler fails, and keeps serving', async () => {
      const c = await run();
      const failed = await getOrder(c, 'fail', { 'x-stepmark': 'true' });
      expect(failed.code).toBe(grpc.status.INTERNAL);
      const all = await spans(1);
      expect(finished[0]?.entities?.order_fail?.events[0]?.action).toBe('rejected');
      const server = serverSpan(all, 'stepmark.test.Orders/GetOrder');
      const summary = finished[0]?.spans?.find((x) => x.span_id === server.spanContext().spanId);
      expect(summary?.status).toBe('error');
      if (!instrumented)
        expect(server.attributes['rpc.grpc.status_code']).toBe(grpc.status.INTERNAL);
      const thrown = await getOrder(c, 'throw', { 'x-stepmark': 'true' });
      expect(thrown.code).toBe(grpc.status.UNKNOWN);
      expect(thrown.details).toBe('Unknown error'); // what grpc-js sends, wrapped or not
      await spans(2);
      expect(finished).toHaveLength(2);
      const next = await getOrder(c, '3', { 'x-stepmark': 'true' });
      expect(next.orders).toEqual([{ id: '3', status: 'ok 3' }]);
      await spans(3);
      expect(finished[2]?.entities?.order_3?.events[0]?.action).toBe('cleared');
    });

    // instrumentation-grpc runs handlers in a context of its own: only stepmarkService reaches it.
    if (instrumented)
      it('warns once without stepmarkService, and adds no span', async () => {
        const warnings: string[] = [];
        diag.setLogger(
          { ...silent, warn: (message: string) => void warnings.push(message) },
          DiagLogLevel.WARN,
        );
        try {
          const c = await run({}, { wrap: false });
          for (const id of ['1', '2']) {
            const reply = await getOrder(c, id, { 'x-stepmark': 'true' });
            expect(reply.orders).toEqual([{ id, status: `ok ${id}` }]);
          }
          const all = await spans(0);
          expect(finished).toEqual([]);
          expect(all.filter((s) => s.kind === SpanKind.SERVER)).toHaveLength(2);
          expect(all.filter((s) => s.instrumentationScope.name === 'stepmark-otel/http')).toEqual(
            [],
          );
          expect(warnings.filter((w) => w.includes('stepmarkService'))).toHaveLength(1);
        } finally {
          diag.disable();
        }
      });

    it('keeps the context through other interceptors that defer every event', async () => {
      const c = await run({}, { before: [deferring(grpc)], after: [deferring(grpc)] });
      const reply = await getOrder(c, '5', { 'x-stepmark': 'true' });
      expect(reply.orders).toEqual([{ id: '5', status: 'ok 5' }]);
      const streamed = await listOrders(c, 'd', { 'x-stepmark': 'true' });
      expect(streamed.orders).toHaveLength(3);
      const all = await spans(2);
      expect(finished.map((t) => Object.keys(t.entities ?? {}))).toEqual([
        ['order_5'],
        ['order_d-1', 'order_d-2', 'order_d-3'],
      ]);
      expect(all.filter((s) => s.kind === SpanKind.SERVER)).toHaveLength(2);
    });
  });
}

/** An interceptor that passes every event and response on a later event-loop turn. */
function deferring(grpc: GrpcModule): Grpc.ServerInterceptor {
  const later = (fn: () => void) => void setImmediate(fn);
  return (_method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata: (metadata, pass) => later(() => pass(metadata)),
          onReceiveMessage: (message, pass) => later(() => pass(message)),
          onReceiveHalfClose: (pass) => later(pass),
        });
      },
      sendMessage: (message, pass) => later(() => pass(message)),
      sendStatus: (status, pass) => later(() => pass(status)),
    });
}
