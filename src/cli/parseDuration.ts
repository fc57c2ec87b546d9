const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds of a duration like `90s`, `30m`, `1h`, `2d` (or a combination, `1h30m`);
 * undefined when it is not one.
 * @example parseDuration('1h30m') // 5_400_000
 */
export function parseDuration(text: string): number | undefined {
  const parts = /^(?:\d+[smhd])+$/.test(text) ? text.match(/\d+[smhd]/g) : null;
  if (parts === null) return undefined;
  return parts.reduce(
    (sum, part) => sum + Number(part.slice(0, -1)) * (UNITS[part.slice(-1)] ?? 0),
    0,
  );
}
