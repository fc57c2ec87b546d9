// Hostile JavaScript values for the recording API: ids, labels and meta a careless or malicious
// caller could pass. Each is a `Hostile`: a label that fast-check prints in a counterexample, and
// a `make()` that builds the value afresh (a Proxy that throws on every trap cannot be printed,
// and a fresh huge string is what shows whether stepmark keeps it alive).
import fc, { type Arbitrary } from 'fast-check';

/** A value to pass to stepmark, built by `make()`, printed as `label`. */
export interface Hostile<T = unknown> {
  readonly label: string;
  make(): T;
}

/** A Hostile with its label as fast-check's printed form. */
export function hostile<T>(label: string, make: () => T): Hostile<T> {
  return { label, make, [fc.toStringMethod]: () => label } as Hostile<T>;
}

/** Values fast-check generates itself, printed by fast-check. */
function plain<T>(arb: Arbitrary<T>): Arbitrary<Hostile<T>> {
  return arb.map((value) => hostile(fc.stringify(value), () => value));
}

// ---------------------------------------------------------------------------------------------
// Strings

const CONTROL_CHAR = fc
  .oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
  .map((c) => String.fromCharCode(c));

/** Names with a meaning to JavaScript objects or to stepmark's own formats. */
const TRICKY_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'toJSON',
  'then',
  '',
  ' ',
  '\u0000',
  '\u202e',
  '\ud800',
  'a\udfff',
  'password',
  'api_key',
  'X-Api-Key',
  'duration_ms',
  'stepmark=1',
  'stepmark.meta.x',
  '…',
  '[REDACTED]',
  '%',
  '😀',
];

/** Ordinary, full-Unicode (lone surrogates too), control-character and special strings. */
export const weirdString: Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: CONTROL_CHAR, maxLength: 20 }),
  fc
    .array(fc.integer({ min: 0xd800, max: 0xdfff }), { maxLength: 6 })
    .map((codes) => String.fromCharCode(...codes)),
  fc.constantFrom(...TRICKY_NAMES),
);

/** Lengths past the default `maxStringLength` (2,048), up to 10 MB (rarely: each is fresh). */
const HUGE_LENGTH = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 2_049, max: 200_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 200_000, max: 2_000_000 }) },
  { weight: 1, arbitrary: fc.constant(10_000_000) },
);

/**
 * Key lengths: up to 2 MB. Keys are redacted whole before they are cut (by design: a secret word
 * past the cut still counts), which costs up to 30 ns a character for two-byte strings; a 10 MB
 * key would measure that design rather than find a blow-up.
 */
const HUGE_KEY_LENGTH = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 2_049, max: 200_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 200_000, max: 2_000_000 }) },
);

const HUGE_UNIT = fc.constantFrom('x', 'é', '😀', '\u0000', 'ab\ud800');

function freshString(unit: string, length: number): Hostile<string> {
  return hostile(`fresh ${JSON.stringify(unit)} × ${length}`, () =>
    unit.repeat(Math.ceil(length / unit.length)),
  );
}

/** Fresh strings (never one shared constant) of the lengths `length` draws. */
export function freshStrings(length: Arbitrary<number>): Arbitrary<Hostile<string>> {
  return fc.tuple(HUGE_UNIT, length).map(([unit, n]) => freshString(unit, n));
}

/** A fresh string past `maxStringLength`, rarely 10 MB. */
export const hugeString = freshStrings(HUGE_LENGTH);

/** A fresh string to use as a key (see HUGE_KEY_LENGTH). */
export const hugeKeyString = freshStrings(HUGE_KEY_LENGTH);

/** Any string a caller could pass: mostly small and weird, sometimes huge. */
export const anyString: Arbitrary<Hostile<string>> = fc.oneof(
  { weight: 5, arbitrary: plain(weirdString) },
  { weight: 1, arbitrary: hugeString },
);

// ---------------------------------------------------------------------------------------------
// Exotic objects

const THROW = (trap: string) => () => {
  throw new Error(`trap ${trap}`);
};
const TRAPS = [
  'get',
  'set',
  'has',
  'ownKeys',
  'getOwnPropertyDescriptor',
  'getPrototypeOf',
  'setPrototypeOf',
  'defineProperty',
  'deleteProperty',
  'isExtensible',
  'preventExtensions',
  'apply',
  'construct',
] as const;

/** A Proxy whose every trap throws (on an object, an array or a function). */
export function throwingProxy(target: 'object' | 'array' | 'function' = 'object'): object {
  const handler = Object.fromEntries(TRAPS.map((t) => [t, THROW(t)])) as ProxyHandler<object>;
  const base = target === 'array' ? [] : target === 'function' ? function fn() {} : {};
  return new Proxy(base, handler);
}

/** A revoked Proxy: every operation on it throws a TypeError. */
export function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** Something to `throw` that is not an Error: a throwing Proxy, undefined, a string. */
const THROWN = [() => throwingProxy(), () => undefined, () => 'a string', () => null];

/** An object whose listed keys are getters that throw (`thrown` picks what they throw). */
function withThrowingGetters(keys: string[], thrown: number): object {
  const out: Record<string, unknown> = { ok: 1 };
  for (const key of keys) {
    Object.defineProperty(out, key, {
      enumerable: true,
      get() {
        throw (THROWN[thrown % THROWN.length] as () => unknown)();
      },
    });
  }
  return out;
}

/** An object that cannot be turned into a primitive (String(x) and `${x}` throw). */
function unprintable(): object {
  return {
    toString: THROW('toString'),
    valueOf: THROW('valueOf'),
    [Symbol.toPrimitive]: THROW('toPrimitive'),
  };
}

/** Counts up for ever: the iterator of a Set or Map that claims to be endless. */
function* endless<T>(item: (i: number) => T): Generator<T> {
  for (let i = 0; ; i++) yield item(i);
}

/** A Set / Map subclass whose iterators never end. */
class EndlessSet extends Set<number> {
  override [Symbol.iterator](): SetIterator<number> {
    return endless((i) => i) as unknown as SetIterator<number>;
  }
  override values(): SetIterator<number> {
    return this[Symbol.iterator]();
  }
  override get size(): number {
    return Number.MAX_SAFE_INTEGER;
  }
}
class EndlessMap extends Map<string, number> {
  override [Symbol.iterator](): MapIterator<[string, number]> {
    return endless((i): [string, number] => [`k${i}`, i]) as unknown as MapIterator<
      [string, number]
    >;
  }
  override entries(): MapIterator<[string, number]> {
    return this[Symbol.iterator]();
  }
  override keys(): MapIterator<string> {
    return endless((i) => `k${i}`) as unknown as MapIterator<string>;
  }
  override get size(): number {
    return Number.MAX_SAFE_INTEGER;
  }
}

/** An object whose getter builds a new, deeper object on every read: no cycle, endless depth. */
function endlessDepth(): object {
  const node = (): object => ({
    get next() {
      return node();
    },
  });
  return node();
}

/** Cycles of several shapes. */
const CYCLES: Record<string, () => unknown> = {
  'self object': () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    return a;
  },
  'self array': () => {
    const a: unknown[] = [1];
    a.push(a);
    return a;
  },
  'a <-> b': () => {
    const a: Record<string, unknown> = {};
    const b: Record<string, unknown> = { a };
    a.b = b;
    return { a, b };
  },
  'Map holding itself': () => {
    const m = new Map<unknown, unknown>();
    m.set('m', m);
    m.set(m, 'as key');
    return m;
  },
  'Set holding itself': () => {
    const s = new Set<unknown>();
    s.add(s);
    return s;
  },
  'cycle at depth 5': () => {
    const root: Record<string, unknown> = {};
    let node = root;
    for (let i = 0; i < 5; i++) node = node.next = {} as Record<string, unknown>;
    node.back = root;
    return root;
  },
  'getter returning the root': () => {
    const root = {
      get me() {
        return root;
      },
    };
    return root;
  },
  'Error citing itself': () => {
    const e = new Error('loop') as Error & { cause?: unknown };
    e.cause = e;
    return e;
  },
};

/** Objects stepmark's copy must treat specially. */
const EXOTIC: Record<string, () => unknown> = {
  'Proxy, every trap throws': () => throwingProxy(),
  'Proxy of an array, every trap throws': () => throwingProxy('array'),
  'Proxy of a function, every trap throws': () => throwingProxy('function'),
  'revoked Proxy': revokedProxy,
  'object that cannot become a primitive': unprintable,
  'Object.create(null)': () => Object.assign(Object.create(null) as object, { a: 1 }),
  'Date(NaN)': () => new Date(NaN),
  'Date(8.64e15)': () => new Date(8.64e15),
  'Error with throwing message getter': () => {
    const e = new Error('x');
    Object.defineProperty(e, 'message', { get: THROW('message') });
    return e;
  },
  'Error with an object name': () => Object.assign(new Error('x'), { name: { deep: [1] } }),
  'AggregateError of errors': () => new AggregateError([new Error('a'), new TypeError('b')], 'agg'),
  // Both cost String() (a stage, an action or a kind is made a string) one step per index: about
  // half a second each here, where 128 reads suffice for meta. Longer ones only take longer.
  'sparse array of length 2^26': () => {
    const a: unknown[] = [];
    a.length = 2 ** 26;
    a[2 ** 26 - 1] = 'last';
    return a;
  },
  'array-like Proxy of length 2^20': () =>
    new Proxy([], {
      get: (t, k) =>
        k === 'length' ? 2 ** 20 : typeof k === 'string' && /^\d+$/.test(k) ? k : t[k as never],
    }),
  'Set with 100,000 items': () => new Set(Array.from({ length: 100_000 }, (_, i) => i)),
  'Map with 100,000 entries': () => new Map(Array.from({ length: 100_000 }, (_, i) => [i, i])),
  'Set whose iterator never ends': () => new EndlessSet(),
  'Map whose iterator never ends': () => new EndlessMap(),
  'getter building a deeper object on each read': endlessDepth,
  'Uint8Array(1 MB)': () => new Uint8Array(1_000_000),
  'Float64Array with NaN': () => new Float64Array([NaN, -0, Infinity]),
  'Buffer of 1 MB': () => Buffer.alloc(1_000_000, 1),
  'ArrayBuffer(1 MB)': () => new ArrayBuffer(1_000_000),
  DataView: () => new DataView(new ArrayBuffer(8)),
  WeakMap: () => new WeakMap(),
  Promise: () => Promise.resolve(1),
  'rejected Promise (handled)': () => {
    const p = Promise.reject(new Error('no'));
    p.catch(() => undefined);
    return p;
  },
  'thenable whose then throws': () => ({ then: THROW('then') }),
  RegExp: () => /a(b)?/giu,
  'class instance with #private': () =>
    new (class Account {
      #secret = 'hunter2';
      id = 1;
      get masked() {
        return this.#secret.replace(/./g, '*');
      }
    })(),
  'object with symbol keys': () => ({ [Symbol('s')]: 1, [Symbol.iterator]: THROW('iterator') }),
  'frozen object': () => Object.freeze({ a: Object.freeze([1, 2]) }),
  'boxed primitives': () => [Object(1n), new String('s'), new Number(NaN), new Boolean(false)],
  'arguments object': () =>
    (function (..._: unknown[]) {
      // eslint-disable-next-line prefer-rest-params
      return arguments;
    })(1, 'two'),
  'toJSON getter that throws': () => ({
    get toJSON() {
      throw new Error('toJSON');
    },
  }),
  'toJSON returning a cycle': () => {
    const o: Record<string, unknown> = {};
    o.toJSON = () => o;
    return o;
  },
  'non-enumerable and accessor-only keys': () =>
    Object.defineProperties(
      {},
      { hidden: { value: 1 }, setterOnly: { set() {}, enumerable: true } },
    ),
  'generator object': () =>
    (function* () {
      yield 1;
    })(),
  'global object': () => globalThis,
};

function fromTable(table: Record<string, () => unknown>): Arbitrary<Hostile> {
  return fc
    .constantFrom(...Object.keys(table))
    .map((name) => hostile(name, table[name] as () => unknown));
}

export const cyclic = fromTable(CYCLES);
export const exotic = fromTable(EXOTIC);

/** A getter-laden object: some keys throw when read, what they throw varies. */
export const throwingGetters: Arbitrary<Hostile> = fc
  .record({ keys: fc.uniqueArray(weirdString, { minLength: 1, maxLength: 4 }), thrown: fc.nat(3) })
  .map(({ keys, thrown }) =>
    hostile(`getters that throw on ${JSON.stringify(keys)}`, () =>
      withThrowingGetters(keys, thrown),
    ),
  );

// ---------------------------------------------------------------------------------------------
// Shared references (DAGs), many and huge keys

/**
 * Paths a DAG may hold. Without a budget for the whole value, copying costs one copy per path;
 * 2^21 paths finish in seconds even so, where 4 levels of 128 keys (2^28) exhaust the heap.
 */
const MAX_DAG_PATHS = 2 ** 21;

/** Meta whose levels share one node: `levels` deep, `keys` wide, `keys ** levels` paths. */
export function sharedDag(
  levels: number,
  keys: number,
  shape: 'object' | 'array' | 'map',
): unknown {
  let node: unknown = 'leaf';
  for (let d = 0; d < levels; d++) {
    if (shape === 'array') node = Array.from({ length: keys }, () => node);
    else if (shape === 'map')
      node = new Map(Array.from({ length: keys }, (_, k) => [`k${k}`, node]));
    else {
      const o: Record<string, unknown> = {};
      for (let k = 0; k < keys; k++) o[`k${k}`] = node;
      node = o;
    }
  }
  return node;
}

export const dag: Arbitrary<Hostile> = fc
  .integer({ min: 1, max: 4 })
  .chain((levels) =>
    fc.record({
      levels: fc.constant(levels),
      keys: fc.integer({ min: 1, max: Math.min(128, Math.floor(MAX_DAG_PATHS ** (1 / levels))) }),
      shape: fc.constantFrom('object' as const, 'array' as const, 'map' as const),
    }),
  )
  .map(({ levels, keys, shape }) =>
    hostile(`shared DAG ${levels} levels × ${keys} ${shape} keys`, () =>
      sharedDag(levels, keys, shape),
    ),
  );

/** An object of `count` distinct keys. */
export const manyKeys: Arbitrary<Hostile> = fc.integer({ min: 129, max: 20_000 }).map((count) =>
  hostile(`${count} distinct keys`, () => {
    const o: Record<string, number> = {};
    for (let i = 0; i < count; i++) o[`key_${i}`] = i;
    return o;
  }),
);

/** Meta with a fresh huge key, and a fresh huge value under a plain key. */
export const hugeKey: Arbitrary<Hostile> = fc
  .tuple(hugeKeyString, hugeString)
  .map(([k, v]) =>
    hostile(`{ [${k.label}]: 1, body: ${v.label} }`, () => ({ [k.make()]: 1, body: v.make() })),
  );

/** Own `__proto__`, `constructor` and `prototype` keys, as JSON.parse makes them. */
export const protoKeys: Arbitrary<Hostile> = fc
  .constantFrom(
    '{"__proto__":{"polluted":true}}',
    '{"__proto__":null,"constructor":{"prototype":{"polluted":true}}}',
    '{"a":{"__proto__":{"__proto__":[1]}}}',
    '{"toString":1,"valueOf":"x","hasOwnProperty":null}',
  )
  .map((json) => hostile(`JSON.parse(${json})`, () => JSON.parse(json) as unknown));

// ---------------------------------------------------------------------------------------------
// Ids, labels and meta

const ANYTHING = {
  maxDepth: 4,
  maxKeys: 8,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withTypedArray: true,
  withSparseArray: true,
  stringUnit: 'binary',
  key: weirdString,
} as const;

/** Whatever fast-check's `anything` makes, with every option on. */
export const anything: Arbitrary<Hostile> = plain(fc.anything(ANYTHING));

/**
 * The same without sparse arrays, whose lengths reach 2^31: made a string (as a stage, an action
 * or a kind is), one costs a minute. `exotic` holds one of 2^26, which costs about a second.
 */
const anythingDense: Arbitrary<Hostile> = plain(
  fc.anything({ ...ANYTHING, withSparseArray: false }),
);

const symbol: Arbitrary<Hostile> = weirdString.map((d) =>
  hostile(`Symbol(${JSON.stringify(d)})`, () => Symbol(d)),
);

/** Entity ids: any value at all, weighted to what id-shaped code passes by mistake. */
export const hostileId: Arbitrary<Hostile> = fc.oneof(
  { weight: 3, arbitrary: anyString },
  { weight: 2, arbitrary: anythingDense },
  { weight: 1, arbitrary: plain(fc.oneof(fc.integer(), fc.double(), fc.bigInt())) },
  { weight: 1, arbitrary: symbol },
  { weight: 1, arbitrary: exotic },
);

/** Stage, action and kind names: typed strings, passed anything. */
export const hostileLabel: Arbitrary<Hostile> = hostileId;

/** A meta leaf or subtree of one hostile kind. */
const metaPart: Arbitrary<Hostile> = fc.oneof(
  { weight: 4, arbitrary: anything },
  { weight: 2, arbitrary: anyString },
  { weight: 2, arbitrary: exotic },
  { weight: 2, arbitrary: cyclic },
  { weight: 1, arbitrary: throwingGetters },
  { weight: 1, arbitrary: dag },
  { weight: 1, arbitrary: protoKeys },
  { weight: 1, arbitrary: symbol },
);

/** Several hostile parts under weird keys in one object (mixing them is where walks go wrong). */
const metaMix: Arbitrary<Hostile> = fc
  .array(fc.tuple(weirdString, metaPart), { minLength: 1, maxLength: 6 })
  .map((pairs) =>
    hostile(`{ ${pairs.map(([k, v]) => `${JSON.stringify(k)}: ${v.label}`).join(', ')} }`, () =>
      // fromEntries defines own properties: a '__proto__' key stays a key.
      Object.fromEntries(pairs.map(([k, v]) => [k, v.make()])),
    ),
  );

/** Meta arguments: undefined, non-objects, hostile objects and mixes of them. */
export const hostileMeta: Arbitrary<Hostile> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(hostile('undefined', () => undefined)) },
  { weight: 6, arbitrary: metaMix },
  { weight: 4, arbitrary: metaPart },
  { weight: 1, arbitrary: manyKeys },
  { weight: 1, arbitrary: hugeKey },
);
