import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as cli } from '../../src/cli/main.js';
import { JaegerClient } from '../../src/jaeger/index.js';
import type { Race } from '../../src/index.js';
import { eventually, findJaeger, JaegerProcess } from '../support/jaeger.js';
import { startService, type JaegerService } from '../support/jaegerService.js';

const found = findJaeger();
const required = process.env.STEPMARK_REQUIRE_JAEGER === '1';
if ('reason' in found) {
  if (required) throw new Error(`STEPMARK_REQUIRE_JAEGER=1 but ${found.reason}`);
  console.log(`skipping the cross-service race tests: ${found.reason}`);
}

/** A row writer in its own process; resolves with its port once it listens. */
async function startWriter(
  otlpUrl: string,
  name: string,
): Promise<{ child: ChildProcess; port: number }> {
  const fixture = fileURLToPath(new URL('./fixtures/rowWriterService.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, otlpUrl, name], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, port: Number(line.toString().trim()) };
}

describe.skipIf('reason' in found)(
  'races across services, read back from Jaeger (three processes)',
  () => {
    let jaeger: JaegerProcess;
    let checkout: JaegerService;
    let client: JaegerClient;
    const writers: Array<{ child: ChildProcess; port: number }> = [];

    beforeAll(async () => {
      jaeger = await JaegerProcess.create((found as { binary: string }).binary);
      await jaeger.start();
      checkout = startService('checkout', jaeger.otlpTracesUrl);
      client = new JaegerClient(jaeger.queryUrl);
      writers.push(await startWriter(jaeger.otlpTracesUrl, 'stock'));
      writers.push(await startWriter(jaeger.otlpTracesUrl, 'ledger'));
    }, 120_000);

    afterAll(async () => {
      for (const w of writers) {
        w.child.kill('SIGTERM');
        await once(w.child, 'exit');
      }
      await checkout?.shutdown();
      await jaeger?.stop();
    }, 60_000);

    /** A CLIENT span of checkout calling one writer, with the trace context in the headers. */
    async function call(port: number, value: number): Promise<void> {
      await checkout.tracer.startActiveSpan(
        'PUT /rows',
        { kind: SpanKind.CLIENT },
        async (span) => {
          const headers: Record<string, string> = {};
          propagation.inject(context.active(), headers);
          const response = await fetch(`http://127.0.0.1:${port}/write?row=7&value=${value}`, {
            headers,
          });
          expect(await response.text()).toBe('ok');
          span.end();
        },
      );
    }

    /** Runs one checkout request; returns its trace id once all four spans are in Jaeger. */
    async function request(
      fanOut: (stock: number, ledger: number) => Promise<void>,
    ): Promise<string> {
      let traceId = '';
      await checkout.tracer.startActiveSpan('POST /checkout', async (span) => {
        traceId = span.spanContext().traceId;
        await fanOut(writers[0]!.port, writers[1]!.port);
        span.end();
      });
      await checkout.flush();
      await eventually(async () => {
        const data = await client.getTrace(traceId);
        const spans = (data.resourceSpans ?? [])
          .flatMap((r) => r.scopeSpans ?? [])
          .flatMap((s) => s.spans ?? []);
        return spans.length >= 5 ? data : undefined;
      }, `trace ${traceId} with its 5 spans in Jaeger`);
      return traceId;
    }

    async function analyze(traceId: string): Promise<{ races?: Race[] }> {
      const result = await cli([
        'analyze',
        '--trace',
        traceId,
        '--jaeger-url',
        jaeger.queryUrl,
        '--json',
      ]);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout.trim().split('\n')[0] ?? '{}') as { races?: Race[] };
    }

    it('stock and ledger write row 7 in a concurrent fan-out: analyze reports 1 race', async () => {
      const traceId = await request((stock, ledger) =>
        Promise.all([call(stock, 1), call(ledger, 2)]).then(() => undefined),
      );
      const analysis = await analyze(traceId);
      expect(analysis.races).toHaveLength(1);
      const race = analysis.races?.[0];
      expect(race).toMatchObject({ kind: 'write_write', variable: 'row:7' });
      expect(new Set(race?.accesses.map((a) => a.service))).toEqual(new Set(['stock', 'ledger']));
      const text = await cli(['analyze', '--trace', traceId, '--jaeger-url', jaeger.queryUrl]);
      expect(text.stdout).toContain('row:7');
      expect(trace.getActiveSpan()).toBeUndefined();
    });

    it('the same chain one call after the other: nothing', async () => {
      const traceId = await request(async (stock, ledger) => {
        await call(stock, 1);
        await call(ledger, 2);
      });
      const analysis = await analyze(traceId);
      expect(analysis.races ?? []).toEqual([]);
    });
  },
);
