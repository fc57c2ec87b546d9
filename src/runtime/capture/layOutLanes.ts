/** A slice to place on a track: times in microseconds; `parentId` names the slice it belongs in. */
export interface LaneSlice {
  id: string | undefined;
  parentId: string | undefined;
  start: number;
  end: number;
}

/** Where a slice goes: its lane (0 first), and its times once fitted into its lane. */
export interface LanePlacement {
  lane: number;
  start: number;
  end: number;
}

/**
 * What time rounding can account for: span start times are ISO 8601, cut to the millisecond,
 * while durations are exact, so a child can pass its parent's end, and a span overlap the sibling
 * that ended just before it, by less than 1 ms.
 */
const ROUNDING_US = 1_000;

/** A slice placed on a lane and still open there, with its fitted times. */
interface Open {
  slice: LaneSlice;
  start: number;
  end: number;
}

/** Parent links followed at most: a trace read from a file may hold a cycle. */
const MAX_DEPTH = 1_000;

/**
 * Lays slices out on as few lanes (thread tracks) as keep each lane properly nested, which
 * Perfetto and `chrome://tracing` require of `X` slices on one track: a slice goes on a lane
 * where it fits inside the innermost open slice, only if that one is its ancestor (so a lane reads
 * as a call stack), preferring its parent's lane; concurrent siblings (a `Promise.all`, a task
 * outliving its request) open further lanes. What time rounding explains is fitted, not given a
 * lane: a child passing its parent's end by less than 1 ms is cut to it, a span overlapping the
 * sibling before it by less than 1 ms starts when that one ends, and no slice starts before the
 * ancestor it nests in (which such a move may have made later). Returns a placement per slice,
 * in the order given.
 */
export function layOutLanes(slices: readonly LaneSlice[]): LanePlacement[] {
  const byId = new Map<string, LaneSlice>();
  for (const slice of slices) if (slice.id !== undefined) byId.set(slice.id, slice);
  const depthOf = (slice: LaneSlice): number => {
    let depth = 0;
    let parent = slice.parentId === undefined ? undefined : byId.get(slice.parentId);
    while (parent !== undefined && depth < MAX_DEPTH) {
      depth++;
      parent = parent.parentId === undefined ? undefined : byId.get(parent.parentId);
    }
    return depth;
  };
  const isAncestor = (candidate: LaneSlice, slice: LaneSlice): boolean => {
    let parent = slice.parentId === undefined ? undefined : byId.get(slice.parentId);
    for (let depth = 0; parent !== undefined && depth < MAX_DEPTH; depth++) {
      if (parent === candidate) return true;
      parent = parent.parentId === undefined ? undefined : byId.get(parent.parentId);
    }
    return false;
  };
  // Outer slices first: by start, then ancestors before their descendants (a child may pass
  // its parent by a rounding), then the longer first.
  const order = slices.map((slice, index) => ({ slice, index, depth: depthOf(slice) }));
  order.sort(
    (a, b) =>
      a.slice.start - b.slice.start ||
      a.depth - b.depth ||
      b.slice.end - b.slice.start - (a.slice.end - a.slice.start),
  );
  const lanes: Array<Array<Open>> = [];
  const laneOf = new Map<LaneSlice, number>();
  const placements: LanePlacement[] = new Array<LanePlacement>(slices.length);
  for (const { slice, index } of order) {
    const parent = slice.parentId === undefined ? undefined : byId.get(slice.parentId);
    const preferred = parent === undefined ? undefined : laneOf.get(parent);
    let placed: LanePlacement | undefined;
    const tryLane = (lane: number): boolean => {
      const stack = lanes[lane] as Open[];
      // Slices ended by this start are done: later slices start later still (sorted).
      while (stack.length > 0 && (stack[stack.length - 1] as { end: number }).end <= slice.start)
        stack.pop();
      let start = slice.start;
      let top = stack[stack.length - 1];
      // A sibling overlapping it by less than the rounding ran before it: start it after.
      const pops: Open[] = [];
      while (top !== undefined && !isAncestor(top.slice, slice) && top.end - start < ROUNDING_US) {
        pops.push(stack.pop() as Open);
        start = Math.max(start, top.end);
        top = stack[stack.length - 1];
      }
      // Not before the ancestor it nests in, which may itself have been moved later.
      if (top !== undefined && isAncestor(top.slice, slice)) start = Math.max(start, top.start);
      let end = start + (slice.end - slice.start);
      if (top !== undefined) {
        if (!isAncestor(top.slice, slice) || end > top.end + ROUNDING_US) {
          for (let i = pops.length - 1; i >= 0; i--) stack.push(pops[i] as (typeof pops)[number]);
          return false;
        }
        end = Math.min(end, top.end);
        start = Math.min(start, end);
      }
      stack.push({ slice, start, end });
      placed = { lane, start, end };
      return true;
    };
    if (preferred === undefined || !tryLane(preferred)) {
      for (let lane = 0; lane < lanes.length && placed === undefined; lane++) {
        if (lane !== preferred) tryLane(lane);
      }
    }
    if (placed === undefined) {
      lanes.push([]);
      tryLane(lanes.length - 1);
    }
    const result = placed as LanePlacement | undefined;
    placements[index] = result ?? { lane: 0, start: slice.start, end: slice.end };
    if (result !== undefined) laneOf.set(slice, result.lane);
  }
  return placements;
}
