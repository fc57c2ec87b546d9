/**
 * A duration for people: `0.244 ms`, `12.3 ms`, `1.25 s`. The client script has its own copy
 * (it cannot import), kept to the same rule.
 * @example formatMs(1876.4) // '1.88 s'
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 1000) return `${Number(ms.toFixed(1))} ms`;
  return `${Number((ms / 1000).toFixed(2))} s`;
}
