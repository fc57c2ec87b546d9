// How tracked accesses are named: `accounts.alice.balance`, `items[3]`, `sessions["u1"]`,
// `owners[object#2]`. Only called on the recording path or when a child proxy is first created.

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const INDEX = /^(?:0|[1-9]\d*)$/;

let nextId = 1;
const ids = new WeakMap<object, number>();

/** `object#N`, stable for the life of the object (ids are never reused in a process). */
export function objectId(value: object): string {
  let id = ids.get(value);
  if (id === undefined) {
    id = nextId++;
    ids.set(value, id);
  }
  return `object#${id}`;
}

/** The path of property `key` under `base`: `base.key`, `base[3]`, `base["first name"]`. */
export function propertyPath(base: string, key: string | symbol): string {
  if (typeof key === 'symbol') return `${base}[${String(key)}]`;
  if (INDEX.test(key)) return `${base}[${key}]`;
  if (IDENTIFIER.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

/** How a Map key or Set element appears in a path: strings quoted, objects as `object#N`. */
export function keyText(key: unknown): string {
  switch (typeof key) {
    case 'string':
      return JSON.stringify(key);
    case 'bigint':
      return `${key}n`;
    case 'symbol':
      return String(key);
    case 'object':
      return key === null ? 'null' : objectId(key);
    case 'function':
      return objectId(key);
    default:
      return String(key);
  }
}

/** The path of a Map entry or Set element: `sessions["u1"]`, `owners[object#2]`. */
export function entryPath(base: string, key: unknown): string {
  return `${base}[${keyText(key)}]`;
}
