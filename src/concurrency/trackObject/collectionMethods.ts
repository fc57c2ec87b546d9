// The tracking replacements of Map's and Set's built-in methods, handed out by CollectionHandler.
// One shared function per method: each finds its collection through `this` (the proxy), so
// `p.cache.get === p.cache.get`, and called on anything else (`get.call(rawMap, k)`) it is the
// built-in method itself, TypeErrors included.
import type { CollectionHandler } from './CollectionHandler.js';
import { entryPath, propertyPath } from './paths.js';
import { emit, isActive } from './recording.js';
import { collections, unwrap } from './registry.js';
import { captureLocation, type SourceLocation } from './SourceLocation.js';

type AnyFunction = (...args: unknown[]) => unknown;
type AnyMap = Map<unknown, unknown>;
type AnySet = Set<unknown>;
type ForEach = (value: unknown, key: unknown, collection: unknown) => void;

const M = Map.prototype as AnyMap;
const S = Set.prototype as AnySet;
const mapGet = M.get;
const mapSet = M.set;
const mapHas = M.has;
const mapDelete = M.delete;
const mapClear = M.clear;
const mapForEach = M.forEach;
const mapEntries = M.entries;
const mapKeys = M.keys;
const mapValues = M.values;
const setAdd = S.add;
const setHas = S.has;
const setDelete = S.delete;
const setClear = S.clear;
const setForEach = S.forEach;
const setValues = S.values;
const setEntries = S.entries;

const handlerOf = (self: unknown): CollectionHandler | undefined => collections.get(self as object);

/** Records `path.size` changing from `before` to the collection's size now. */
function sizeWrite(
  h: CollectionHandler,
  after: number,
  before: number,
  location: SourceLocation,
): void {
  if (after !== before)
    emit(h.recorder, propertyPath(h.path, 'size'), 'write', after, before, location);
}

/** Iteration reads the key set (`path.size`), then each entry as it is reached. */
function* iterateMap(
  h: CollectionHandler,
  kind: 'entries' | 'keys' | 'values',
): Generator<unknown, undefined, undefined> {
  const map = h.target as AnyMap;
  let location: SourceLocation | undefined;
  if (isActive(h.recorder)) {
    location = captureLocation(iterateMap);
    emit(h.recorder, propertyPath(h.path, 'size'), 'read', map.size, undefined, location);
  }
  for (const [key, raw] of mapEntries.call(map)) {
    if (kind === 'keys') {
      yield key;
      continue;
    }
    if (isActive(h.recorder)) {
      // Each step is its own read, at the user's line that asked for it.
      emit(h.recorder, entryPath(h.path, key), 'read', raw, undefined, captureLocation(iterateMap));
    }
    const value = h.entry(key, raw);
    yield kind === 'entries' ? [key, value] : value;
  }
  return undefined;
}

function* iterateSet(
  h: CollectionHandler,
  kind: 'entries' | 'values',
): Generator<unknown, undefined, undefined> {
  const set = h.target as AnySet;
  if (isActive(h.recorder)) {
    const location = captureLocation(iterateSet);
    emit(h.recorder, propertyPath(h.path, 'size'), 'read', set.size, undefined, location);
  }
  for (const element of setValues.call(set)) {
    if (isActive(h.recorder)) {
      const location = captureLocation(iterateSet);
      emit(h.recorder, entryPath(h.path, element), 'read', true, undefined, location);
    }
    yield kind === 'entries' ? [element, element] : element;
  }
  return undefined;
}

/**
 * Map methods: an entry is the variable `path[key]` (`sessions["u1"]`, `owners[object#3]`);
 * `set` of a new key and `delete` of a present one also write `path.size`.
 */
const mapMethods = {
  get(this: unknown, key: unknown): unknown {
    const h = handlerOf(this);
    if (h === undefined) return mapGet.call(this as AnyMap, key);
    const k = unwrap(key);
    const value = mapGet.call(h.target as AnyMap, k);
    if (isActive(h.recorder)) {
      const location = captureLocation(mapMethods.get);
      emit(h.recorder, entryPath(h.path, k), 'read', value, undefined, location);
    }
    return h.entry(k, value);
  },
  has(this: unknown, key: unknown): boolean {
    const h = handlerOf(this);
    if (h === undefined) return mapHas.call(this as AnyMap, key);
    const k = unwrap(key);
    const found = mapHas.call(h.target as AnyMap, k);
    if (isActive(h.recorder)) {
      const location = captureLocation(mapMethods.has);
      emit(h.recorder, entryPath(h.path, k), 'read', found, undefined, location);
    }
    return found;
  },
  set(this: unknown, key: unknown, value: unknown): unknown {
    const h = handlerOf(this);
    if (h === undefined) return mapSet.call(this as AnyMap, key, value);
    const map = h.target as AnyMap;
    const k = unwrap(key);
    const v = unwrap(value);
    if (!isActive(h.recorder)) {
      mapSet.call(map, k, v);
      return this;
    }
    const before = map.size;
    const oldValue = mapGet.call(map, k);
    mapSet.call(map, k, v);
    const location = captureLocation(mapMethods.set);
    emit(h.recorder, entryPath(h.path, k), 'write', v, oldValue, location);
    sizeWrite(h, map.size, before, location);
    return this;
  },
  delete(this: unknown, key: unknown): boolean {
    const h = handlerOf(this);
    if (h === undefined) return mapDelete.call(this as AnyMap, key);
    const map = h.target as AnyMap;
    const k = unwrap(key);
    if (!isActive(h.recorder)) return mapDelete.call(map, k);
    const oldValue = mapGet.call(map, k);
    const deleted = mapDelete.call(map, k);
    const location = captureLocation(mapMethods.delete);
    emit(h.recorder, entryPath(h.path, k), 'delete', undefined, oldValue, location);
    if (deleted) sizeWrite(h, map.size, map.size + 1, location);
    return deleted;
  },
  clear(this: unknown): void {
    const h = handlerOf(this);
    if (h === undefined) return mapClear.call(this as AnyMap);
    const map = h.target as AnyMap;
    if (!isActive(h.recorder) || map.size === 0) return mapClear.call(map);
    const location = captureLocation(mapMethods.clear);
    const before = map.size;
    const entries = [...mapEntries.call(map)];
    mapClear.call(map);
    for (const [key, oldValue] of entries) {
      emit(h.recorder, entryPath(h.path, key), 'delete', undefined, oldValue, location);
    }
    sizeWrite(h, 0, before, location);
  },
  forEach(this: unknown, callback: unknown, thisArg?: unknown): void {
    const h = handlerOf(this);
    const map = (h === undefined ? this : h.target) as AnyMap;
    if (h === undefined || typeof callback !== 'function') {
      return mapForEach.call(map, callback as ForEach, thisArg);
    }
    let location: SourceLocation | undefined;
    if (isActive(h.recorder)) {
      location = captureLocation(mapMethods.forEach);
      emit(h.recorder, propertyPath(h.path, 'size'), 'read', map.size, undefined, location);
    }
    mapForEach.call(map, (raw, key) => {
      if (isActive(h.recorder)) {
        location ??= captureLocation(mapMethods.forEach);
        emit(h.recorder, entryPath(h.path, key), 'read', raw, undefined, location);
      }
      (callback as ForEach).call(thisArg, h.entry(key, raw), key, h.proxy);
    });
  },
  entries(this: unknown): Iterator<unknown> {
    const h = handlerOf(this);
    return h === undefined ? mapEntries.call(this as AnyMap) : iterateMap(h, 'entries');
  },
  keys(this: unknown): Iterator<unknown> {
    const h = handlerOf(this);
    return h === undefined ? mapKeys.call(this as AnyMap) : iterateMap(h, 'keys');
  },
  values(this: unknown): Iterator<unknown> {
    const h = handlerOf(this);
    return h === undefined ? mapValues.call(this as AnyMap) : iterateMap(h, 'values');
  },
};

/**
 * Set methods: an element is the variable `path[element]` (`tags["vip"]`), its value whether
 * it is present; elements are never wrapped (they are identities). `add` of a new element and
 * `delete` of a present one also write `path.size`.
 */
const setMethods = {
  has(this: unknown, element: unknown): boolean {
    const h = handlerOf(this);
    if (h === undefined) return setHas.call(this as AnySet, element);
    const e = unwrap(element);
    const found = setHas.call(h.target as AnySet, e);
    if (isActive(h.recorder)) {
      const location = captureLocation(setMethods.has);
      emit(h.recorder, entryPath(h.path, e), 'read', found, undefined, location);
    }
    return found;
  },
  add(this: unknown, element: unknown): unknown {
    const h = handlerOf(this);
    if (h === undefined) return setAdd.call(this as AnySet, element);
    const set = h.target as AnySet;
    const e = unwrap(element);
    if (!isActive(h.recorder)) {
      setAdd.call(set, e);
      return this;
    }
    const before = set.size;
    setAdd.call(set, e);
    const location = captureLocation(setMethods.add);
    emit(h.recorder, entryPath(h.path, e), 'write', true, set.size === before, location);
    sizeWrite(h, set.size, before, location);
    return this;
  },
  delete(this: unknown, element: unknown): boolean {
    const h = handlerOf(this);
    if (h === undefined) return setDelete.call(this as AnySet, element);
    const set = h.target as AnySet;
    const e = unwrap(element);
    const deleted = setDelete.call(set, e);
    if (isActive(h.recorder)) {
      const location = captureLocation(setMethods.delete);
      emit(h.recorder, entryPath(h.path, e), 'delete', undefined, deleted, location);
      if (deleted) sizeWrite(h, set.size, set.size + 1, location);
    }
    return deleted;
  },
  clear(this: unknown): void {
    const h = handlerOf(this);
    if (h === undefined) return setClear.call(this as AnySet);
    const set = h.target as AnySet;
    if (!isActive(h.recorder) || set.size === 0) return setClear.call(set);
    const location = captureLocation(setMethods.clear);
    const elements = [...setValues.call(set)];
    setClear.call(set);
    for (const element of elements) {
      emit(h.recorder, entryPath(h.path, element), 'delete', undefined, true, location);
    }
    sizeWrite(h, 0, elements.length, location);
  },
  forEach(this: unknown, callback: unknown, thisArg?: unknown): void {
    const h = handlerOf(this);
    const set = (h === undefined ? this : h.target) as AnySet;
    if (h === undefined || typeof callback !== 'function') {
      return setForEach.call(set, callback as ForEach, thisArg);
    }
    let location: SourceLocation | undefined;
    if (isActive(h.recorder)) {
      location = captureLocation(setMethods.forEach);
      emit(h.recorder, propertyPath(h.path, 'size'), 'read', set.size, undefined, location);
    }
    setForEach.call(set, (element) => {
      if (isActive(h.recorder)) {
        location ??= captureLocation(setMethods.forEach);
        emit(h.recorder, entryPath(h.path, element), 'read', true, undefined, location);
      }
      (callback as ForEach).call(thisArg, element, element, h.proxy);
    });
  },
  values(this: unknown): Iterator<unknown> {
    const h = handlerOf(this);
    return h === undefined ? setValues.call(this as AnySet) : iterateSet(h, 'values');
  },
  entries(this: unknown): Iterator<unknown> {
    const h = handlerOf(this);
    return h === undefined ? setEntries.call(this as AnySet) : iterateSet(h, 'entries');
  },
};

/** Built-in Map method → its tracking replacement (`[Symbol.iterator]` is `entries`). */
export const MAP_METHODS: ReadonlyMap<unknown, AnyFunction> = new Map<unknown, AnyFunction>([
  [mapGet, mapMethods.get as AnyFunction],
  [mapHas, mapMethods.has as AnyFunction],
  [mapSet, mapMethods.set as AnyFunction],
  [mapDelete, mapMethods.delete as AnyFunction],
  [mapClear, mapMethods.clear as AnyFunction],
  [mapForEach, mapMethods.forEach as AnyFunction],
  [mapEntries, mapMethods.entries as AnyFunction],
  [mapKeys, mapMethods.keys as AnyFunction],
  [mapValues, mapMethods.values as AnyFunction],
]);

/** Built-in Set method → its tracking replacement (`keys` and `[Symbol.iterator]` are `values`). */
export const SET_METHODS: ReadonlyMap<unknown, AnyFunction> = new Map<unknown, AnyFunction>([
  [setHas, setMethods.has as AnyFunction],
  [setAdd, setMethods.add as AnyFunction],
  [setDelete, setMethods.delete as AnyFunction],
  [setClear, setMethods.clear as AnyFunction],
  [setForEach, setMethods.forEach as AnyFunction],
  [setValues, setMethods.values as AnyFunction],
  [setEntries, setMethods.entries as AnyFunction],
]);
