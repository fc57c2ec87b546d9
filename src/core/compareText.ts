/**
 * Orders strings by code unit, as `sort` needs: ISO 8601 timestamps of one format sort in time
 * order this way.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
