/**
 * Merges lists that are each in order (one process's records, by `seq`) into one, taking at each
 * step the head that `before` puts first (across processes, by time); on a tie the earlier list
 * wins, so equal times keep the input's order.
 * @example mergeInOrder([[a1, a2], [b1]], (x, y) => x.time < y.time)
 */
export function mergeInOrder<T>(lists: readonly T[][], before: (a: T, b: T) => boolean): T[] {
  const merged: T[] = [];
  const heads = lists.map(() => 0);
  for (;;) {
    let pick = -1;
    let best: T | undefined;
    for (let i = 0; i < lists.length; i++) {
      const candidate = lists[i]?.[heads[i] ?? 0];
      if (candidate === undefined) continue;
      if (best === undefined || before(candidate, best)) {
        pick = i;
        best = candidate;
      }
    }
    if (best === undefined) return merged;
    merged.push(best);
    heads[pick] = (heads[pick] ?? 0) + 1;
  }
}
