// A race as a person reads it: what each side did, where, in which request, and what was lost.
import { isAbsolute, relative } from 'node:path';
import type { Race, StateAccess } from 'stepmark-otel/concurrency';

/** Options of `describeRace`. */
export interface DescribeRaceOptions {
  /** A short name for the request of an access (e.g. the transfer it made). Default: none. */
  requestOf?: (access: StateAccess) => string | undefined;
  /** Source locations are shown relative to this folder. Default: process.cwd(). */
  cwd?: string;
}

const KINDS: Record<Race['kind'], string> = {
  lost_update: 'lost update',
  write_write: 'write/write race',
  read_write: 'read/write race',
};

/**
 * The lines that describe `race`: its kind and variable, then one line per access (request,
 * trace id, task, what it did, where), then for a lost update which write was lost.
 * @example for (const line of describeRace(race)) console.log(line)
 */
export function describeRace(race: Race, options: DescribeRaceOptions = {}): string[] {
  const cwd = options.cwd ?? process.cwd();
  const lines = [`${KINDS[race.kind]} on ${race.variable}`];
  for (const access of race.accesses) {
    const request = options.requestOf?.(access);
    const where = access.location === undefined ? '' : `  at ${shortPath(access.location, cwd)}`;
    lines.push(
      `  ${request === undefined ? '' : `${request}  `}trace ${access.trace_id}  task ${access.task_id}` +
        `  ${did(access)}${where}`,
    );
  }
  const [read, overwritten, stale] = race.accesses;
  if (race.kind === 'lost_update' && read && overwritten && stale) {
    lines.push(
      `  ${race.variable}: ${change(overwritten)} and ${change(stale)}; ` +
        `the ${text(overwritten.value)} was lost (written over from a stale read of ${text(read.value)})`,
    );
  } else if (race.accesses.length >= 2) {
    lines.push('  no happens-before edge orders them and no common lock guards them');
  }
  return lines;
}

function did(access: StateAccess): string {
  if (access.access === 'read') return `read ${text(access.value)}`;
  if (access.access === 'delete') return `deleted ${text(access.old_value)}`;
  return `wrote ${change(access)}`;
}

function change(access: StateAccess): string {
  return `${text(access.old_value)} → ${text(access.value)}`;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

/** `file:line:column` with the file relative to `cwd` when it is under it. */
function shortPath(location: string, cwd: string): string {
  if (!isAbsolute(location)) return location;
  const shown = relative(cwd, location);
  return shown.startsWith('..') ? location : shown;
}
