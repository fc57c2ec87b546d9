import { compareText } from '../core/compareText.js';
import { mergeInOrder } from '../core/mergeInOrder.js';
import type { StateAccess, Trace } from '../types.js';
import { CallOrder } from './CallOrder.js';
import { stateOf } from './traceState.js';

/** Every access of one variable in a trace, in order. */
export interface VariableAudit {
  variable: string;
  accesses: StateAccess[];
}

/**
 * The accesses of one process are in `seq` order; processes (services) are merged by timestamp,
 * as the rebuild from a backend merges them. Stable: equal timestamps keep the input's order.
 */
function inOrder(state: StateAccess[]): StateAccess[] {
  const byService = new Map<string, StateAccess[]>();
  for (const access of state) {
    const key = access.service ?? '';
    const list = byService.get(key);
    if (list === undefined) byService.set(key, [access]);
    else list.push(access);
  }
  if (byService.size === 1) return [...state].sort((a, b) => a.seq - b.seq);
  const lists = [...byService.values()].map((list) => list.sort((a, b) => a.seq - b.seq));
  return mergeInOrder(lists, (a, b) => compareText(a.timestamp, b.timestamp) < 0);
}

/**
 * The audit trail of each variable of a trace: every access (read, write, delete) with its task,
 * value and location, in order (per process by `seq`, services merged by timestamp), variables
 * in order of their first access. Each access keeps its `previous` link as recorded (a
 * `RaceDetector` sets it); where none was recorded it is filled when the order is known: the same
 * task of the same service (program order: happens before), or another service ordered by the
 * call edges (`CallOrder`: happens before, or not when concurrent). Accesses are copies; `trace`
 * is not changed.
 * @example auditTrail(trace).find((v) => v.variable === 'balance')?.accesses
 */
export function auditTrail(trace: Pick<Trace, 'spans' | 'state'>): VariableAudit[] {
  const byVariable = new Map<string, VariableAudit>();
  let order: CallOrder | undefined;
  for (const recorded of inOrder(stateOf(trace))) {
    let audit = byVariable.get(recorded.variable);
    if (audit === undefined)
      byVariable.set(recorded.variable, (audit = { variable: recorded.variable, accesses: [] }));
    const access: StateAccess = { ...recorded };
    const previous = audit.accesses[audit.accesses.length - 1];
    if (access.previous === undefined && previous !== undefined) {
      if (previous.service === access.service && previous.task_id === access.task_id) {
        access.previous = { seq: previous.seq, happens_before: true };
      } else if (previous.service !== access.service) {
        order ??= new CallOrder(trace);
        const ordering = order.order(previous, access);
        if (ordering === 'before' || ordering === 'concurrent')
          access.previous = { seq: previous.seq, happens_before: ordering === 'before' };
      }
    }
    audit.accesses.push(access);
  }
  return [...byVariable.values()];
}
