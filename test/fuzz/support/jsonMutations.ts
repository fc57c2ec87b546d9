// Mutations of a valid JSON document (an OTLP export, a Trace): a value replaced by arbitrary JSON
// or by a wrong type, a key dropped, an array blown up, a value nested thousands deep. A mutation
// is plain data, so that a counterexample prints as "which path, what was done".
import fc, { type Arbitrary, type JsonValue } from 'fast-check';

type Path = ReadonlyArray<string | number>;

/** Paths deeper than this are not picked (a document nested thousands deep has too many). */
const MAX_PATH_DEPTH = 40;

/** Every path in `doc` down to MAX_PATH_DEPTH, the root excluded (iterative: docs nest deep). */
export function pathsOf(doc: unknown): Path[] {
  const out: Path[] = [];
  const stack: Array<[unknown, Path]> = [[doc, []]];
  while (stack.length > 0) {
    const [node, prefix] = stack.pop() as [unknown, Path];
    if (node === null || typeof node !== 'object' || prefix.length >= MAX_PATH_DEPTH) continue;
    const entries: Array<[string | number, unknown]> = Array.isArray(node)
      ? node.map((v, i) => [i, v])
      : Object.entries(node);
    for (const [key, value] of entries) {
      const path = [...prefix, key];
      out.push(path);
      stack.push([value, path]);
    }
  }
  return out;
}

/** Values of the wrong type or at the edges of what a field can hold. */
const WRONG: JsonValue[] = [
  null,
  0,
  -1,
  1e308,
  -0.5,
  '',
  'x',
  '-1',
  '1e400',
  'NaN',
  '9'.repeat(400),
  '0x1f',
  '{"a":',
  '[[[[',
  'null',
  '{"__proto__":{"polluted":true}}',
  true,
  [],
  {},
  [null],
  { intValue: 'x' },
  { stringValue: { nested: true } },
  { arrayValue: 5 },
  { kvlistValue: { values: 'x' } },
];

export type Mutation =
  | { kind: 'replace'; at: number; value: JsonValue }
  | { kind: 'delete'; at: number }
  | { kind: 'repeat'; at: number; times: number }
  | {
      kind: 'nest';
      at: number;
      depth: number;
      wrap: 'array' | 'object' | 'arrayValue' | 'kvlist' | 'json';
    };

export const mutation: Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('replace' as const),
      at: fc.nat(),
      value: fc.oneof(fc.constantFrom(...WRONG), fc.jsonValue({ maxDepth: 3 })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('repeat' as const),
      at: fc.nat(),
      times: fc.oneof(fc.integer({ min: 2, max: 100 }), fc.constantFrom(2_000, 5_000)),
      // Only the first blow-up of a document is applied whole (see `mutate`).
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('nest' as const),
      at: fc.nat(),
      depth: fc.oneof(fc.integer({ min: 2, max: 100 }), fc.constantFrom(5_000, 20_000)),
      wrap: fc.constantFrom(
        'array' as const,
        'object' as const,
        'arrayValue' as const,
        'kvlist' as const,
        'json' as const,
      ),
    }),
  },
);

/** `value` wrapped `depth` times (as arrays, objects, OTLP AnyValues or JSON text). */
function nest(
  value: unknown,
  depth: number,
  wrap: Extract<Mutation, { kind: 'nest' }>['wrap'],
): unknown {
  if (wrap === 'json') return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
  let out = value;
  for (let i = 0; i < depth; i++) {
    if (wrap === 'array') out = [out];
    else if (wrap === 'object') out = { a: out };
    else if (wrap === 'arrayValue') out = { arrayValue: { values: [out] } };
    else out = { kvlistValue: { values: [{ key: 'k', value: out }] } };
  }
  return out;
}

/** A copy of `doc` with the mutations applied in order (paths are picked among the copy's own). */
export function mutate<T>(doc: T, mutations: readonly Mutation[]): T {
  const copy = structuredClone(doc) as unknown;
  // One blow-up per document: a second would multiply the first (5,000² items). Blow-ups come
  // last (listing the paths of a blown-up document costs millions of them) and go deep, inside a
  // span (its events, attributes, values), not on the list of services or spans, so that what is
  // fuzzed is the reader's handling of a huge field, not a document a thousand times as large.
  let blownUp = false;
  const ordered = [
    ...mutations.filter((m) => m.kind === 'replace' || m.kind === 'delete'),
    ...mutations.filter((m) => m.kind === 'repeat' || m.kind === 'nest'),
  ];
  for (const m of ordered) {
    const all = pathsOf(copy);
    const deep = all.filter((p) => p.length >= 6);
    const paths = m.kind === 'repeat' && m.times > 100 && deep.length > 0 ? deep : all;
    if (paths.length === 0) break;
    const path = paths[m.at % paths.length] as Path;
    let parent = copy as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const key = path[path.length - 1] as string | number;
    const old = parent[key];
    if (m.kind === 'replace') parent[key] = structuredClone(m.value);
    else if (m.kind === 'delete') {
      if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
      else delete parent[key];
    } else if (m.kind === 'repeat') {
      const times: number = blownUp ? Math.min(m.times, 100) : m.times;
      blownUp ||= times > 100;
      parent[key] = Array.isArray(old)
        ? Array.from({ length: times }, (_, i) => old[i % Math.max(1, old.length)])
        : Array.from({ length: times }, () => old);
    } else parent[key] = nest(old, m.depth, m.wrap);
  }
  return copy as T;
}

/** How a mutated document prints in a counterexample. */
export function describeMutations(mutations: readonly Mutation[]): string {
  return mutations
    .map((m) => {
      if (m.kind === 'replace')
        return `replace #${m.at} by ${JSON.stringify(m.value).slice(0, 80)}`;
      if (m.kind === 'delete') return `delete #${m.at}`;
      if (m.kind === 'repeat') return `repeat #${m.at} × ${m.times}`;
      return `nest #${m.at} ${m.depth} deep in ${m.wrap}`;
    })
    .join('; ');
}

/** Keys of Object.prototype now: a change after a call means that call polluted the prototype. */
export function prototypeKeys(): string {
  return Object.getOwnPropertyNames(Object.prototype).sort().join(',');
}
