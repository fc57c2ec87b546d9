// The timeline of `show` (and `jaeger trace`, the demo, ConsoleSink) with the tasks, regions, logs
// and runtime events of a request between its decisions; all of it read from an untrusted file.
import { describe, expect, it } from 'vitest';
import { run as cli } from '../../src/cli/main.js';
import { PLAIN, traceTimeline } from '../../src/cli/timeline.js';
import type { Trace } from '../../src/types.js';
import { tempFiles } from '../support/tempFiles.js';

const { file } = tempFiles('timeline');
const jsonl = (...traces: unknown[]) => traces.map((t) => JSON.stringify(t)).join('\n') + '\n';

const at = (time: string) => `2025-01-01T12:00:00.${time}Z`;
const BLOCKER = '0137b7c2d674d724e8a40cb29918351b';
const WAITER = '2fca9efef61d71cce1875270f424dbc7';

/** A request in a task and two regions, with a log, blocked by BLOCKED_BY and paused by a GC. */
const WAITING: Trace = {
  trace_id: WAITER,
  entities: {
    order_42: {
      entity_id: 'order_42',
      kind: 'order',
      events: [
        { stage: 'validate', action: 'accepted', timestamp: at('101'), span_id: 'c3' },
        {
          stage: 'pricing',
          action: 'priced',
          timestamp: at('250'),
          span_id: 'b2',
          meta: { total: 19 },
        },
      ],
    },
  },
  logs: [
    {
      category: 'pricing',
      message: 'rule applied',
      timestamp: at('121'),
      meta: { rule: 'eu-vat' },
      span_id: 'd4',
      task: 'checkout',
      region: 'pricing',
    },
  ],
  spans: [
    {
      span_id: 'a1',
      name: 'POST /checkout',
      start_time: at('099'),
      end_time: at('260'),
      duration_ms: 161,
    },
    {
      span_id: 'b2',
      parent_id: 'a1',
      kind: 'task',
      name: 'checkout',
      start_time: at('100'),
      end_time: at('255'),
      duration_ms: 155,
    },
    {
      span_id: 'c3',
      parent_id: 'b2',
      kind: 'region',
      name: 'validate',
      start_time: at('100'),
      end_time: at('102'),
      duration_ms: 1.6,
    },
    {
      span_id: 'd4',
      parent_id: 'b2',
      kind: 'region',
      name: 'pricing',
      start_time: at('120'),
      end_time: at('240'),
      duration_ms: 120.4,
    },
  ],
  runtime: {
    duration_ms: 161.2,
    on_loop_ms: 8.8,
    blocked_ms: 101.2,
    gc_ms: 12.2,
    waiting_ms: 39,
    gc: [{ kind: 'major', start_time: at('230'), duration_ms: 12.2 }],
    event_loop: { utilization: 1, delay_p99_ms: 95.3, delay_max_ms: 95.3, delay_samples: 1 },
    blocked: [
      {
        start_time: at('125'),
        duration_ms: 101.2,
        by_trace_id: BLOCKER,
        task: 'report',
        region: 'parseReport',
        stack: ['region parseReport', 'task report'],
      },
      { start_time: at('245'), duration_ms: 21 },
    ],
  },
};

/** The request that held the loop, in a subtask and a region, still open; no GC figures. */
const BLOCKING: Trace = {
  trace_id: BLOCKER,
  spans: [
    {
      span_id: 'e0',
      kind: 'task',
      name: 'reports',
      start_time: at('110'),
      end_time: at('240'),
      duration_ms: 130,
    },
    {
      span_id: 'e1',
      parent_id: 'e0',
      kind: 'task',
      name: 'report',
      start_time: at('120'),
      end_time: at('240'),
      duration_ms: 120,
      open: true,
    },
    {
      span_id: 'e2',
      parent_id: 'e1',
      kind: 'region',
      name: 'parseReport',
      start_time: at('124'),
      end_time: at('229'),
      duration_ms: 104.9,
    },
  ],
  runtime: {
    duration_ms: 121,
    on_loop_ms: 106,
    blocked_ms: 0,
    waiting_ms: 15,
    blocking: [
      {
        start_time: at('124'),
        duration_ms: 104.6,
        task: 'report',
        region: 'parseReport',
        blocked_trace_ids: [WAITER, 'ffca9efef61d71cce1875270f424dbc7'],
      },
      { start_time: at('235'), duration_ms: 25, task: 'report' },
    ],
  },
};

const SHOWN = [
  `trace ${WAITER}  2 event(s)`,
  '  runtime: 161.2 ms = own work 8.8 + blocked 101.2 + GC 12.2 + waiting 39.0',
  '  12:00:00.100  task checkout  155.0 ms',
  '  12:00:00.100  region validate (task checkout)  1.6 ms',
  '  12:00:00.101  order order_42  validate accepted',
  '  12:00:00.120  region pricing (task checkout)  120.4 ms',
  '  12:00:00.121  log pricing: rule applied  rule=eu-vat',
  '  12:00:00.125  blocked 101.2 ms by trace 0137b7c2 (task report, region parseReport)',
  '  12:00:00.230  GC major 12.2 ms',
  '  12:00:00.245  blocked 21.0 ms by other work',
  '  12:00:00.250  order order_42  pricing priced  total=19',
  '',
  `trace ${BLOCKER}  0 event(s)`,
  '  runtime: 121.0 ms = own work 106.0 + blocked 0.0 + waiting 15.0',
  '  12:00:00.110  task reports  130.0 ms',
  '  12:00:00.120  task report (in task reports)  120.0 ms so far, open',
  '  12:00:00.124  region parseReport (task report)  104.9 ms',
  '  12:00:00.124  held the loop 104.6 ms in region parseReport (blocked 2 requests)',
  '  12:00:00.235  held the loop 25.0 ms in task report',
  '',
].join('\n');

describe('the timeline of a request with tasks, regions, logs and runtime', () => {
  it('shows task and region starts, logs and runtime events in time order with the decisions', async () => {
    const out = await cli(['show', file(jsonl(WAITING, BLOCKING))]);
    expect(out).toEqual({ code: 0, stdout: SHOWN, stderr: '' });
  });

  it('puts a line of the same time as a decision before it, and lines with no time first', () => {
    const trace: Trace = {
      trace_id: 't',
      events: [
        { stage: 'a', action: 'first', timestamp: at('100') },
        { stage: 'b', action: 'second', timestamp: at('200') },
      ],
      logs: [
        { category: 'c', message: 'late', timestamp: at('300') },
        { category: 'c', message: 'with b', timestamp: at('200') },
        { category: 'c', message: 'no time', timestamp: '' },
      ],
    };
    expect(traceTimeline(trace, PLAIN).split('\n')).toEqual([
      'trace t  2 event(s)',
      '    log c: no time',
      '  12:00:00.100  (request)  a first',
      '  12:00:00.200  log c: with b',
      '  12:00:00.200  (request)  b second',
      '  12:00:00.300  log c: late',
    ]);
  });

  it('counts runtime entries past the cap, and notes them under the header', async () => {
    const blocked = Array.from({ length: 130 }, (_, i) => ({
      start_time: at(String(100 + i)),
      duration_ms: 20,
    }));
    const trace = {
      trace_id: 'capped',
      runtime: { ...WAITING.runtime, blocked, dropped_blocked: 5 },
    };
    const json = await cli(['show', '--json', file(jsonl(trace))]);
    const [read] = JSON.parse(json.stdout) as Trace[];
    expect(read?.runtime?.blocked).toHaveLength(100);
    expect(read?.runtime?.dropped_blocked).toBe(35);
    const out = await cli(['show', file(jsonl(trace))]);
    expect(out.stdout.split('\n').slice(0, 3)).toEqual([
      'trace capped  0 event(s)',
      '  runtime: 161.2 ms = own work 8.8 + blocked 101.2 + GC 12.2 + waiting 39.0',
      '  35 runtime event(s) past the cap not listed',
    ]);
  });

  it('carries logs, span kinds and runtime unchanged with --json', async () => {
    const out = await cli(['show', '--json', file(jsonl(WAITING, BLOCKING))]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual([WAITING, BLOCKING]);
  });

  it('escapes control characters in names, logs and runtime entries, ignores wrong types, never throws', async () => {
    const evil = {
      trace_id: 'evil',
      spans: [
        {
          span_id: 's1',
          kind: 'task',
          name: 'job\u001b]0;pwned\u0007',
          start_time: at('100'),
          duration_ms: 5,
        },
        {
          span_id: 's2',
          parent_id: 's1',
          kind: 'region',
          name: 'r\r\u202e',
          start_time: at('101'),
        },
        { span_id: 's3', kind: 'weird', name: 'plain', start_time: at('102') },
      ],
      logs: [
        {
          category: 'c\u009b',
          message: 'm\nfake line',
          timestamp: at('103'),
          meta: { 'k\u001b': 'v\u0007' },
        },
        { category: 5, message: null, timestamp: {}, meta: 'x', task: 7 },
        'x',
        null,
      ],
      runtime: {
        duration_ms: 'long',
        on_loop_ms: Number.MAX_VALUE,
        gc: [
          null,
          { kind: 'evil\u001b', start_time: at('104') },
          { kind: 'minor', duration_ms: 'x' },
        ],
        blocked: [
          {
            start_time: at('105'),
            duration_ms: 3,
            by_trace_id: 'ab\u001b[2Jcdefgh',
            region: 'r\u0007',
          },
          4,
        ],
        blocking: [{ start_time: 5, task: 't\u2028', stack: 'x', blocked_trace_ids: [1, 'a'] }],
        event_loop: { utilization: 'full' },
        dropped_gc: -3,
      },
    };
    const wrong = [
      { trace_id: 'w1', logs: 'x', runtime: 'x' },
      { trace_id: 'w2', logs: { 0: {} }, runtime: [1], spans: [{ kind: 'region' }] },
      { trace_id: 'w3', runtime: { gc: 'x', blocked: { a: 1 }, blocking: [[]] } },
    ];
    const text = jsonl(evil, ...wrong);
    const json = await cli(['show', '--json', file(text)]);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const traces = JSON.parse(json.stdout) as Trace[];
    expect(traces[0]?.logs?.[1]).toEqual({ category: '', message: '', timestamp: '' });
    expect(traces[0]?.runtime).toEqual({
      duration_ms: 0,
      on_loop_ms: Number.MAX_VALUE,
      blocked_ms: 0,
      waiting_ms: 0,
      gc: [{ kind: 'minor', start_time: '', duration_ms: 0 }],
      blocked: [
        {
          start_time: at('105'),
          duration_ms: 3,
          by_trace_id: 'ab\u001b[2Jcdefgh',
          region: 'r\u0007',
        },
      ],
      blocking: [{ start_time: '', duration_ms: 0, task: 't\u2028', blocked_trace_ids: ['a'] }],
    });
    expect(traces.slice(1)).toEqual([
      { trace_id: 'w1' },
      {
        trace_id: 'w2',
        spans: [
          { span_id: '', name: '', kind: 'region', start_time: '', end_time: '', duration_ms: 0 },
        ],
      },
      {
        trace_id: 'w3',
        runtime: { duration_ms: 0, on_loop_ms: 0, blocked_ms: 0, waiting_ms: 0, blocking: [] },
      },
    ]);

    const out = await cli(['show', file(text)], {}, true);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    // eslint-disable-next-line no-control-regex -- the CLI's own colour codes are allowed
    const shown = out.stdout.replace(/\u001b\[(?:0|1|2|33|36)m/g, '');
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(shown).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u202e]/);
    expect(shown).toContain('task job\\x1b]0;pwned\\x07  5.0 ms');
    expect(shown).toContain('region r\\r\\u202e (task job\\x1b]0;pwned\\x07)  0.0 ms');
    expect(shown).not.toContain('plain');
    expect(shown).toContain('log c\\x9b: m\\nfake line  k\\x1b=v\\x07');
    expect(shown).toContain('blocked 3.0 ms by trace ab\\x1b[2Jcd (region r\\x07)');
    expect(shown).toContain('held the loop 0.0 ms in task t\\u2028');
    expect(shown).toContain(
      'runtime: 0.0 ms = own work 1.7976931348623157e+308 + blocked 0.0 + waiting 0.0',
    );
  });
});
