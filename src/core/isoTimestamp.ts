// Date#toISOString costs hundreds of nanoseconds and a trace formats one per event. Events of a
// request share their minute, so the 'YYYY-MM-DDTHH:MM:' prefix is formatted once and reused;
// the seconds and milliseconds come from tables; and events of one millisecond (most of a
// burst of decisions) reuse the last string whole.
let cachedMinute = Number.NaN;
let cachedPrefix = '';
let lastWhole = Number.NaN;
let lastIso = '';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const SECONDS: readonly string[] = Array.from({ length: 60 }, (_, s) => pad(s, 2));
const MILLIS: readonly string[] = Array.from({ length: 1000 }, (_, ms) => `.${pad(ms, 3)}Z`);

/**
 * The ISO 8601 form (millisecond precision, UTC) of epoch milliseconds, as `Date#toISOString`.
 * @example isoTimestamp(0) // '1970-01-01T00:00:00.000Z'
 */
export function isoTimestamp(ms: number): string {
  const whole = Math.floor(ms);
  if (whole === lastWhole) return lastIso;
  const minute = Math.floor(whole / 60_000);
  if (minute !== cachedMinute) {
    const iso = new Date(whole).toISOString();
    // Years outside 0000-9999 use a longer form (and NaN throws above): leave them to Date.
    if (iso.length !== 24) return iso;
    cachedMinute = minute;
    cachedPrefix = iso.slice(0, 17);
  }
  const inMinute = whole - minute * 60_000;
  const seconds = Math.floor(inMinute / 1000);
  lastIso = cachedPrefix + SECONDS[seconds] + MILLIS[inMinute - seconds * 1000];
  lastWhole = whole;
  return lastIso;
}
