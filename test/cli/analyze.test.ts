// `stepmark-otel analyze` on files of traces and on a trace read from a fake Jaeger.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { run as cli } from '../../src/cli/main.js';
import type { OtlpTracesData } from '../../src/jaeger/otlpJson.js';
import type { Trace } from '../../src/types.js';
import { access, span, threeServiceTrace } from '../support/analysisTraces.js';
import { listen } from '../support/listen.js';

/** A file in a fresh directory holding `text`; removed after the test. */
function fileWith(text: string, name = 'traces.jsonl'): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepmark-analyze-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const jsonl = (traces: Trace[]): string => traces.map((t) => JSON.stringify(t)).join('\n');

async function* chunks(text: string): AsyncIterable<string> {
  yield text;
}

const CONTROLS =
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

describe('stepmark-otel analyze <file>', () => {
  it('reports the race of a three-service fan-out, and nothing for the same chain sequential', async () => {
    const path = fileWith(jsonl([threeServiceTrace('fan-out'), threeServiceTrace('sequential')]));
    const out = await cli(['analyze', path]);
    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    const [fanOut, sequential] = out.stdout.split('\n\n');
    expect(fanOut?.split('\n').slice(0, 5)).toEqual([
      'trace aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  3 service(s): checkout, stock, ledger',
      '  races: 1',
      '    write_write  row:7',
      '      12:00:00.015  [stock] write 2 (was 1)  task stock:1  seq 1  at stock.js:20:5',
      '      12:00:00.017  [ledger] write 3 (was 1)  task ledger:1  seq 1  at ledger.js:30:7',
    ]);
    expect(fanOut).toContain('after seq 1, concurrent');
    expect(fanOut).toContain('  critical path: 100 ms');
    expect(fanOut).toContain('    checkout -> stock  1 call(s)');
    expect(sequential).toContain('  races: none');
    expect(sequential).not.toContain('concurrent');
  });

  it('prints one JSON object per trace with --json', async () => {
    const path = fileWith(jsonl([threeServiceTrace('fan-out'), threeServiceTrace('sequential')]));
    const out = await cli(['analyze', path, '--json']);
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const [fanOut, sequential] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect((fanOut?.races as unknown[]).length).toBe(1);
    expect(sequential?.races).toBeUndefined();
    expect(Object.keys(fanOut ?? {})).toEqual([
      'trace_id',
      'races',
      'audit_trail',
      'critical_path',
      'dependencies',
    ]);
  });

  it('judges durations against the traces before each one in the file, and reads stdin', async () => {
    const traceOf = (i: number, ms: number): Trace => ({
      trace_id: `t${i}`,
      spans: [span(`s${i}`, 'GET /orders', 0, ms)],
    });
    const traces = [
      ...Array.from({ length: 10 }, (_, i) => traceOf(i, 10 + (i % 3))),
      traceOf(10, 95),
    ];
    const out = await cli(['analyze', '-', '--json'], {}, false, { stdin: chunks(jsonl(traces)) });
    const found = out.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { trace_id: string; anomalies?: unknown[] })
      .filter((a) => a.anomalies !== undefined);
    expect(found.map((a) => a.trace_id)).toEqual(['t10']);
    const text = await cli(['analyze', '-'], {}, false, { stdin: chunks(jsonl(traces)) });
    expect(text.stdout).toMatch(
      /duration anomalies: 1\n {4}GET \/orders {2}95 ms {2}mean 10\.9 ms ± 0\.831 ms {2}84\.1 stddev above {2}\(10 earlier span\(s\)\) {2}span s10/,
    );
  });

  it('escapes what a trace holds for the terminal, the colours its own', async () => {
    const evil = '\u001b]0;pwned\u0007\u001b[2J\r\nfake\u202e\u009b31m';
    const id = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee';
    const trace: Trace = {
      trace_id: `${id}${evil}`,
      spans: [
        span('r', `root${evil}`, 0, 10, { service: `svc${evil}` }),
        span('c', `call${evil}`, 1, 9, { service: `other${evil}`, parent_id: 'r' }),
      ],
      state: [
        access(id, `var${evil}`, 'write', 2, {
          value: { note: evil },
          old_value: evil,
          task_id: `task${evil}`,
          seq: 1,
          span_id: 'r',
          location: `file${evil}:1:1`,
          locks: [`lock${evil}`],
        }),
      ],
      races: [
        {
          kind: 'write_write',
          variable: `var${evil}`,
          accesses: [
            access(`${id}${evil}`, `var${evil}`, 'write', 2, { task_id: `a${evil}`, seq: 1 }),
            access(`other${evil}`, `var${evil}`, 'write', 3, { task_id: `b${evil}`, seq: 2 }),
          ],
        },
      ],
    };
    const path = fileWith(JSON.stringify(trace), 'evil.json');
    for (const tty of [false, true]) {
      const out = await cli(['analyze', path], {}, tty);
      expect(out.code).toBe(0);
      // eslint-disable-next-line no-control-regex -- the CLI's own colour codes
      expect(out.stdout.replace(/\u001b\[(?:0|1|2|33|36)m/g, '')).not.toMatch(CONTROLS);
      expect(out.stdout).toContain('\\x1b]0;pwned\\x07');
    }
    // --json is exact JSON: it reads back as the values themselves.
    const json = await cli(['analyze', path, '--json']);
    expect((JSON.parse(json.stdout) as { trace_id: string }).trace_id).toBe(`${id}${evil}`);
  });

  it('names skipped lines on stderr, and fails with exit 1 when no trace is left', async () => {
    const mixed = fileWith(`not json\n${JSON.stringify(threeServiceTrace('sequential'))}\n`);
    const out = await cli(['analyze', mixed]);
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/traces\.jsonl:1: skipped: not JSON/);
    const empty = await cli(['analyze', fileWith('{"no":"trace"}\n')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no trace in .*traces\.jsonl\n$/);
    const missing = await cli(['analyze', join(tmpdir(), 'stepmark-no-such-file.jsonl')]);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/cannot read .*: no such file/);
  });

  it('refuses wrong usage with exit 2 and the usage', async () => {
    const cases: Array<[string[], string]> = [
      [['analyze'], 'missing <file> (a path, or - for stdin) or --trace <traceId>'],
      [['analyze', 'a.jsonl', '--trace', 'f'.repeat(32)], 'unexpected argument: a.jsonl'],
      [['analyze', 'a.jsonl', '--jaeger-url', 'http://x'], '--jaeger-url: only with --trace'],
      [['analyze', 'a.jsonl', '--out', 'x.html'], '--out: not an option of analyze'],
      [['analyze', 'a.jsonl', 'b.jsonl'], 'unexpected argument: b.jsonl'],
      [['show', 'a.jsonl', '--trace', 'x'], '--trace: not an option of show'],
    ];
    for (const [argv, message] of cases) {
      const out = await cli(argv);
      expect(out.code, argv.join(' ')).toBe(2);
      expect(out.stderr.split('\n')[0]).toContain(message);
      expect(out.stderr).toContain('stepmark-otel analyze --trace <traceId>');
    }
    const badId = await cli(['analyze', '--trace', 'xyz\u001b[2J']);
    expect(badId).toEqual({
      code: 2,
      stdout: '',
      stderr: '--trace: not a trace id (32 hex digits): xyz\\x1b[2J\n',
    });
  });

  it('lists analyze in --help', async () => {
    const help = await cli(['--help']);
    expect(help.stdout).toContain('stepmark-otel analyze <file.json | file.jsonl | -> [--json]');
    expect(help.stdout).toContain('--trace        analyze this distributed trace');
  });
});

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function fakeJaeger(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<string> {
  const app = await listen(createServer(handler));
  close = app.close;
  return app.url;
}

const nanos = (iso: string): string => String(BigInt(Date.parse(iso)) * 1_000_000n);

type KeyValue = { key: string; value: { stringValue: string } | { intValue: string } };
const text = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });
const int = (key: string, value: number): KeyValue => ({ key, value: { intValue: String(value) } });

/**
 * A fixture trace as Jaeger's /api/v3 answers it: one resource per service, each state access a
 * span event on its span, written as the state record kind writes it.
 */
function asOtlp(trace: Trace): OtlpTracesData {
  const services = [...new Set((trace.spans ?? []).map((s) => s.service ?? 'unknown'))];
  const eventsOf = (spanId: string) =>
    (trace.state ?? [])
      .filter((a) => a.span_id === spanId)
      .map((a) => ({
        name: `${a.access} ${a.variable}`,
        timeUnixNano: nanos(a.timestamp),
        attributes: [
          int('stepmark.seq', a.seq),
          text('stepmark.state.variable', a.variable),
          text('stepmark.state.access', a.access),
          text('stepmark.state.task', a.task_id),
          ...(typeof a.value === 'number' ? [int('stepmark.state.value', a.value)] : []),
          ...(a.location !== undefined ? [text('stepmark.state.location', a.location)] : []),
        ],
      }));
  return {
    resourceSpans: services.map((service) => ({
      resource: { attributes: [text('service.name', service)] },
      scopeSpans: [
        {
          spans: (trace.spans ?? [])
            .filter((s) => s.service === service)
            .map((s) => ({
              traceId: trace.trace_id,
              spanId: s.span_id,
              ...(s.parent_id !== undefined ? { parentSpanId: s.parent_id } : {}),
              name: s.name,
              startTimeUnixNano: nanos(s.start_time),
              endTimeUnixNano: nanos(s.end_time),
              events: eventsOf(s.span_id),
            })),
        },
      ],
    })),
  };
}

describe('stepmark-otel analyze --trace', () => {
  const trace = threeServiceTrace('fan-out');
  const sequential = threeServiceTrace('sequential');

  function holding(...traces: Trace[]) {
    return (req: IncomingMessage, res: ServerResponse) => {
      const found = traces.find((t) => req.url === `/api/v3/traces/${t.trace_id}`);
      if (found !== undefined) return void res.end(JSON.stringify({ result: asOtlp(found) }));
      res.writeHead(404).end('{"error":{"message":"not found"}}');
    };
  }

  it('reports the race of services writing one row in a fan-out, and none when sequential', async () => {
    const url = await fakeJaeger(holding(trace, sequential));
    const fanOut = await cli(['analyze', '--trace', trace.trace_id, '--jaeger-url', url]);
    expect(fanOut.code).toBe(0);
    expect(fanOut.stdout.split('\n').slice(1, 5)).toEqual([
      '  races: 1',
      '    write_write  row:7',
      '      12:00:00.015  [stock] write 2  task stock:1  seq 1  at stock.js:20:5',
      '      12:00:00.017  [ledger] write 3  task ledger:1  seq 1  at ledger.js:30:7',
    ]);
    const after = await cli(['analyze', '--trace', sequential.trace_id, '--jaeger-url', url]);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('  races: none\n  audit trail\n    row:7  4 access(es)');
  });

  it('analyzes the distributed trace Jaeger holds, with a link to it', async () => {
    const url = await fakeJaeger(holding(trace));
    const out = await cli(['analyze', '--trace', trace.trace_id, '--jaeger-url', url]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('3 service(s): checkout, stock, ledger');
    expect(out.stdout).toContain('  critical path: 100 ms\n    +0 ms  [checkout] POST /checkout');
    expect(out.stdout).toContain(
      '    checkout -> ledger  1 call(s)\n    checkout -> stock  1 call(s)',
    );
    expect(out.stdout.trimEnd().split('\n').at(-1)).toBe(
      `  open in Jaeger: ${url}/trace/${trace.trace_id}`,
    );
    const json = await cli(['analyze', '--trace', trace.trace_id, '--json'], { JAEGER_URL: url });
    expect(JSON.parse(json.stdout)).toMatchObject({
      trace_id: trace.trace_id,
      critical_path: { duration_ms: 100 },
      dependencies: [
        { from: 'checkout', to: 'ledger', calls: 1 },
        { from: 'checkout', to: 'stock', calls: 1 },
      ],
    });
  });

  it('fails with exit 1 when Jaeger does not hold the trace or cannot be reached', async () => {
    const url = await fakeJaeger(holding(trace));
    const other = 'f'.repeat(32);
    const missing = await cli(['analyze', '--trace', other, '--jaeger-url', url]);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toContain(`trace ${other} not found in Jaeger`);
    const unreachable = await cli([
      'analyze',
      '--trace',
      other,
      '--jaeger-url',
      'http://127.0.0.1:9',
    ]);
    expect(unreachable).toMatchObject({ code: 1, stdout: '' });
    expect(unreachable.stderr).toMatch(/^Jaeger is not reachable at http:\/\/127\.0\.0\.1:9/);
    const badUrl = await cli(['analyze', '--trace', other, '--jaeger-url', 'localhost:16686']);
    expect(badUrl.code).toBe(2);
  });
});
