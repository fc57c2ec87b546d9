import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Trace } from '../../src/index.js';

const register = new URL('../../src/register/index.ts', import.meta.url).href;
const app = fileURLToPath(new URL('./fixtures/app.ts', import.meta.url));

/** The application in its own process, started with `--import stepmark-otel/register` (source). */
interface App {
  url: string;
  child: ChildProcess;
  /** Traces the console sink printed (as JSON lines). */
  traces: Trace[];
  /** Every line the process printed on stdout. */
  lines: string[];
  /** Outgoing TCP connections the process attempted (the fixture's spy). */
  connects: unknown[];
  stderr: () => string;
  /** Resolves with the first printed trace that `match` accepts. */
  trace(match?: (t: Trace) => boolean): Promise<Trace>;
  /** Resolves once the process has exited and its output is read, with its code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: App[] = [];

/**
 * The test runner's environment without any OTEL_* or STEPMARK_* variable, plus `env`. The
 * console prints JSON lines here (`STEPMARK_CONSOLE=json`), which the tests read back; the
 * default, a timeline for people, has a test of its own.
 */
function environment(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(OTEL_|STEPMARK_)/.test(k)),
  );
  return { ...clean, STEPMARK_CONSOLE: 'json', ...env };
}

/** Starts the fixture application; resolves once it listens. */
function start(env: Record<string, string> = {}): Promise<App> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', register, app], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: environment(env),
  });
  const traces: Trace[] = [];
  const lines: string[] = [];
  const connects: unknown[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const waiting: Array<(t: Trace) => boolean> = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': every line the process printed has been read by then.
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    void exited.then(({ code }) => reject(new Error(`the app exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line.startsWith('CONNECT ')) connects.push(JSON.parse(line.slice(8)));
      const json = line.indexOf('{"trace_id"');
      if (json >= 0) {
        const t = JSON.parse(line.slice(json)) as Trace;
        traces.push(t);
        for (let i = waiting.length - 1; i >= 0; i--) if (waiting[i]?.(t)) waiting.splice(i, 1);
      }
      if (!line.startsWith('PORT ')) return;
      const started: App = {
        url: `http://127.0.0.1:${line.slice(5)}`,
        child,
        traces,
        lines,
        connects,
        stderr: () => stderr,
        exited,
        trace: (match = () => true) =>
          new Promise((found) => {
            const seen = traces.find(match);
            if (seen !== undefined) return found(seen);
            waiting.push((t) => match(t) && (found(t), true));
          }),
      };
      running.push(started);
      resolve(started);
    });
  });
}

/** Sends `signal` and waits for the process to end. */
async function stop(target: App, signal: NodeJS.Signals) {
  target.child.kill(signal);
  return target.exited;
}

afterEach(async () => {
  for (const a of running.splice(0)) {
    if (a.child.exitCode === null && a.child.signalCode === null) {
      a.child.kill('SIGKILL');
      await a.exited;
    }
  }
});

/**
 * A request to the app, with the stepmark trigger unless `triggered` is false. On `/call` the app
 * makes a request to itself through `node:http`'s named export `get`.
 */
async function request(target: App, triggered = true, path = '/'): Promise<string> {
  const headers: Record<string, string> = triggered ? { 'X-Stepmark': 'true' } : {};
  return (await fetch(`${target.url}${path}`, { headers })).text();
}

/** What a fake OTLP/HTTP receiver got: one entry per POST. */
interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

/** A fake OTLP/HTTP receiver on 127.0.0.1 that keeps every request and answers 200. */
async function receiver(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const contentType = req.headers['content-type'] ?? '';
      received.push({ path: req.url ?? '', contentType, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': contentType });
      res.end(contentType.includes('json') ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

/** A TCP server on 127.0.0.1 that only counts the connections made to it. */
async function connectionCounter() {
  const counter = { connections: 0, url: '', close: () => Promise.resolve() };
  const server = createTcpServer((socket) => {
    counter.connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  counter.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  counter.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return counter;
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** OTLP/JSON, as much of it as the assertions read. */
interface OtlpJson {
  resourceSpans: Array<{
    resource: { attributes: KeyValue[] };
    scopeSpans: Array<{
      scope: { name: string };
      spans: Array<{
        traceId: string;
        name: string;
        /** 2 server, 3 client. */
        kind: number;
        events?: Array<{ name: string; attributes?: KeyValue[] }>;
      }>;
    }>;
  }>;
}
interface KeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string | number };
}
const valueOf = (attributes: KeyValue[] | undefined, key: string) =>
  attributes?.find((a) => a.key === key)?.value.stringValue;

/** Every span a receiver got on /v1/traces (OTLP/JSON), with its resource's service name and scope. */
function spansOf(received: Received[]) {
  return received
    .filter((r) => r.path === '/v1/traces')
    .flatMap((r) => (JSON.parse(r.body.toString()) as OtlpJson).resourceSpans)
    .flatMap((rs) =>
      rs.scopeSpans.flatMap((ss) =>
        ss.spans.map((span) => ({
          ...span,
          service: valueOf(rs.resource.attributes, 'service.name'),
          scope: ss.scope.name,
        })),
      ),
    );
}

describe('stepmark-otel/register', () => {
  describe('with nothing configured', () => {
    it('prints the decisions on the console and sends nothing anywhere', async () => {
      const target = await start();
      expect(await request(target, false)).toBe('ok');
      expect(await request(target)).toBe('ok');
      const t = await target.trace();
      expect(t.entities?.order_7?.events[0]).toMatchObject({
        stage: 'pricing',
        action: 'discounted',
        meta: { percent: 10 },
      });
      // SIGINT with no handler of the app's own: flushed, then Node's exit code for it.
      expect(await stop(target, 'SIGINT')).toEqual({ code: 130, signal: null });
      expect(target.traces).toHaveLength(1); // only the triggered request recorded
      expect(target.connects).toEqual([]); // not even to the OTLP default, localhost:4318
      expect(target.stderr()).not.toContain('stepmark-otel/register');
    }, 60_000);
  });

  describe('with OTEL_EXPORTER_OTLP_ENDPOINT (http/json) and OTEL_SERVICE_NAME', () => {
    let otlp: Awaited<ReturnType<typeof receiver>>;
    let target: App;
    let printed: Trace;
    let exit: { code: number | null; signal: NodeJS.Signals | null };
    let tracesBeforeSigterm: number;

    beforeAll(async () => {
      otlp = await receiver();
      target = await start({
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'checkout-svc',
        // Spans leave on shutdown only: what arrives was flushed by SIGTERM.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      });
      await request(target, true, '/call');
      printed = await target.trace();
      tracesBeforeSigterm = otlp.received.filter((r) => r.path === '/v1/traces').length;
      exit = await stop(target, 'SIGTERM');
    }, 60_000);
    afterAll(() => close(otlp.server));

    it('sends the spans with the decision events to the endpoint when SIGTERM flushes them', () => {
      expect(tracesBeforeSigterm).toBe(0);
      const spans = spansOf(otlp.received).filter((s) => s.traceId === printed.trace_id);
      const events = spans.flatMap((s) => s.events ?? []);
      const decision = events.find((e) => e.name === 'pricing: discounted');
      expect(valueOf(decision?.attributes, 'stepmark.entity.id')).toBe('order_7');
      expect(valueOf(decision?.attributes, 'stepmark.stage')).toBe('pricing');
    });

    it('instruments ESM imports through the loader hook', () => {
      // The app's outgoing request uses `import { get } from 'node:http'`: a binding that only
      // the ESM loader hook (import-in-the-middle) lets the HTTP instrumentation patch.
      const spans = spansOf(otlp.received).filter((s) => s.traceId === printed.trace_id);
      const client = spans.filter(
        (s) => s.scope === '@opentelemetry/instrumentation-http' && s.kind === 3,
      );
      expect(client).toHaveLength(1);
    });

    it('exits with the conventional code for SIGTERM once flushed', () => {
      expect(exit).toEqual({ code: 143, signal: null });
    });

    it('names the service from OTEL_SERVICE_NAME', () => {
      const spans = spansOf(otlp.received);
      expect(spans.length).toBeGreaterThan(0);
      expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['checkout-svc']));
    });

    it('still prints the decisions on the console', () => {
      expect(printed.entities?.order_7?.events[0]?.action).toBe('discounted');
    });
  });

  describe('with the default OTLP protocol (http/protobuf)', () => {
    it('sends the decision to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', async () => {
      const otlp = await receiver();
      try {
        const target = await start({
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlp.url}/v1/traces`,
          OTEL_SERVICE_NAME: 'proto-svc',
        });
        await request(target);
        await target.trace();
        expect((await stop(target, 'SIGTERM')).code).toBe(143);
        const traces = otlp.received.filter((r) => r.path === '/v1/traces');
        expect(traces.map((r) => r.contentType)).toContain('application/x-protobuf');
        const body = Buffer.concat(traces.map((r) => r.body));
        // Protobuf strings are plain UTF-8 on the wire.
        expect(body.includes('pricing: discounted')).toBe(true);
        expect(body.includes('proto-svc')).toBe(true);
        // Only traces were configured: no metrics or logs went anywhere.
        expect(otlp.received.every((r) => r.path === '/v1/traces')).toBe(true);
      } finally {
        await close(otlp.server);
      }
    }, 60_000);
  });

  describe('with OTEL_TRACES_EXPORTER=none', () => {
    it('sends nothing, even with a traces endpoint set, and still prints the decisions', async () => {
      const counter = await connectionCounter();
      try {
        const target = await start({
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${counter.url}/v1/traces`,
        });
        await request(target);
        expect((await target.trace()).entities?.order_7).toBeDefined();
        expect((await stop(target, 'SIGTERM')).code).toBe(143);
        expect(counter.connections).toBe(0);
        expect(target.connects).toEqual([]);
      } finally {
        await counter.close();
      }
    }, 60_000);
  });

  describe('with OTEL_TRACES_SAMPLER=traceidratio and OTEL_TRACES_SAMPLER_ARG=0', () => {
    it('drops untriggered requests and still samples a triggered one', async () => {
      const otlp = await receiver();
      try {
        const target = await start({
          OTEL_TRACES_SAMPLER: 'traceidratio',
          OTEL_TRACES_SAMPLER_ARG: '0',
          OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        });
        await request(target, false);
        await request(target);
        const printed = await target.trace();
        await stop(target, 'SIGTERM');
        const spans = spansOf(otlp.received);
        expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([printed.trace_id]));
        const events = spans.flatMap((s) => s.events ?? []);
        expect(events.map((e) => e.name)).toContain('pricing: discounted');
      } finally {
        await close(otlp.server);
      }
    }, 60_000);
  });

  describe('with OTEL_SDK_DISABLED=true', () => {
    it('starts nothing and leaves SIGTERM to Node', async () => {
      const target = await start({ OTEL_SDK_DISABLED: 'true' });
      expect(await request(target)).toBe('ok');
      expect((await stop(target, 'SIGTERM')).signal).toBe('SIGTERM');
      expect(target.traces).toEqual([]);
      expect(target.stderr()).not.toContain('stepmark-otel/register');
    }, 60_000);
  });

  describe('with a SIGTERM handler of the application', () => {
    it('leaves the exit to it; its awaited shutdown() flushes the spans first', async () => {
      const otlp = await receiver();
      try {
        const target = await start({
          FIXTURE_OWN_HANDLER: '1',
          OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_BSP_SCHEDULE_DELAY: '600000',
        });
        await request(target);
        const printed = await target.trace();
        expect(await stop(target, 'SIGTERM')).toEqual({ code: 0, signal: null });
        const events = spansOf(otlp.received)
          .filter((s) => s.traceId === printed.trace_id)
          .flatMap((s) => s.events ?? []);
        expect(events.map((e) => e.name)).toContain('pricing: discounted');
      } finally {
        await close(otlp.server);
      }
    }, 60_000);
  });

  describe('STEPMARK_MODE and STEPMARK_CONSOLE', () => {
    it('prints each traced request as a timeline by default (STEPMARK_CONSOLE unset)', async () => {
      const target = await start({ STEPMARK_CONSOLE: '' }); // empty counts as unset
      expect(await request(target)).toBe('ok');
      await stop(target, 'SIGTERM');
      const header = target.lines.findIndex((l) => /^trace [0-9a-f]{32} {2}1 event\(s\)$/.test(l));
      expect(header).toBeGreaterThanOrEqual(0);
      expect(target.lines[header + 1]).toMatch(
        /^ {2}\d\d:\d\d:\d\d\.\d{3} {2}order_7 {2}pricing discounted {2}percent=10$/,
      );
      expect(target.traces).toEqual([]); // no JSON
    }, 60_000);

    it('always records, and prints nothing with STEPMARK_CONSOLE=false', async () => {
      const otlp = await receiver();
      try {
        const target = await start({
          STEPMARK_MODE: 'always',
          STEPMARK_CONSOLE: 'false',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlp.url}/v1/traces`,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        });
        expect(await request(target, false)).toBe('ok'); // no trigger
        await stop(target, 'SIGTERM');
        const events = spansOf(otlp.received).flatMap((s) => s.events ?? []);
        expect(events.map((e) => e.name)).toContain('pricing: discounted');
        expect(target.traces).toEqual([]);
      } finally {
        await close(otlp.server);
      }
    }, 60_000);

    it('says a bad value in one line and leaves the application untraced', async () => {
      const target = await start({ STEPMARK_MODE: 'sometimes' });
      expect(await request(target)).toBe('ok');
      const lines = target
        .stderr()
        .split('\n')
        .filter((line) => line.startsWith('stepmark-otel/register'));
      expect(lines).toEqual([
        `stepmark-otel/register: STEPMARK_MODE must be 'on-demand' or 'always', got "sometimes"; OpenTelemetry not started`,
      ]);
      // Untraced, so no handler of ours: SIGTERM ends the process by Node's default.
      expect((await stop(target, 'SIGTERM')).signal).toBe('SIGTERM');
      expect(target.traces).toEqual([]);
    }, 60_000);
  });
});
