// Issue 11: renderHtml writes one self-contained page for any input, never throws for the
// traces, and says on the page what it skipped or cut. What the page looks like in a browser is
// test/browser/viewer.browser.test.ts; here, what it holds.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jaegerTraceUrl } from '../../src/jaeger/traceUrl.js';
import type { Trace } from '../../src/types.js';
import { PAGE_LIMITS, renderHtml } from '../../src/viewer/index.js';
import type { TraceView } from '../../src/viewer/PageData.js';
import { ORDER_42, ORDER_43 } from './checkoutTraces.js';
import { metaPolicy, pageData, runnableScripts, styles } from './readPage.js';

const sha256 = (text: string) =>
  `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The one trace of a page. */
function only(html: string): TraceView {
  const { traces } = pageData(html);
  expect(traces).toHaveLength(1);
  return traces[0] as TraceView;
}

const HOSTILE = [
  '</script><script>alert(1)</script>',
  '<img src=x onerror=alert(2)>',
  '"><svg onload=alert(3)>',
  '<!--',
  '\u2028\u2029',
  '&lt;&amp;',
  'javascript:alert(4)',
];

describe('renderHtml', () => {
  describe('the page', () => {
    it('is one document with its script and style inline and nothing to load', () => {
      const html = renderHtml([ORDER_42, ORDER_43]);
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).not.toMatch(/\ssrc=|<link|@import|url\(/i);
      expect(runnableScripts(html)).toHaveLength(1);
      expect(styles(html)).toHaveLength(1);
      expect(html.match(/<script/g)).toHaveLength(2); // the data block and the client
    });

    it('carries a CSP that forbids the network and allows only its own script and style', () => {
      const html = renderHtml([ORDER_43]);
      const policy = metaPolicy(html);
      expect(policy.split('; ')).toEqual([
        "default-src 'none'",
        `script-src ${sha256(runnableScripts(html)[0] as string)}`,
        `style-src ${sha256(styles(html)[0] as string)}`,
        "base-uri 'none'",
        "form-action 'none'",
      ]);
      // The same policy on every page: the data is not part of what runs.
      expect(metaPolicy(renderHtml([]))).toBe(policy);
    });

    it('writes the title as text', () => {
      const html = renderHtml([], { title: '</title><script>alert(1)</script>' });
      expect(html).toContain('<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>');
      expect(html.match(/<script/g)).toHaveLength(2);
      expect(pageData(html).title).toBe('</title><script>alert(1)</script>');
    });

    it('has a default title, and cuts a long one', () => {
      expect(pageData(renderHtml([])).title).toBe('stepmark-otel traces');
      expect(pageData(renderHtml([], { title: 'x'.repeat(300) })).title).toBe(
        `${'x'.repeat(200)}…`,
      );
    });
  });

  describe('hostile strings', () => {
    it('embeds them as data that reads back exactly and cannot end its script block', () => {
      const [a, b, c, d, e, f, g] = HOSTILE as [string, ...string[]];
      const trace: Trace = {
        trace_id: a,
        meta: { [b as string]: c as string },
        entities: {
          [d as string]: {
            entity_id: d as string,
            kind: e as string,
            events: [
              {
                stage: f as string,
                action: g as string,
                timestamp: a,
                meta: { [a]: b as string, nested: { [c as string]: [d as string] } },
              },
            ],
          },
        },
        spans: [
          {
            span_id: b as string,
            name: a,
            start_time: '',
            end_time: '',
            duration_ms: 1,
            tags: { [e as string]: f as string },
          },
        ],
      };
      const html = renderHtml([trace], { title: a });
      expect(html.match(/<script/gi)).toHaveLength(2);
      expect(html.match(/<\/script/gi)).toHaveLength(2);
      expect(html).not.toContain('<img');
      expect(html).not.toContain('<svg');
      const view = only(html);
      expect(view.id).toBe(a);
      expect(view.meta).toEqual([[b, c]]);
      const entity = view.entities[0];
      expect(entity?.id).toBe(d);
      expect(entity?.kind).toBe(e);
      expect(entity?.events[0]).toMatchObject({ stage: f, action: g, time: a });
      expect(entity?.events[0]?.meta).toEqual([
        [a, b],
        ['nested', JSON.stringify({ [c as string]: [d] })],
      ]);
      expect(view.spans[0]).toMatchObject({ name: a, tags: [[e, f]] });
    });

    it('keeps any string in any field inside the data block', () => {
      const text = fc.string({ unit: 'binary', maxLength: 40 });
      fc.assert(
        fc.property(text, text, text, text, text, (id, stage, key, value, name) => {
          const trace: Trace = {
            trace_id: id,
            entities: {
              [id]: {
                entity_id: id,
                events: [{ stage, action: value, timestamp: '', meta: { [key]: value } }],
              },
            },
            spans: [{ span_id: 's', name, start_time: '', end_time: '', duration_ms: 0 }],
          };
          const html = renderHtml([trace], { title: name });
          expect(html.match(/<\/script/gi)).toHaveLength(2);
          const view = only(html);
          expect(view.entities[0]?.events[0]?.meta).toEqual([[key, value]]);
          expect(view.spans[0]?.name).toBe(name);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('outcomes', () => {
    it('puts the rejected order first, with the stage that rejected it', () => {
      const [accepted, rejected] = pageData(renderHtml([ORDER_42, ORDER_43])).traces;
      expect(accepted?.entities.map((e) => [e.id, e.failing])).toEqual([
        ['order_42', undefined],
        ['sku_book', undefined],
        ['sku_lamp', undefined],
      ]);
      expect(rejected?.entities[0]).toMatchObject({
        id: 'order_43',
        kind: 'order',
        failing: true,
        outcome: { stage: 'fraud_check', action: 'blocked' },
      });
      const [validate, fraudCheck] = rejected?.entities[0]?.events ?? [];
      expect(validate?.failing).toBeUndefined();
      expect(fraudCheck).toMatchObject({ stage: 'fraud_check', action: 'blocked', failing: true });
      expect(rejected?.spans[fraudCheck?.span as number]).toMatchObject({
        name: 'fraud_check',
        error: true,
        decisions: 1,
      });
    });

    it('lists failing entities first whatever their place in the trace', () => {
      const trace: Trace = {
        trace_id: 't',
        entities: Object.fromEntries(
          ['a', 'b', 'c', 'd'].map((id) => [
            id,
            {
              entity_id: id,
              events: [
                { stage: 's', action: id === 'c' ? 'Payment_Declined' : 'ok', timestamp: '' },
              ],
            },
          ]),
        ),
      };
      expect(only(renderHtml(trace)).entities.map((e) => e.id)).toEqual(['c', 'a', 'b', 'd']);
    });

    it('marks an action of the errorActions as failing by the error on its span', () => {
      const trace: Trace = {
        trace_id: 't',
        entities: {
          loan_7: {
            entity_id: 'loan_7',
            events: [{ stage: 'risk', action: 'flagged', timestamp: '', span_id: 's1' }],
          },
        },
        spans: [
          {
            span_id: 's1',
            name: 'risk',
            start_time: '',
            end_time: '',
            duration_ms: 1,
            status: 'error',
            tags: { 'otel.status_description': 'risk: flagged' },
          },
        ],
      };
      expect(only(renderHtml(trace)).entities[0]).toMatchObject({ id: 'loan_7', failing: true });
    });

    it("takes an entity's outcome from the trace's outcomes when it has them", () => {
      const trace = {
        ...ORDER_42,
        outcomes: { order_42: { stage: 'payment', action: 'refused', timestamp: '' } },
      };
      expect(only(renderHtml(trace)).entities[0]).toMatchObject({
        id: 'order_42',
        failing: true,
        outcome: { stage: 'payment', action: 'refused' },
      });
    });

    it('shows the decisions recorded on no entity as the request’s', () => {
      const trace: Trace = {
        trace_id: 't',
        events: [{ stage: 'auth', action: 'granted', timestamp: '2026-01-01T10:00:00.123Z' }],
      };
      expect(only(renderHtml(trace)).entities).toEqual([
        {
          id: '(request)',
          request: true,
          meta: [],
          events: [{ stage: 'auth', action: 'granted', time: '10:00:00.123', meta: [] }],
        },
      ]);
    });
  });

  describe('spans', () => {
    it('lays the span tree out in order, with offsets from the first start', () => {
      const view = only(renderHtml(ORDER_43));
      expect(view.spans.map((s) => [s.name, s.depth, s.offset, s.duration])).toEqual([
        ['POST /checkout order_43', 0, 0, 1.876],
        ['validate', 1, 0, 0.258],
        ['fraud_check', 1, 1, 0.667],
      ]);
      expect(view.duration).toBeCloseTo(1.876, 3);
      expect(view.label).toBe('POST /checkout order_43');
    });

    it('shows every span of a parent cycle, cut into a root, and says so', () => {
      const span = (id: string, parent: string | undefined) => ({
        span_id: id,
        name: id,
        start_time: '2026-01-01T00:00:00.000Z',
        end_time: '2026-01-01T00:00:00.001Z',
        duration_ms: 1,
        ...(parent === undefined ? {} : { parent_id: parent }),
      });
      const view = only(
        renderHtml({
          trace_id: 't',
          spans: [
            span('a', 'c'),
            span('b', 'a'),
            span('c', 'b'),
            span('d', 'missing'),
            span('e', 'e'),
          ],
        }),
      );
      expect(view.spans.map((s) => s.name).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(view.spans.find((s) => s.name === 'd')).toMatchObject({ depth: 0, orphan: true });
      expect(view.notes).toContain('2 span(s) closed a parent cycle: cut there and shown as roots');
    });
  });

  describe('bad input', () => {
    it.each([
      ['undefined', undefined, 1],
      ['null', null, 1],
      ['a number', 5, 1],
      ['a string', 'traces.json', 1],
      ['an object without trace_id', { entities: {} }, 1],
      ['junk in the list', [null, 1, 'x', [], { trace_id: 5 }, ORDER_43, () => 1], 6],
    ])('skips %s and says how many items it skipped', (_, input, skipped) => {
      const data = pageData(renderHtml(input));
      expect(data.notes).toContain(
        `${skipped} item(s) skipped: not a trace (an object with a string trace_id)`,
      );
      expect(data.traces.map((t) => t.id)).toEqual(Array.isArray(input) ? [ORDER_43.trace_id] : []);
    });

    it('shows an empty list as a page without traces or notes', () => {
      expect(pageData(renderHtml([]))).toEqual({
        title: 'stepmark-otel traces',
        notes: [],
        traces: [],
      });
    });

    it('never throws, whatever it is given', () => {
      fc.assert(
        fc.property(fc.oneof(fc.anything(), fc.array(fc.anything())), (input) => {
          expect(renderHtml(input).endsWith('</html>\n')).toBe(true);
        }),
        { numRuns: 300 },
      );
    });

    it('never throws for traces whose fields are anything', () => {
      const field = fc.oneof(
        fc.anything(),
        fc.array(fc.anything()),
        fc.dictionary(fc.string(), fc.anything()),
      );
      const event = fc.record({
        stage: field,
        action: field,
        timestamp: field,
        meta: field,
        span_id: field,
      });
      const trace = fc.record(
        {
          trace_id: fc.string(),
          meta: field,
          entities: fc.oneof(
            field,
            fc.dictionary(
              fc.string(),
              fc.oneof(
                field,
                fc.record({
                  entity_id: field,
                  kind: field,
                  meta: field,
                  events: fc.oneof(field, fc.array(event)),
                }),
              ),
            ),
          ),
          events: fc.oneof(field, fc.array(event)),
          spans: fc.oneof(
            field,
            fc.array(
              fc.record({
                span_id: fc.oneof(field, fc.string()),
                parent_id: field,
                name: field,
                start_time: field,
                end_time: field,
                duration_ms: field,
                tags: field,
                status: field,
                open: field,
              }),
            ),
          ),
          outcomes: field,
          dropped_events: field,
          incomplete: field,
          // Issue 12's analyses: races, state accesses, a critical path of any shape.
          races: fc.oneof(
            field,
            fc.array(
              fc.oneof(
                field,
                fc.record({
                  kind: field,
                  variable: field,
                  accesses: fc.oneof(field, fc.array(field)),
                }),
              ),
            ),
          ),
          state: fc.oneof(
            field,
            fc.array(
              fc.record({
                variable: fc.oneof(field, fc.string()),
                access: fc.oneof(field, fc.constantFrom('read', 'write', 'delete')),
                value: field,
                old_value: field,
                trace_id: field,
                task_id: fc.oneof(field, fc.string()),
                timestamp: fc.oneof(field, fc.string()),
                seq: fc.oneof(field, fc.integer()),
                previous: field,
                locks: field,
                span_id: field,
                service: field,
              }),
            ),
          ),
          critical_path: fc.oneof(
            field,
            fc.record({ duration_ms: field, segments: fc.oneof(field, fc.array(field)) }),
          ),
        },
        { requiredKeys: ['trace_id'] },
      );
      fc.assert(
        fc.property(fc.array(trace, { maxLength: 3 }), (traces) => {
          const data = pageData(renderHtml(traces));
          expect(data.traces).toHaveLength(traces.length);
        }),
        { numRuns: 150 },
      );
    });

    it('skips an item whose reading throws, and counts it', () => {
      const throwing = new Proxy(
        {},
        {
          get() {
            throw new Error('boom');
          },
        },
      );
      const getter = {
        trace_id: 'g',
        get entities(): never {
          throw new Error('boom');
        },
      };
      const data = pageData(renderHtml([throwing, getter, ORDER_43]));
      expect(data.traces.map((t) => t.id)).toEqual([ORDER_43.trace_id]);
      expect(data.notes).toEqual(['2 item(s) skipped: reading them threw an error']);
    });

    it('shows what it can of a trace with malformed parts, and counts the rest', () => {
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = cyclic;
      const view = only(
        renderHtml({
          trace_id: 't',
          entities: {
            ok: {
              entity_id: 'ok',
              events: [
                { stage: 's', action: 'a', timestamp: '', meta: { deep: cyclic } },
                { stage: 's' }, // no action
                42,
              ],
            },
            junk: 'not an entity',
            noEvents: { entity_id: 'noEvents', events: 'none' },
          },
          spans: [{ name: 'no id' }, null, { span_id: 'x', name: 7, duration_ms: -1 }],
          dropped_events: 3,
          incomplete: 'ttl',
        }),
      );
      expect(view.entities.map((e) => [e.id, e.events.length])).toEqual([
        ['ok', 1],
        ['noEvents', 0],
      ]);
      expect(view.entities[0]?.events[0]?.meta[0]?.[1]).toMatch(/^\{"a":1,"self":\{"a":1,"self":/);
      expect(view.spans).toMatchObject([{ id: 'x', name: '7', duration: 0 }]);
      expect(view.notes).toEqual([
        'incomplete: sent before its root span ended (ttl)',
        '3 decision(s) dropped by maxEvents',
        '6 malformed part(s) ignored (an entity, decision or span not in the trace format, or a repeated span id)',
        '1 meta entr(y/ies) not shown (at most 128 per object, 6 levels deep)',
      ]);
    });

    it('cuts long texts and says how many', () => {
      const long = 'x'.repeat(5_000);
      const view = only(
        renderHtml({
          trace_id: 't',
          entities: {
            [long]: { entity_id: long, events: [{ stage: long, action: 'a', timestamp: '' }] },
          },
        }),
      );
      expect(view.entities[0]?.id).toHaveLength(PAGE_LIMITS.text + 1);
      expect(view.notes).toContain('2 long text(s) cut to 1,000 characters');
    });

    it('shows 10,000 entities', () => {
      const entities = Object.fromEntries(
        Array.from({ length: 10_000 }, (_, i) => [
          `e${i}`,
          { entity_id: `e${i}`, events: [{ stage: 's', action: 'a', timestamp: '' }] },
        ]),
      );
      const view = only(renderHtml({ trace_id: 't', entities }));
      expect(view.entities).toHaveLength(10_000);
      expect(view.decisions).toBe(10_000);
      expect(view.notes).toEqual([]);
    });

    it('shows the first 1,000 traces and says how many more there were', () => {
      const traces = Array.from({ length: 1_005 }, (_, i) => ({ trace_id: `t${i}` }));
      const data = pageData(renderHtml(traces));
      expect(data.traces).toHaveLength(1_000);
      expect(data.notes).toEqual([
        'Showing the first 1,000 traces: 5 more item(s) of the input are not shown',
      ]);
    });

    it('reads at most 100,000 items of a list', () => {
      const sparse: unknown[] = [];
      sparse.length = 2 ** 32 - 1;
      sparse[3] = ORDER_43;
      const data = pageData(renderHtml(sparse));
      expect(data.traces).toHaveLength(1);
      expect(data.notes).toEqual([
        '99,999 item(s) skipped: not a trace (an object with a string trace_id)',
        '4,294,867,295 item(s) of the input not read: a page reads at most 100,000',
      ]);
    });

    it('shows at most 100,000 decisions and says how many it left out', () => {
      const events = Array.from({ length: 60_000 }, () => ({
        stage: 's',
        action: 'a',
        timestamp: '',
      }));
      const trace = (id: string) => ({ trace_id: id, entities: { e: { entity_id: 'e', events } } });
      const [first, second] = pageData(renderHtml([trace('a'), trace('b')])).traces;
      expect(first?.decisions).toBe(60_000);
      expect(second?.decisions).toBe(40_000);
      expect(second?.notes).toEqual(['20,000 decision(s) not shown: a page shows at most 100,000']);
    });
  });

  describe('jaegerUrl', () => {
    it('links each trace to Jaeger, without the credentials of the URL', () => {
      const view = only(
        renderHtml(ORDER_43, { jaegerUrl: 'https://u:p@jaeger.example:16686/ui/' }),
      );
      expect(view.jaeger).toBe(
        jaegerTraceUrl('https://jaeger.example:16686/ui/', ORDER_43.trace_id),
      );
      expect(view.jaeger).toBe(`https://jaeger.example:16686/ui/trace/${ORDER_43.trace_id}`);
    });

    it('links no trace whose id is not a hex trace id, and none without the option', () => {
      expect(
        only(renderHtml({ trace_id: '../admin' }, { jaegerUrl: 'http://j' })).jaeger,
      ).toBeUndefined();
      expect(only(renderHtml(ORDER_43)).jaeger).toBeUndefined();
    });
  });

  describe('options', () => {
    it.each([
      [{ title: 5 }, 'stepmark-otel: title must be a string, got 5'],
      [
        { jaegerUrl: 'ftp://jaeger' },
        "stepmark-otel: jaegerUrl must be the http(s) URL of Jaeger's UI, e.g. 'http://localhost:16686', got 'ftp://jaeger'",
      ],
      [{ jaegerUrl: 'localhost:16686' }, /jaegerUrl must be the http\(s\) URL/],
      ['dark', "stepmark-otel: the options of renderHtml must be an object, got 'dark'"],
    ])('throws a TypeError naming a wrong option: %j', (options, message) => {
      expect(() => renderHtml([], options as never)).toThrow(TypeError);
      expect(() => renderHtml([], options as never)).toThrow(message);
    });

    it('throws a TypeError for options it cannot read', () => {
      const hostile = {
        get title(): never {
          throw new Error('boom');
        },
      };
      expect(() => renderHtml([], hostile)).toThrow(
        new TypeError('stepmark-otel: renderHtml: its options could not be read'),
      );
    });
  });
});
