// Issue 12, item 5: the per-trace analyses in the viewer. preparePage puts a trace's races, its
// state accesses per variable (the audit trail) and its critical path in the page's data, capped
// and escaped like the rest; the page's script (run here on a fake DOM, in the browser by
// test/browser/viewer.browser.test.ts) names each race in the red banner, lists races and state
// accesses, and finds them by search.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { criticalPath } from '../../src/analysis/criticalPath.js';
import type { Race, StateAccess, Trace } from '../../src/types.js';
import { PAGE_LIMITS, renderHtml } from '../../src/viewer/index.js';
import type { TraceView } from '../../src/viewer/PageData.js';
import { ORDER_43 } from './checkoutTraces.js';
import { runClient, type FakeElement } from './fakeDom.js';
import { LOST_UPDATE, TRANSFER_A, TRANSFER_B } from './raceTraces.js';
import { dataBlock, pageData } from './readPage.js';

function only(html: string): TraceView {
  const { traces } = pageData(html);
  expect(traces).toHaveLength(1);
  return traces[0] as TraceView;
}

/** The text of each element, as a list (rows of a virtual list, items of the banner). */
const texts = (elements: FakeElement[]): string[] => elements.map((e) => e.textContent ?? '');

const access = (seq: number, over: Partial<StateAccess> = {}): StateAccess => ({
  variable: 'v',
  access: 'write',
  value: seq,
  trace_id: 't',
  task_id: 'task',
  timestamp: '2026-03-01T09:00:00.000Z',
  seq,
  ...over,
});

describe('the analyses in the page data', () => {
  it('carries each race: kind, variable, and every access with task, trace, values, location', () => {
    const view = only(renderHtml(LOST_UPDATE));
    expect(view.races).toEqual([
      {
        kind: 'lost_update',
        label: 'lost update',
        variable: 'accounts.alice.balance',
        accesses: [
          expect.objectContaining({
            access: 'read',
            value: '100',
            task: 't2:request',
            trace: TRANSFER_B,
            location: '/srv/bank.ts:81:5',
            seq: 41,
            span: 1,
          }),
          expect.objectContaining({
            access: 'write',
            value: '70',
            old: '100',
            task: 't1:request',
            trace: TRANSFER_A,
            location: '/srv/bank.ts:88:5',
            seq: 44,
          }),
          expect.objectContaining({ access: 'write', value: '50', old: '100', seq: 47, span: 3 }),
        ],
      },
    ]);
    // The other transfer's span id names no span of this trace.
    expect(view.races?.[0]?.accesses[1]?.span).toBeUndefined();
  });

  it('carries the state accesses per variable, in order, with the causal link and the race', () => {
    const view = only(renderHtml(LOST_UPDATE));
    expect(view.accesses).toBe(3);
    expect(view.state?.map((v) => [v.variable, v.races, v.accesses.map((a) => a.seq)])).toEqual([
      ['accounts.alice.balance', 1, [41, 47]],
      ['audit.log', undefined, [42]],
    ]);
    const [read, write] = view.state?.[0]?.accesses ?? [];
    expect(read).toMatchObject({ access: 'read', value: '100', task: 't2:request', race: true });
    expect(read?.previous).toBeUndefined();
    // Recorded by the detector: A's write came in between, not ordered before it.
    expect(write).toMatchObject({ previous: { seq: 44, before: false }, race: true });
    expect(view.state?.[1]?.accesses[0]).toMatchObject({
      value: '["transfer",30]',
      locks: 'audit-lock',
    });
    expect(view.state?.[1]?.accesses[0]?.race).toBeUndefined();
  });

  it('fills the causal link the audit trail knows: the same task is program order', () => {
    const view = only(
      renderHtml({ trace_id: 't', state: [access(2, { access: 'read' }), access(1), access(3)] }),
    );
    expect(view.state?.[0]?.accesses.map((a) => [a.seq, a.previous])).toEqual([
      [1, undefined],
      [2, { seq: 1, before: true }],
      [3, { seq: 2, before: true }],
    ]);
  });

  it('computes the critical path at page preparation when the trace has none, and marks its spans', () => {
    const view = only(renderHtml(LOST_UPDATE));
    expect(view.critical).toEqual({
      duration: 30,
      computed: true,
      segments: [
        { name: 'POST /transfer', start: 0, self: 4, span: 0 },
        { name: 'read balance', start: 0, self: 2, span: 1 },
        { name: 'fraud api', start: 2, self: 20, span: 2 },
        { name: 'write balance', start: 22, self: 4, span: 3 },
      ],
    });
    expect(view.critical?.segments.reduce((n, s) => n + s.self, 0)).toBe(30);
    expect(view.spans.map((s) => [s.name, s.critical])).toEqual([
      ['POST /transfer', 4],
      ['read balance', 2],
      ['fraud api', 20],
      ['write balance', 4],
    ]);
  });

  it("uses the trace's own critical_path when it has one", () => {
    const given = criticalPath(LOST_UPDATE);
    expect(given).toBeDefined();
    const path = {
      duration_ms: 30,
      segments: [{ span_id: 'b000000000000003', name: 'fraud api', start_ms: 2, self_ms: 30 }],
    };
    const view = only(renderHtml({ ...LOST_UPDATE, critical_path: path }));
    expect(view.critical).toEqual({
      duration: 30,
      segments: [{ name: 'fraud api', start: 2, self: 30, span: 2 }],
    });
    expect(view.spans.filter((s) => s.critical !== undefined).map((s) => s.name)).toEqual([
      'fraud api',
    ]);
  });

  it('adds nothing to a trace without races, state or spans with times', () => {
    const view = only(renderHtml({ trace_id: 't', spans: [{ span_id: 's', name: 'x' }] }));
    expect(view.races).toBeUndefined();
    expect(view.state).toBeUndefined();
    expect(view.critical).toBeUndefined();
    expect(view.notes).toEqual([]);
  });

  it('keeps values with </script> and control characters inert: data that reads back exactly', () => {
    const hostile = '</script><script>alert(1)</script>\u0000\u0007\u001b[31m\u2028<!--';
    const race: Race = {
      kind: 'write_write',
      variable: hostile,
      accesses: [
        access(1, { variable: hostile, value: hostile, task_id: hostile, location: hostile }),
        access(2, { variable: hostile, old_value: { [hostile]: [hostile] }, trace_id: hostile }),
      ],
    };
    const html = renderHtml({ trace_id: 't', races: [race], state: race.accesses });
    expect(html.match(/<script/gi)).toHaveLength(2);
    expect(html.match(/<\/script/gi)).toHaveLength(2);
    for (const control of ['\u0000', '\u0007', '\u001b']) expect(html).not.toContain(control);
    const view = only(html);
    const [first, second] = view.races?.[0]?.accesses ?? [];
    expect(view.races?.[0]?.variable).toBe(hostile);
    expect(first).toMatchObject({
      value: JSON.stringify(hostile),
      task: hostile,
      location: hostile,
    });
    expect(second).toMatchObject({ old: JSON.stringify({ [hostile]: [hostile] }), trace: hostile });
    expect(view.state?.[0]?.variable).toBe(hostile);

    // The page's script puts them on the page as text: no element comes of them.
    const page = runClient(dataBlock(html));
    const main = page.byId('trace');
    expect(main.all('failing')[0]?.textContent).toContain(`race: write/write on ${hostile}`);
    expect(texts(main.all('row', 'acc')).join('\n')).toContain(hostile);
    expect(main.tags('SCRIPT')).toEqual([]);
  });

  it('says what it left out of malformed races, state and critical paths', () => {
    const view = only(
      renderHtml({
        trace_id: 't',
        races: [null, { kind: 'lost_update' }, { kind: 'x', variable: 'v', accesses: [] }],
        state: ['junk', access(1, { access: 'poke' as never }), access(2)],
        critical_path: 5,
        dropped_state: 7,
      }),
    );
    expect(view.races).toBeUndefined();
    expect(view.state?.[0]?.accesses.map((a) => a.seq)).toEqual([2]);
    expect(view.notes).toEqual([
      '7 state access(es) not kept (maxStateAccesses)',
      '6 malformed race(s), state access(es) or critical path part(s) ignored',
    ]);
  });

  it('caps races, their accesses, state accesses and path segments over the page, and says so', () => {
    const races: Race[] = Array.from({ length: PAGE_LIMITS.races + 2 }, (_, i) => ({
      kind: 'write_write',
      variable: `v${i}`,
      accesses: [access(i), access(i + 1)],
    }));
    (races[0] as Race).accesses = Array.from({ length: 10 }, (_, i) => access(i));
    const state = Array.from({ length: 60_000 }, (_, i) => access(i, { variable: `v${i % 50}` }));
    const segments = Array.from({ length: PAGE_LIMITS.pathSegments + 3 }, (_, i) => ({
      span_id: `s${i}`,
      name: 'x',
      start_ms: i,
      self_ms: 1,
    }));
    const trace = (id: string): Trace => ({
      trace_id: id,
      races,
      state,
      critical_path: { duration_ms: segments.length, segments },
    });
    const [first, second] = pageData(renderHtml([trace('a'), trace('b')])).traces;
    expect(first?.races).toHaveLength(PAGE_LIMITS.races);
    expect(first?.races?.[0]?.accesses).toHaveLength(PAGE_LIMITS.raceAccesses);
    expect(first?.accesses).toBe(60_000);
    expect(first?.critical?.segments).toHaveLength(PAGE_LIMITS.pathSegments);
    expect(first?.notes).toEqual([
      '2 race(s) not shown: a page shows at most 10,000',
      '2 access(es) of races not shown: at most 8 per race',
      '3 critical path segment(s) not shown: a page shows at most 20,000',
    ]);
    expect(second?.races).toBeUndefined();
    expect(second?.accesses).toBe(40_000);
    expect(second?.critical?.segments).toEqual([]);
    expect(second?.notes).toEqual([
      '10,002 race(s) not shown: a page shows at most 10,000',
      '20,000 state access(es) not shown: a page shows at most 100,000',
      '20,003 critical path segment(s) not shown: a page shows at most 20,000',
    ]);
  });
});

describe('the analyses on the page (its script on a fake DOM)', () => {
  it('renders, and searches, whatever shape the races, state and critical path had', () => {
    const field = fc.oneof(fc.anything(), fc.array(fc.anything()));
    const accessOf = fc.record({
      variable: fc.oneof(field, fc.string()),
      access: fc.oneof(field, fc.constantFrom('read', 'write', 'delete')),
      value: field,
      old_value: field,
      trace_id: fc.oneof(field, fc.constant('t')),
      task_id: fc.oneof(field, fc.string()),
      timestamp: fc.oneof(field, fc.string()),
      seq: fc.oneof(field, fc.integer()),
      previous: fc.oneof(field, fc.record({ seq: fc.integer(), happens_before: fc.boolean() })),
      locks: field,
      span_id: fc.oneof(field, fc.constant('b000000000000002')),
    });
    const trace = fc.record({
      races: fc.oneof(
        field,
        fc.array(
          fc.record({
            kind: fc.oneof(field, fc.constantFrom('lost_update', 'write_write', 'odd')),
            variable: fc.oneof(field, fc.string()),
            accesses: fc.oneof(field, fc.array(accessOf, { maxLength: 4 })),
          }),
          { maxLength: 4 },
        ),
      ),
      state: fc.oneof(field, fc.array(accessOf, { maxLength: 6 })),
      critical_path: fc.oneof(
        field,
        fc.record({
          duration_ms: fc.oneof(field, fc.double()),
          segments: fc.oneof(
            field,
            fc.array(
              fc.record({
                span_id: fc.oneof(field, fc.constant('b000000000000003')),
                name: field,
                start_ms: fc.oneof(field, fc.double()),
                self_ms: fc.oneof(field, fc.double()),
                open: field,
              }),
              { maxLength: 4 },
            ),
          ),
        }),
      ),
    });
    fc.assert(
      fc.property(trace, fc.string({ maxLength: 3 }), (analyses, query) => {
        const page = runClient(
          dataBlock(renderHtml({ ...LOST_UPDATE, trace_id: 't', ...analyses })),
        );
        page.search(query);
        for (const row of page.byId('trace').all('row')) row.fire('click');
        expect(page.byId('count').textContent).not.toBe('');
      }),
      { numRuns: 150 },
    );
  });

  it('names the race in the red banner, before the failing entities, and in the trace list', () => {
    const traces = [LOST_UPDATE, { ...ORDER_43, races: LOST_UPDATE.races }];
    const page = runClient(dataBlock(renderHtml(traces)));
    const main = page.byId('trace');
    const [banner] = main.all('failing');
    expect(banner?.textContent).toBe(
      '1 race foundrace: lost update on accounts.alice.balance (tasks t2:request, t1:request)',
    );
    expect(page.byId('count').textContent).toBe('2 traces · 3 decisions · 2 races');
    expect(texts(page.byId('traces').all('tfail'))).toEqual([
      '✗ race: lost update on accounts.alice.balance',
      '✗ race: lost update on accounts.alice.balance (+1)',
    ]);
    // The second trace: the race first, then order_43's rejection.
    page.byId('traces').all('trow')[1]?.fire('click');
    expect(texts(main.all('failing')[0]?.tags('LI') ?? [])).toEqual([
      'race: lost update on accounts.alice.balance (tasks t2:request, t1:request)',
      'order order_43 ended at fraud_check: blocked',
    ]);
  });

  it('lists the race with its accesses, the state per variable, and the critical path', () => {
    const page = runClient(dataBlock(renderHtml(LOST_UPDATE)));
    const main = page.byId('trace');
    expect(texts(main.tags('H3'))).toEqual([
      'Races',
      'Decisions',
      'State',
      'Critical path',
      'Spans',
      'Where the time went',
    ]);
    const races = main.all('races-list')[0] as FakeElement;
    expect(texts(races.all('row'))).toEqual([
      '✗ lost updateaccounts.alice.balance3 accessestasks t2:request, t1:request',
      '#41read100t2:request/srv/bank.ts:81:5on read balance',
      `#44write100 → 70t1:requesttrace ${TRANSFER_A.slice(0, 12)}/srv/bank.ts:88:5`,
      '#47write100 → 50t2:request∥ concurrent with #44/srv/bank.ts:88:5on write balance',
    ]);
    const state = main.all('state')[0] as FakeElement;
    expect(texts(state.all('row'))).toEqual([
      'accounts.alice.balance2 accesses✗ 1 race',
      '#41✗ read100t2:request/srv/bank.ts:81:5on read balance',
      '#47✗ write100 → 50t2:request∥ concurrent with #44/srv/bank.ts:88:5on write balance',
      'audit.log1 access',
      '#42write["transfer",30]t2:request',
    ]);
    // A click shows everything of the access, as text.
    state.all('row', 'acc')[2]?.fire('click');
    expect(main.all('detail').find((d) => !d.hidden)?.textContent).toBe(
      'audit.log\nwrite #42 at 09:00:00.002\ntask t2:request\ntrace 4bf90000000000000000000000000000\nvalue ["transfer",30]\nholding audit-lock',
    );
    const path = main.all('path')[0] as FakeElement;
    expect(texts(path.all('row', 'seg'))).toEqual([
      'POST /transfer4 ms13%',
      'read balance2 ms7%',
      'fraud api20 ms67%',
      'write balance4 ms13%',
    ]);
    expect(main.all('row', 'span', 'crit')).toHaveLength(4);
  });

  it('finds races and state accesses by search', () => {
    const page = runClient(dataBlock(renderHtml([LOST_UPDATE, ORDER_43])));
    page.search('alice');
    expect(page.byId('count').textContent).toBe('1 race, 2 state accesses match in 1 of 2 traces');
    expect(page.byId('traces').all('trow')).toHaveLength(1);
    const main = page.byId('trace');
    expect(texts(main.all('state')[0]?.all('row', 'vhead') ?? [])).toEqual([
      'accounts.alice.balance2 accesses✗ 1 race',
    ]);
    // A task, a location, a value.
    page.search('t1:request');
    expect(page.byId('count').textContent).toBe('1 race match in 1 of 2 traces');
    page.search('bank.ts:81');
    expect(page.byId('count').textContent).toBe('1 race, 1 state access match in 1 of 2 traces');
    expect(texts(main.all('state')[0]?.all('row', 'acc') ?? [])).toEqual([
      '#41✗ read100t2:request/srv/bank.ts:81:5on read balance',
    ]);
    page.search('audit-lock');
    expect(page.byId('count').textContent).toBe('1 state access match in 1 of 2 traces');
    expect(main.all('races-list')[0]?.all('hint')).toEqual([]);
    expect(texts(main.all('hint'))[0]).toBe('No race of this trace matches the search.');
    // The decisions search is as it was.
    page.search('fraud_check');
    expect(page.byId('count').textContent).toBe('1 decision of 1 entity match in 1 of 2 traces');
  });
});
