// Tasks, regions and the runtime in the viewer: preparePage marks the Gantt rows of tasks and
// regions with their kind and carries the trace's `runtime` as a summary and one line per GC and
// per stretch that held the loop, read as the CLI reads it (untrusted, lists capped); the page's
// script shows them as text.
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/types.js';
import { renderHtml } from '../../src/viewer/index.js';
import type { TraceView } from '../../src/viewer/PageData.js';
import { runClient, type FakeElement } from './fakeDom.js';
import { dataBlock, pageData } from './readPage.js';

const at = (time: string) => `2025-01-01T12:00:00.${time}Z`;
const texts = (elements: FakeElement[]): string[] => elements.map((e) => e.textContent ?? '');

const TRACE: Trace = {
  trace_id: '2fca9efef61d71cce1875270f424dbc7',
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
    blocked: [
      {
        start_time: at('125'),
        duration_ms: 101.2,
        by_trace_id: '0137b7c2d674d724e8a40cb29918351b',
        task: 'report',
        region: 'parseReport',
      },
    ],
    blocking: [
      { start_time: at('240'), duration_ms: 25, task: 'checkout', blocked_trace_ids: ['x', 'y'] },
    ],
  },
};

function only(html: string): TraceView {
  const { traces } = pageData(html);
  expect(traces).toHaveLength(1);
  return traces[0] as TraceView;
}

describe('tasks, regions and the runtime in the viewer', () => {
  it('carries the kind of each span and the runtime in time order', () => {
    const view = only(renderHtml(TRACE));
    expect(view.spans.map((s) => [s.name, s.kind])).toEqual([
      ['POST /checkout', undefined],
      ['checkout', 'task'],
      ['pricing', 'region'],
    ]);
    expect(view.runtime).toEqual({
      summary: '161.2 ms = own work 8.8 + blocked 101.2 + GC 12.2 + waiting 39.0',
      events: [
        {
          time: '12:00:00.125',
          text: 'blocked 101.2 ms by trace 0137b7c2d674d724e8a40cb29918351b (task report, region parseReport)',
        },
        { time: '12:00:00.230', text: 'GC major 12.2 ms' },
        {
          time: '12:00:00.240',
          text: 'held the loop 25.0 ms in task checkout (blocked 2 requests)',
        },
      ],
    });
    expect(only(renderHtml({ trace_id: 't' })).runtime).toBeUndefined();
  });

  it('shows the kind in the Gantt chart and the runtime section as text', () => {
    const page = runClient(dataBlock(renderHtml(TRACE)));
    const main = page.byId('trace');
    expect(texts(main.all('row', 'span').map((row) => row.all('sname')[0] as FakeElement))).toEqual(
      ['POST /checkout', 'task checkout', 'region pricing'],
    );
    expect(main.all('kind-region')).toHaveLength(1);
    const section = main.tags('SECTION').find((s) => s.tags('H3')[0]?.textContent === 'Runtime');
    expect(section?.all('hint')[0]?.textContent).toBe(
      '161.2 ms = own work 8.8 + blocked 101.2 + GC 12.2 + waiting 39.0',
    );
    expect(texts(section?.tags('LI') ?? [])).toEqual([
      '12:00:00.125 blocked 101.2 ms by trace 0137b7c2d674d724e8a40cb29918351b (task report, region parseReport)',
      '12:00:00.230 GC major 12.2 ms',
      '12:00:00.240 held the loop 25.0 ms in task checkout (blocked 2 requests)',
    ]);
  });

  it('reads a hostile runtime without throwing: wrong types ignored, lists capped, markup kept as text', () => {
    const hostile = '</script><img src=x onerror=alert(1)>\u202e';
    const blocked = Array.from({ length: 130 }, (_, i) => ({
      start_time: at(String(100 + i)),
      duration_ms: 20,
      region: hostile,
    }));
    const inputs: unknown[] = [
      { trace_id: 'a', runtime: 'x', spans: [{ span_id: 's', kind: 'weird', name: 'n' }] },
      { trace_id: 'b', runtime: { duration_ms: 'x', gc: [null, { kind: 'evil' }], blocking: {} } },
      { trace_id: 'c', runtime: { blocked, dropped_blocked: 2 } },
    ];
    const html = renderHtml(inputs);
    const [a, b, c] = pageData(html).traces;
    expect(a?.runtime).toBeUndefined();
    expect(a?.spans[0]?.kind).toBeUndefined();
    expect(b?.runtime).toEqual({
      summary: '0.0 ms = own work 0.0 + blocked 0.0 + waiting 0.0',
      events: [],
    });
    expect(c?.runtime?.events).toHaveLength(100);
    expect(c?.runtime?.dropped).toBe(32);
    expect(c?.runtime?.events[0]?.text).toBe(`blocked 20.0 ms by other work (region ${hostile})`);
    const page = runClient(dataBlock(html));
    page.byId('traces').all('trow')[2]?.fire('click');
    const main = page.byId('trace');
    expect(main.tags('IMG')).toEqual([]);
    expect(main.tags('SCRIPT')).toEqual([]);
    expect(main.textContent).toContain('32 runtime events not listed');
  });
});
