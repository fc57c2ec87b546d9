// Decisions across a real Kafka broker: an HTTP service traced at the edge produces an order
// event; a consumer service in another process continues the trace and records its decisions;
// Jaeger holds both under one trace id and `stepmark-otel jaeger trace` tells the story in order.
// Run with kafkajs alone and with @opentelemetry/instrumentation-kafkajs, each service in its
// own process; the broker (KRaft, scripts/kafka.sh) and Jaeger are started here.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type * as KafkaJs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as cli } from '../../src/cli/main.js';
import { JaegerClient } from '../../src/jaeger/index.js';
import type { OtlpSpan } from '../../src/jaeger/otlpJson.js';
import type { Trace } from '../../src/index.js';
import { eventually, findJaeger, JaegerProcess } from '../support/jaeger.js';
import { findKafka, KafkaBroker } from '../support/kafka.js';

const jaegerFound = findJaeger();
const kafkaFound = findKafka();
const skip =
  'reason' in jaegerFound
    ? jaegerFound.reason
    : 'reason' in kafkaFound
      ? kafkaFound.reason
      : undefined;
if (skip !== undefined) {
  if (process.env.STEPMARK_REQUIRE_KAFKA === '1')
    throw new Error(`STEPMARK_REQUIRE_KAFKA=1 but ${skip}`);
  console.log(`skipping the Kafka end-to-end tests: ${skip}`);
}
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const { Kafka, logLevel } = createRequire(import.meta.url)('kafkajs') as typeof KafkaJs;

/** A fixture service in its own process, its stdout read line by line. */
class Fixture {
  readonly #lines: string[] = [];
  readonly #waiters = new Set<() => void>();

  private constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.#lines.push(line);
      for (const wake of this.#waiters) wake();
    });
  }

  static start(file: string, args: string[]): Fixture {
    const path = fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url));
    return new Fixture(
      spawn(process.execPath, ['--import', 'tsx', path, ...args], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
  }

  /** Waits for the `n`th line (counting from 1) that matches, and returns it. */
  async line(match: RegExp, n = 1): Promise<string> {
    for (;;) {
      const found = this.#lines.filter((l) => match.test(l));
      if (found.length >= n) return found[n - 1]!;
      if (this.child.exitCode !== null)
        throw new Error(`fixture exited ${this.child.exitCode} before printing ${match}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          resolve();
        };
        this.#waiters.add(wake);
        this.child.once('exit', wake);
      });
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  }
}

const SPAN_KIND_CONSUMER = [5, 'SPAN_KIND_CONSUMER'];
const STATUS_ERROR = [2, 'STATUS_CODE_ERROR'];

describe.skipIf(skip !== undefined)(
  'decisions across a real Kafka broker, read back from Jaeger',
  () => {
    let jaeger: JaegerProcess;
    let broker: KafkaBroker;
    let client: JaegerClient;
    const fixtures: Fixture[] = [];

    beforeAll(async () => {
      jaeger = await JaegerProcess.create((jaegerFound as { binary: string }).binary);
      broker = await KafkaBroker.create();
      await Promise.all([jaeger.start(), broker.start()]);
      client = new JaegerClient(jaeger.queryUrl);
      const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.ERROR }).admin();
      await admin.connect();
      await admin.createTopics({
        topics: ['orders-plain', 'orders-instrumented', 'orders-poison'].map((topic) => ({
          topic,
        })),
        waitForLeaders: true,
      });
      await admin.disconnect();
    }, 180_000);

    afterAll(async () => {
      await Promise.all(fixtures.map((f) => f.stop()));
      await broker?.destroy();
      await jaeger?.stop();
    }, 90_000);

    /** The consumer and the edge service of one mode, started; the edge service's port. */
    async function services(
      mode: 'plain' | 'instrumented',
      topic = `orders-${mode}`,
    ): Promise<{ consumer: Fixture; port: number }> {
      const consumer = Fixture.start('orderConsumer.ts', [
        jaeger.otlpTracesUrl,
        broker.bootstrap,
        topic,
        mode,
        `fulfilment-${topic}`,
      ]);
      const edge = Fixture.start('orderService.ts', [
        jaeger.otlpTracesUrl,
        broker.bootstrap,
        topic,
        mode,
      ]);
      fixtures.push(consumer, edge);
      await consumer.line(/^ready$/);
      return { consumer, port: Number(await edge.line(/^\d+$/)) };
    }

    /** POSTs an order to the edge service (traced when `traced`); its trace id. */
    async function order(port: number, id: string, traced: boolean): Promise<string> {
      const response = await fetch(`http://127.0.0.1:${port}/orders?order=${id}`, {
        method: 'POST',
        headers: traced ? { 'X-Stepmark': 'true' } : {},
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { traceId: string }).traceId;
    }

    /** The spans Jaeger holds for a trace, once `ready` says they are all there. */
    async function spansOf(
      traceId: string,
      ready: (spans: OtlpSpan[]) => boolean,
    ): Promise<OtlpSpan[]> {
      return eventually(async () => {
        const data = await client.getTrace(traceId);
        const spans = (data.resourceSpans ?? [])
          .flatMap((r) => r.scopeSpans ?? [])
          .flatMap((s) => s.spans ?? []);
        return ready(spans) ? spans : undefined;
      }, `trace ${traceId} in Jaeger`);
    }

    for (const mode of ['plain', 'instrumented'] as const) {
      it(`${mode} kafkajs: one trace id from the HTTP edge across the broker, rebuilt in order by the CLI`, async () => {
        const { consumer, port } = await services(mode);
        const id = `order_${mode}_${Date.now()}`;
        const traceId = await order(port, id, true);
        // An order no one traces crosses too: handled as usual, no trace id, recorded nowhere.
        expect(await order(port, `${id}_untraced`, false)).toBeUndefined();
        await consumer.line(/^handled \d+ ok$/, 2);

        // The story, across the async hop, in order, from both services.
        let last = '';
        const story = await eventually(async () => {
          const r = await cli([
            'jaeger',
            'trace',
            traceId,
            '--json',
            '--jaeger-url',
            jaeger.queryUrl,
          ]);
          const trace = r.code === 0 ? (JSON.parse(r.stdout) as Trace) : undefined;
          last = r.code === 0 ? JSON.stringify(trace?.entities) : r.stderr;
          return trace?.entities?.[id]?.events.length === 3 ? trace : undefined;
        }, `the story of ${id} through the CLI`).catch((error: Error) => {
          throw new Error(`${error.message}; last seen: ${last}`);
        });
        expect(story.trace_id).toBe(traceId);
        expect(story.entities![id]!.events.map((e) => [e.service, e.stage, e.action])).toEqual([
          ['checkout', 'checkout', 'accepted'],
          ['fulfilment', 'fulfilment', 'picked'],
          ['fulfilment', 'fulfilment', 'shipped'],
        ]);
        const timeline = await cli(['jaeger', 'trace', traceId, '--jaeger-url', jaeger.queryUrl]);
        expect(timeline.code).toBe(0);
        const lines = timeline.stdout.split('\n');
        const at = (text: string) => lines.findIndex((l) => l.includes(text));
        expect(at(`${id}  checkout accepted`)).toBeGreaterThan(-1);
        expect(at(`${id}  fulfilment picked`)).toBeGreaterThan(at(`${id}  checkout accepted`));
        expect(at(`${id}  fulfilment shipped`)).toBeGreaterThan(at(`${id}  fulfilment picked`));

        // Exactly one CONSUMER span for the message: the instrumentation's when it is on.
        const isConsumer = (s: OtlpSpan) =>
          SPAN_KIND_CONSUMER.includes((s as { kind?: number | string }).kind ?? 0);
        const spans = await spansOf(traceId, (all) => all.some(isConsumer));
        expect(spans.filter(isConsumer).map((s) => s.name)).toEqual([`process orders-${mode}`]);
      }, 120_000);
    }

    it('a poison message: the error is on its span, the consumer goes on', async () => {
      const { consumer } = await services('plain', 'orders-poison');
      const producer = new Kafka({
        brokers: [broker.bootstrap],
        logLevel: logLevel.ERROR,
      }).producer();
      await producer.connect();
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const headers = { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, baggage: 'stepmark=1' };
      await producer.send({
        topic: 'orders-poison',
        messages: [
          { value: 'not json {', headers },
          { value: JSON.stringify({ order: 'order_after_poison' }), headers },
        ],
      });
      await producer.disconnect();
      await consumer.line(/^handled \d+ error$/);
      await consumer.line(/^handled \d+ ok$/); // the message after it
      const spans = await spansOf(traceId, (all) => all.length >= 2);
      const failed = spans.filter((s) => STATUS_ERROR.includes(s.status?.code ?? 0));
      expect(failed).toHaveLength(1);
      expect(failed[0]?.events?.some((e) => e.name === 'exception')).toBe(true);
    }, 120_000);
  },
);
