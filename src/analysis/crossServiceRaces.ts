import { compareText } from '../core/compareText.js';
import type { Race, StateAccess, Trace } from '../types.js';
import { CallOrder } from './CallOrder.js';
import { isWrite, stateOf } from './traceState.js';

/** What identifies one side of a race when reports are deduplicated. */
function placeOf(access: StateAccess): string {
  return JSON.stringify([
    access.service ?? '',
    access.span_id ?? '',
    access.task_id,
    access.location ?? '',
    access.access === 'read' ? 'read' : 'write',
  ]);
}

function byTime(a: StateAccess, b: StateAccess): number {
  return (
    compareText(a.timestamp, b.timestamp) ||
    compareText(a.service ?? '', b.service ?? '') ||
    a.seq - b.seq
  );
}

/**
 * Races between services of one distributed trace (rebuilt from Jaeger): accesses of one
 * variable, at least one a write, made in different services that the call edges do not order
 * (`CallOrder`): typically two branches of a fan-out whose client spans overlap in time. Each
 * race is `write_write` or `read_write`, its two accesses in time order; a pair repeated at the
 * same places (service, span, task, location, kind) is reported once. Accesses within one
 * service are left to the races its own `RaceDetector` found (`trace.races`); accesses without
 * a `service` or a span in the trace are not judged. Does not change `trace`.
 * @example crossServiceRaces(rebuildTraces(await client.getTrace(id))[0])
 */
export function crossServiceRaces(trace: Pick<Trace, 'spans' | 'state'>): Race[] {
  const byVariable = new Map<string, StateAccess[]>();
  const services = new Set<string>();
  for (const access of stateOf(trace)) {
    if (access.service === undefined || access.span_id === undefined) continue;
    services.add(access.service);
    const list = byVariable.get(access.variable);
    if (list === undefined) byVariable.set(access.variable, [access]);
    else list.push(access);
  }
  if (services.size < 2) return [];
  const order = new CallOrder(trace);
  const races: Race[] = [];
  const seen = new Set<string>();
  for (const [variable, accesses] of byVariable) {
    for (let i = 0; i < accesses.length; i++) {
      const a = accesses[i] as StateAccess;
      for (let j = i + 1; j < accesses.length; j++) {
        const b = accesses[j] as StateAccess;
        if (a.service === b.service || (!isWrite(a) && !isWrite(b))) continue;
        const [first, second] = byTime(a, b) <= 0 ? [a, b] : [b, a];
        const kind = isWrite(a) && isWrite(b) ? 'write_write' : 'read_write';
        const places = [placeOf(first), placeOf(second)].sort(compareText);
        const key = JSON.stringify([variable, kind, ...places]);
        if (seen.has(key)) continue;
        if (order.order(a, b) !== 'concurrent') continue;
        seen.add(key);
        races.push({ kind, variable, accesses: [{ ...first }, { ...second }] });
      }
    }
  }
  return races;
}
