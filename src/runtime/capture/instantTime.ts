/** Where a span's slice went: its track, and its times (µs) once fitted into its lane. */
export interface PlacedSlice {
  pid: number;
  tid: number;
  start: number;
  end: number;
}

/** Times (µs) covered by slices, `[start, end)`, merged where they touch, in order. */
export type Cover = ReadonlyArray<{ start: number; end: number }>;

/** The times covered by `slices` (a span's children on its track), merged and in order. */
export function coverOf(slices: readonly PlacedSlice[]): Cover {
  const sorted = slices.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const merged: Array<{ start: number; end: number }> = [];
  for (const { start, end } of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && start <= last.end) last.end = Math.max(last.end, end);
    else merged.push({ start, end });
  }
  return merged;
}

/** The interval of `cover` holding `ts`, by binary search. */
function holding(cover: Cover, ts: number): { start: number; end: number } | undefined {
  let low = 0;
  let high = cover.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const interval = cover[mid] as { start: number; end: number };
    if (ts < interval.start) high = mid - 1;
    else if (ts >= interval.end) low = mid + 1;
    else return interval;
  }
  return undefined;
}

/**
 * The time (µs) to give a decision or log recorded on the span placed as `own`, whose children
 * on the same track cover `cover`: its own time if that shows it on `own`, else the nearest
 * that does. A trace UI nests an instant by time alone, in the innermost slice with
 * `start <= ts < end`; and the JSON's times are cut to the millisecond (span durations are
 * exact), so an instant's own time can fall in the sibling before its span, past its fitted
 * end, or in one of its children. Moved just past the children it falls in (it was recorded
 * after them), else just before them; left in them where `own` has no free time.
 */
export function instantTime(at: number, own: PlacedSlice, cover: Cover = []): number {
  const last = Math.max(own.start, own.end - 1); // a slice covers [start, end)
  const clamped = Math.min(Math.max(at, own.start), last);
  const covered = holding(cover, clamped);
  if (covered === undefined) return clamped;
  // Merged intervals are maximal: their end and the time before their start are free.
  if (covered.end <= last) return covered.end;
  if (covered.start - 1 >= own.start) return covered.start - 1;
  return clamped;
}
