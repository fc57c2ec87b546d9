// `stepmark-otel show`: the traces of a file (JSON, a JSON array, JSON Lines as FileSink writes
// them, or stdin), read as untrusted input: bad lines are named and skipped, never a stack.
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run as cli, type CliIo } from '../../src/cli/main.js';
import type { Trace } from '../../src/types.js';
import { tempFiles } from '../support/tempFiles.js';

const { dir, file } = tempFiles('show');

const ACCEPTED: Trace = {
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  meta: { order_id: 'order_42' },
  entities: {
    order_42: {
      entity_id: 'order_42',
      kind: 'order',
      meta: { customer: 'c_2' },
      events: [
        {
          stage: 'validate',
          action: 'passed',
          timestamp: '2026-05-01T10:00:00.001Z',
          meta: { items: 2 },
        },
        { stage: 'payment', action: 'captured', timestamp: '2026-05-01T10:00:00.009Z' },
      ],
    },
    sku_book: {
      entity_id: 'sku_book',
      events: [{ stage: 'inventory', action: 'reserved', timestamp: '2026-05-01T10:00:00.004Z' }],
    },
  },
  events: [{ stage: 'cache', action: 'miss', timestamp: '2026-05-01T10:00:00.002Z' }],
  spans: [
    {
      span_id: '1111111111111111',
      name: 'POST /checkout',
      start_time: '2026-05-01T10:00:00.000Z',
      end_time: '2026-05-01T10:00:00.010Z',
      duration_ms: 10,
    },
  ],
};

const REJECTED: Trace = {
  trace_id: '5bf92f3577b34da6a3ce929d0e0e4737',
  entities: {
    order_42: {
      entity_id: 'order_42',
      kind: 'order',
      meta: { customer: 'c_2', retry: true },
      events: [
        {
          stage: 'fraud_check',
          action: 'blocked',
          timestamp: '2026-05-02T08:00:00.005Z',
          meta: { score: 0.91, rules: ['high-risk-country'] },
        },
      ],
    },
  },
  dropped_events: 3,
};

/** The timelines of ACCEPTED and REJECTED, as `show` prints them. */
const TIMELINES = [
  'trace 4bf92f3577b34da6a3ce929d0e0e4736  4 event(s)',
  '  meta order_id=order_42',
  '  10:00:00.001  order order_42  validate passed  items=2',
  '  10:00:00.002  (request)  cache miss',
  '  10:00:00.004  sku_book  inventory reserved',
  '  10:00:00.009  order order_42  payment captured',
  '',
  'trace 5bf92f3577b34da6a3ce929d0e0e4737  1 event(s)',
  '  3 decision(s) dropped by maxEvents',
  '  08:00:00.005  order order_42  fraud_check blocked  score=0.91 rules=["high-risk-country"]',
  '',
].join('\n');

const jsonl = (...lines: unknown[]) =>
  lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';

/** `show` with `text` on stdin, given as chunks of a stream. */
function withStdin(text: string, rest: Partial<CliIo> = {}): CliIo {
  const chunks = [text.slice(0, 7), text.slice(7)].map((c) => Buffer.from(c));
  return { stdin: Readable.from(chunks), ...rest };
}

describe('stepmark-otel show', () => {
  it('prints the timeline of each trace of a JSON Lines file, as FileSink writes it', async () => {
    const out = await cli(['show', file(jsonl(ACCEPTED, REJECTED))]);
    expect(out).toEqual({ code: 0, stdout: TIMELINES, stderr: '' });
  });

  it('reads one JSON trace, and a JSON array of traces, pretty-printed or not', async () => {
    const one = await cli(['show', file(JSON.stringify(ACCEPTED, null, 2))]);
    expect(one).toEqual({ code: 0, stdout: TIMELINES.split('\n\n')[0] + '\n', stderr: '' });
    const list = await cli(['show', file(JSON.stringify([ACCEPTED, REJECTED], null, 2))]);
    expect(list).toEqual({ code: 0, stdout: TIMELINES, stderr: '' });
  });

  it('names each line that holds no trace on stderr, with its line number, and shows the rest', async () => {
    const path = file(
      jsonl(ACCEPTED, '', '{"trace_id": "cut short', '[1, 2]', 'garbage', REJECTED, {
        trace_id: 7,
      }) +
        // A last line cut short, as a crash in the middle of a write leaves it.
        JSON.stringify(REJECTED).slice(0, 40),
    );
    const out = await cli(['show', path]);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(TIMELINES);
    const lines = out.stderr.split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(new RegExp(`^${path}:3: skipped: not JSON \\(.+\\)$`));
    expect(lines[1]).toBe(`${path}:4: skipped: not a trace (no trace_id)`);
    expect(lines[2]).toMatch(new RegExp(`^${path}:5: skipped: not JSON \\(.+\\)$`));
    expect(lines[3]).toBe(`${path}:7: skipped: not a trace (no trace_id)`);
    expect(lines[4]).toMatch(new RegExp(`^${path}:8: skipped: not JSON \\(.+\\)$`));
    expect(lines[5]).toBe('');
    expect(out.stderr).not.toMatch(/\n\s+at /); // no stack
  });

  it('names the first 10 bad lines and counts the others', async () => {
    const out = await cli([
      'show',
      file(jsonl(ACCEPTED, ...Array.from({ length: 25 }, () => 'x'))),
    ]);
    expect(out.code).toBe(0);
    const lines = out.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[9]).toMatch(/:11: skipped: not JSON/);
    expect(lines[10]).toMatch(/traces-\d+\.jsonl: 15 more skipped$/);
  });

  it('names the array item that is no trace', async () => {
    const out = await cli(['show', file(JSON.stringify([ACCEPTED, 'x', REJECTED]))]);
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(
      /traces-\d+\.jsonl: item 2: skipped: not a trace \(no trace_id\)\n$/,
    );
  });

  it('reads stdin for -, naming it <stdin>', async () => {
    const out = await cli(['show', '-'], {}, false, withStdin(jsonl(ACCEPTED, 'oops', REJECTED)));
    expect(out.stdout).toBe(TIMELINES);
    expect(out.stderr).toMatch(/^<stdin>:2: skipped: not JSON \(.+\)\n$/);
  });

  it('prints the traces as one JSON array with --json', async () => {
    const out = await cli(['show', '--json', '-'], {}, false, withStdin(jsonl(ACCEPTED, REJECTED)));
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual([ACCEPTED, REJECTED]);
  });

  it('with --entity, prints that entity across the traces, as jaeger entity does', async () => {
    const path = file(jsonl(REJECTED, ACCEPTED));
    const out = await cli(['show', path, '--entity', 'order_42']);
    expect(out).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'order order_42  2 trace(s), 3 decision(s)',
        '  meta customer=c_2 retry=true',
        '  2026-05-01 10:00:00.001  trace 4bf92f3577b34da6a3ce929d0e0e4736  validate passed  items=2',
        '  2026-05-01 10:00:00.009  trace 4bf92f3577b34da6a3ce929d0e0e4736  payment captured',
        '  2026-05-02 08:00:00.005  trace 5bf92f3577b34da6a3ce929d0e0e4737  fraud_check blocked  score=0.91 rules=["high-risk-country"]',
        '',
      ].join('\n'),
    });
    const json = await cli(['show', path, '--entity', 'sku_book', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      entity_id: 'sku_book',
      traces: [ACCEPTED.trace_id],
      events: [{ ...ACCEPTED.entities?.sku_book?.events[0], trace_id: ACCEPTED.trace_id }],
    });
  });

  it('fails with one line, exit 1, when there is nothing to show', async () => {
    const empty = file('');
    const absent = join(dir, 'absent.jsonl');
    const cases: Array<[string[], RegExp]> = [
      [['show', empty], new RegExp(`^no trace in ${empty}\\n$`)],
      [['show', file('\n  \n')], /^no trace in .*\n$/],
      [['show', absent], new RegExp(`^cannot read ${absent}: no such file\\n$`)],
      [['show', dir], new RegExp(`^cannot read ${dir}: is a directory\\n$`)],
      [
        ['show', file(jsonl(ACCEPTED)), '--entity', 'order_99'],
        /^no decisions about order_99 in .*traces-\d+\.jsonl\n$/,
      ],
    ];
    for (const [argv, stderr] of cases) {
      const out = await cli(argv);
      expect({ argv, code: out.code, stdout: out.stdout }).toEqual({ argv, code: 1, stdout: '' });
      expect(out.stderr).toMatch(stderr);
    }
  });

  it('reports a JSON document cut short once, with the line of the error', async () => {
    const pretty = JSON.stringify(ACCEPTED, null, 2).split('\n');
    const out = await cli(['show', file(pretty.slice(0, 12).join('\n'))]);
    expect(out.code).toBe(1);
    const lines = out.stderr.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/traces-\d+\.jsonl:12: not JSON \(.+\)$/);
    expect(lines[1]).toMatch(/^no trace in /);
  });

  it('refuses input past the size limit, exit 1', async () => {
    const text = jsonl(ACCEPTED, REJECTED);
    const io = (max: number) => withStdin(text, { maxInputBytes: max });
    expect((await cli(['show', '-'], {}, false, io(Buffer.byteLength(text)))).code).toBe(0);
    const out = await cli(['show', '-'], {}, false, io(Buffer.byteLength(text) - 1));
    expect(out).toMatchObject({ code: 1, stdout: '' });
    expect(out.stderr).toMatch(
      /^<stdin>: larger than .* MiB, the most show reads; pipe in the end of it instead: tail -n/,
    );
  });

  it('takes fields of any type and any depth, escapes control characters, and never throws', async () => {
    const deep = `{"trace_id":"deep","meta":{"a":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`;
    const hostile = [
      {
        trace_id: 'types',
        entities: {
          a: 5,
          b: { events: 'x' },
          c: { events: [1, { stage: 2, action: null, timestamp: {} }] },
        },
        events: { x: 1 },
        spans: [null, { service: 5 }],
        meta: 'x',
        dropped_events: 'many',
      },
      {
        trace_id: 'evil\u001b]0;pwned\u0007',
        entities: {
          'o\u009b1m': {
            events: [
              { stage: 's\r', action: 'a\u202e', timestamp: 't\n', meta: { 'k\u001b': 'v\u0007' } },
            ],
          },
        },
      },
      {
        trace_id: 'proto',
        entities: JSON.parse(
          '{"__proto__": {"events": [{"stage":"s","action":"a","timestamp":"t"}]}}',
        ),
      },
    ];
    const text = `${deep}\n${jsonl(...hostile)}`;
    for (const json of [false, true]) {
      const out = await cli(['show', '-', ...(json ? ['--json'] : [])], {}, true, withStdin(text));
      expect(out).toMatchObject({ code: 0, stderr: '' });
      // eslint-disable-next-line no-control-regex -- the CLI's own colour codes are allowed
      const shown = out.stdout.replace(/\u001b\[(?:0|1|2|33|36)m/g, '');
      if (json) {
        const traces = JSON.parse(out.stdout) as Trace[];
        expect(traces.map((t) => t.trace_id)).toEqual([
          'deep',
          'types',
          'evil\u001b]0;pwned\u0007',
          'proto',
        ]);
        expect(traces[1]).toEqual({
          trace_id: 'types',
          entities: {
            b: { entity_id: 'b', events: [] },
            c: { entity_id: 'c', events: [{ stage: '', action: '', timestamp: '' }] },
          },
          spans: [{ span_id: '', name: '', start_time: '', end_time: '', duration_ms: 0 }],
        });
        expect(Object.prototype).not.toHaveProperty('events');
      } else {
        // eslint-disable-next-line no-control-regex -- looking for control characters is the point
        expect(shown).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
        expect(shown).toContain('trace evil\\x1b]0;pwned\\x07  1 event(s)');
        expect(shown).toContain('o\\x9b1m  s\\r a\\u202e  k\\x1b=v\\x07');
        expect(shown).toContain('trace proto  1 event(s)');
      }
    }
  });
});
