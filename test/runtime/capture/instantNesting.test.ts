// Decisions land in their own span's slice in the Chrome trace, as a trace UI nests them (by
// time alone: the innermost slice of the track with start <= ts < end), although the JSON cuts
// every start and decision time to the millisecond. Generated requests: a span S, then right
// after it a span P with children; one decision in S and one in P between its children (never
// inside one), at any fraction of a millisecond.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../../src/index.js';
import { coverOf, instantTime } from '../../../src/runtime/capture/instantTime.js';
import { toChromeTrace, type ChromeTraceEvent } from '../../../src/runtime/index.js';
import { chromeTraceProblems } from '../../support/chromeTraceFormat.js';
import { FUZZ_SEED } from '../../fuzz/support/fuzzConfig.js';

const T0 = Date.parse('2025-01-01T12:00:00.000Z');
/** An ISO time cut to the millisecond, as the JSON's are, from µs after T0. */
const iso = (us: number): string => new Date(T0 + Math.floor(us / 1000)).toISOString();

function span(id: string, parent: string | undefined, name: string, start: number, end: number) {
  return {
    span_id: id,
    ...(parent === undefined ? {} : { parent_id: parent }),
    name,
    start_time: iso(start),
    end_time: iso(end),
    duration_ms: (end - start) / 1000, // exact, as the JSON's
  };
}

const request = fc.record({
  sStart: fc.integer({ min: 1_000, max: 2_999 }), // µs: any fraction of a millisecond
  sLength: fc.integer({ min: 1, max: 30_000 }),
  gapAfterS: fc.integer({ min: 0, max: 2_000 }),
  children: fc.array(
    fc.record({
      gap: fc.integer({ min: 1, max: 3_000 }),
      length: fc.integer({ min: 1, max: 20_000 }),
    }),
    { maxLength: 4 },
  ),
  trailing: fc.integer({ min: 1, max: 3_000 }),
  gapIndex: fc.nat(),
  inGap: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  inS: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
});

/** The innermost X slice of `tid` that holds `ts` (start <= ts < end), as a trace UI nests it. */
function nestedIn(events: readonly ChromeTraceEvent[], tid: number, ts: number): string {
  let best: ChromeTraceEvent | undefined;
  for (const e of events) {
    if (e.ph !== 'X' || e.tid !== tid || e.ts > ts || ts >= e.ts + (e.dur ?? 0)) continue;
    if (
      best === undefined ||
      e.ts > best.ts ||
      (e.ts === best.ts && (e.dur ?? 0) < (best.dur ?? 0))
    )
      best = e;
  }
  return best?.name ?? '(none)';
}

/** Whether the slices of `children` leave a microsecond of `parent` free. */
function hasFreeTime(parent: ChromeTraceEvent, children: readonly ChromeTraceEvent[]): boolean {
  let at = parent.ts;
  const end = parent.ts + (parent.dur ?? 0);
  for (const child of [...children].sort((a, b) => a.ts - b.ts)) {
    if (child.ts > at) return true;
    at = Math.max(at, child.ts + (child.dur ?? 0));
  }
  return at < end;
}

describe('toChromeTrace: where decisions nest', () => {
  it('shows each decision on its own span, whenever its slice has a free microsecond', () => {
    let checked = 0;
    let runs = 0;
    fc.assert(
      fc.property(request, (r) => {
        runs++;
        const sEnd = r.sStart + r.sLength;
        const pStart = sEnd + r.gapAfterS;
        const children: Array<{ start: number; end: number }> = [];
        let at = pStart;
        for (const c of r.children) {
          children.push({ start: at + c.gap, end: at + c.gap + c.length });
          at += c.gap + c.length;
        }
        const pEnd = at + r.trailing;
        // The decision in P: inside one of the gaps around its children (each at least 1 µs).
        const gap = r.gapIndex % (children.length + 1);
        const gapStart = gap === 0 ? pStart : (children[gap - 1]?.end as number);
        const gapEnd = gap === children.length ? pEnd : (children[gap]?.start as number);
        const inP = gapStart + Math.floor(r.inGap * (gapEnd - gapStart));
        const inS = r.sStart + Math.floor(r.inS * r.sLength);
        const trace = {
          trace_id: 'a'.repeat(32),
          spans: [
            span('r', undefined, 'root', 0, pEnd + 1_000),
            span('s', 'r', 'S', r.sStart, sEnd),
            span('p', 'r', 'P', pStart, pEnd),
            ...children.map((c, i) => span(`c${i}`, 'p', `child ${i}`, c.start, c.end)),
          ],
          events: [
            { stage: 'in', action: 'S', timestamp: iso(inS), span_id: 's' },
            { stage: 'in', action: 'P', timestamp: iso(inP), span_id: 'p' },
          ],
        } as unknown as Trace;
        const doc = toChromeTrace([trace]);
        expect(chromeTraceProblems(doc)).toEqual([]);
        const slices = doc.traceEvents.filter((e) => e.ph === 'X');
        const p = slices.find((e) => e.name === 'P') as ChromeTraceEvent;
        const s = slices.find((e) => e.name === 'S') as ChromeTraceEvent;
        const pChildren = slices.filter((e) => e.name.startsWith('child') && e.tid === p.tid);
        for (const [name, owner, own] of [
          ['in: S', s, []],
          ['in: P', p, pChildren],
        ] as const) {
          const decision = doc.traceEvents.find((e) => e.name === name) as ChromeTraceEvent;
          expect(decision.tid).toBe(owner.tid);
          if (!hasFreeTime(owner, own)) continue;
          checked++;
          expect(nestedIn(doc.traceEvents, decision.tid, decision.ts), name).toBe(owner.name);
        }
      }),
      { seed: FUZZ_SEED, numRuns: 500 },
    );
    // Not vacuous: almost every generated span has time free of its children.
    expect(checked).toBeGreaterThan(runs * 2 * 0.9);
  });

  it("moves an instant out of its span's children, past them first, in one step", () => {
    const own = { pid: 1, tid: 1, start: 100, end: 200 };
    const at = (start: number, end: number) => ({ pid: 1, tid: 1, start, end });
    // Three children back to back, 120-150: one covered run.
    const cover = coverOf([at(130, 140), at(120, 130), at(140, 150)]);
    expect(cover).toEqual([{ start: 120, end: 150 }]);
    expect(instantTime(110, own, cover)).toBe(110); // free: as it is
    expect(instantTime(50, own, cover)).toBe(100); // before its span: its start
    expect(instantTime(200, own, cover)).toBe(199); // at its end, outside [start, end): just before
    expect(instantTime(125, own, cover)).toBe(150); // in the children: just after them
    // Children running to the span's end: just before them.
    expect(instantTime(185, own, coverOf([at(180, 200)]))).toBe(179);
    // No free time at all: left where it was clamped.
    expect(instantTime(150, own, coverOf([at(100, 200)]))).toBe(150);
    // Zero-length children cover nothing.
    expect(coverOf([at(150, 150)])).toEqual([]);
  });
});
