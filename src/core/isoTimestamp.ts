// Date#toISOString costs hundreds of nanoseconds and a trace formats one per event; events of a
// request share their minute, so the 'YYYY-MM-DDTHH:MM:' prefix is formatted once and reused.
let cachedMinute = Number.NaN;
let cachedPrefix = '';

/**
 * The ISO 8601 form (millisecond precision, UTC) of epoch milliseconds, as `Date#toISOString`.
 * @example isoTimestamp(0) // '1970-01-01T00:00:00.000Z'
 */
export function isoTimestamp(ms: number): string {
  const whole = Math.floor(ms);
  const minute = Math.floor(whole / 60_000);
  if (minute !== cachedMinute) {
    const iso = new Date(whole).toISOString();
    // Years outside 0000-9999 use a longer form; leave them to the Date implementation.
    if (iso.length !== 24) return iso;
    cachedMinute = minute;
    cachedPrefix = iso.slice(0, 17);
  }
  const inMinute = whole - minute * 60_000;
  const seconds = Math.floor(inMinute / 1000);
  const millis = inMinute - seconds * 1000;
  return `${cachedPrefix}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}
