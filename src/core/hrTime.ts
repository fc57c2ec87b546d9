import type { HrTime } from '@opentelemetry/api';

/** Epoch milliseconds (fractional) as OTel's [seconds, nanoseconds]. */
export function toHrTime(ms: number): HrTime {
  let seconds = Math.floor(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  return [seconds, nanos];
}

/** OTel's [seconds, nanoseconds] as epoch milliseconds (fractional). */
export function hrTimeToMs(time: HrTime): number {
  return time[0] * 1000 + time[1] / 1e6;
}
