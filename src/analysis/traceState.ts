import type { Race, RaceKind, StateAccess, StateAccessKind, Trace } from '../types.js';

// A trace read from a file or rebuilt from a backend is read, not trusted: `state` and `races`
// may hold anything (the CLI keeps unknown fields as sanitized JSON). The analyses read them
// through these two functions, which keep only entries of the documented shape.

const ACCESS_KINDS: ReadonlySet<unknown> = new Set<StateAccessKind>(['read', 'write', 'delete']);
const RACE_KINDS: ReadonlySet<unknown> = new Set<RaceKind>([
  'lost_update',
  'write_write',
  'read_write',
]);

function isAccess(value: unknown): value is StateAccess {
  if (value === null || typeof value !== 'object') return false;
  const a = value as Record<string, unknown>;
  return (
    typeof a.variable === 'string' &&
    ACCESS_KINDS.has(a.access) &&
    typeof a.task_id === 'string' &&
    typeof a.timestamp === 'string' &&
    typeof a.seq === 'number' &&
    Number.isFinite(a.seq)
  );
}

/** The state accesses of `trace` that have the documented shape, in their order. */
export function stateOf(trace: Pick<Trace, 'state'>): StateAccess[] {
  const state: unknown = trace.state;
  return Array.isArray(state) ? state.filter(isAccess) : [];
}

/** The races of `trace` that have the documented shape (a kind, a variable, valid accesses). */
export function racesOf(trace: Pick<Trace, 'races'>): Race[] {
  const races: unknown = trace.races;
  if (!Array.isArray(races)) return [];
  return races.filter((value): value is Race => {
    if (value === null || typeof value !== 'object') return false;
    const r = value as Record<string, unknown>;
    return (
      RACE_KINDS.has(r.kind) &&
      typeof r.variable === 'string' &&
      Array.isArray(r.accesses) &&
      r.accesses.length >= 2 &&
      r.accesses.every(isAccess)
    );
  });
}

/** Whether an access changes its variable (a delete counts as a write for races). */
export function isWrite(access: StateAccess): boolean {
  return access.access !== 'read';
}
