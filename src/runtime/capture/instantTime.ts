/** Where a span's slice went: its track, and its times (µs) once fitted into its lane. */
export interface PlacedSlice {
  pid: number;
  tid: number;
  start: number;
  end: number;
}

/**
 * The time (µs) to give a decision or log recorded on the span placed as `own`, whose children
 * on the same track are `children`: its own time if that shows it on `own`, else the nearest
 * that does. A trace UI nests an instant by time alone, in the innermost slice with
 * `start <= ts < end`; and the JSON's times are cut to the millisecond (span durations are
 * exact), so an instant's own time can fall in the sibling before its span, past its fitted
 * end, or in one of its children. Moved forward past a child first (the instant was recorded
 * after it), else back before it; left as it is where no time inside `own` is free.
 */
export function instantTime(
  at: number,
  own: PlacedSlice,
  children: readonly PlacedSlice[] = [],
): number {
  const last = Math.max(own.start, own.end - 1); // a slice covers [start, end)
  const clamped = Math.min(Math.max(at, own.start), last);
  const inChild = (ts: number): PlacedSlice | undefined =>
    children.find((child) => child.start <= ts && ts < child.end);
  let ts = clamped;
  for (let child = inChild(ts); child !== undefined; child = inChild(ts)) {
    if (child.end > last) break;
    ts = child.end;
  }
  if (inChild(ts) === undefined) return ts;
  ts = clamped;
  for (let child = inChild(ts); child !== undefined; child = inChild(ts)) {
    if (child.start - 1 < own.start) return clamped;
    ts = child.start - 1;
  }
  return ts;
}
