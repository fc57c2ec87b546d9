import { describe, expect, it } from 'vitest';
import { trackObjectWith, type StateRecorder } from '../../../src/concurrency/trackObject/index.js';
import { InMemoryStateRecorder } from '../../support/InMemoryStateRecorder.js';

/** The accesses a recorder received, as `[variable, access, value, oldValue]`. */
const seen = (r: InMemoryStateRecorder) =>
  r.accesses.map((a) => [a.variable, a.access, a.value, a.oldValue]);
const variables = (r: InMemoryStateRecorder) => r.accesses.map((a) => `${a.access} ${a.variable}`);

function track<T extends object>(obj: T, basePath = 'state') {
  const recorder = new InMemoryStateRecorder();
  return { recorder, p: trackObjectWith(recorder, obj, basePath), raw: obj };
}

describe('trackObjectWith', () => {
  describe('plain objects', () => {
    it('records reads and writes of nested paths with the old value', () => {
      const { recorder, p, raw } = track({ alice: { balance: 100 } }, 'accounts');
      p.alice.balance -= 30;
      expect(seen(recorder)).toEqual([
        ['accounts.alice', 'read', raw.alice, undefined],
        ['accounts.alice.balance', 'read', 100, undefined],
        ['accounts.alice.balance', 'write', 70, 100],
      ]);
      expect(raw.alice.balance).toBe(70);
    });

    it('records a delete as a delete, with the old value', () => {
      const { recorder, p, raw } = track<{ session?: { id: number } }>({ session: { id: 1 } });
      const old = raw.session;
      delete p.session;
      expect(seen(recorder)).toEqual([['state.session', 'delete', undefined, old]]);
      expect('session' in raw).toBe(false);
    });

    it('records `in` as a read of the presence', () => {
      const { recorder, p } = track<Record<string, number>>({ a: 1 });
      expect('a' in p).toBe(true);
      expect('b' in p).toBe(false);
      expect(seen(recorder)).toEqual([
        ['state.a', 'read', true, undefined],
        ['state.b', 'read', false, undefined],
      ]);
    });

    it('names keys that are not identifiers with brackets, and an empty base without a dot', () => {
      const { recorder, p } = track<Record<string, number>>({});
      p['first name'] = 1;
      p['42'] = 2;
      const bare = trackObjectWith(recorder, { x: { y: 1 } }, '');
      void bare.x.y;
      expect(variables(recorder)).toEqual([
        'write state["first name"]',
        'write state[42]',
        'read x',
        'read x.y',
      ]);
    });

    it('does not record reads of functions or methods, nor symbol keys', () => {
      const tag = Symbol('tag');
      const { recorder, p } = track({ fn: () => 1, n: 1, [tag]: 2 });
      expect(p.fn()).toBe(1);
      expect(p.toString()).toBe('[object Object]');
      expect(p.valueOf()).toBe(p);
      expect(p[tag]).toBe(2);
      p[tag] = 3;
      expect(recorder.accesses).toEqual([]);
    });

    it('runs getters and setters against the proxy, so what they touch is recorded', () => {
      const { recorder, p } = track({
        items: [1, 2],
        get count(): number {
          return this.items.length;
        },
        set count(n: number) {
          this.items.length = n;
        },
      });
      expect(p.count).toBe(2);
      p.count = 1;
      expect(variables(recorder)).toEqual([
        'read state.items',
        'read state.items.length',
        'read state.count',
        'read state.items',
        'write state.items.length',
        'write state.count',
      ]);
    });

    it('stores raw objects when a tracked object is written: the data never holds proxies', () => {
      const { recorder, p, raw } = track<{ a: { v: number }; b?: { v: number } }>({ a: { v: 1 } });
      p.b = p.a;
      expect(raw.b).toBe(raw.a);
      expect(p.b).toBe(p.a);
      expect(recorder.accesses.find((a) => a.access === 'write')?.value).toBe(raw.a);
    });

    it('does not record a write that lands on an object inheriting from the proxy', () => {
      const { recorder, p, raw } = track<{ n: number }>({ n: 1 });
      const child = Object.create(p) as { n: number };
      child.n = 2;
      expect(raw.n).toBe(1);
      expect(child.n).toBe(2);
      expect(recorder.accesses.filter((a) => a.access === 'write')).toEqual([]);
    });

    it('serializes like the object it stands for', () => {
      const { p, raw } = track({ a: { list: [1, { b: 2 }] }, s: 'x' });
      expect(JSON.stringify(p)).toBe(JSON.stringify(raw));
      expect({ ...p.a }).toEqual(raw.a);
    });
  });

  describe('identity', () => {
    it('returns the same child proxy on every read', () => {
      const { p } = track({ alice: { balance: 1 }, list: [{ id: 1 }] });
      expect(p.alice).toBe(p.alice);
      expect(p.list).toBe(p.list);
      expect(p.list[0]).toBe(p.list[0]);
      expect(p.list.find((x) => x.id === 1)).toBe(p.list[0]);
    });

    it('keeps identity whether tracing is on or off, recording only when on', () => {
      const { recorder, p } = track({ alice: { balance: 1 } });
      recorder.enabled = false;
      const off = p.alice;
      off.balance = 2;
      expect(recorder.accesses).toEqual([]);
      recorder.enabled = true;
      expect(p.alice).toBe(off);
      off.balance = 3;
      expect(variables(recorder)).toEqual(['read state.alice', 'write state.alice.balance']);
    });

    it('gives an object reached through two paths one proxy, named after the first path', () => {
      const shared = { n: 0 };
      const { recorder, p } = track({ a: { x: shared }, b: { y: shared } });
      expect(p.a.x).toBe(p.b.y);
      p.b.y.n = 1;
      expect(recorder.accesses.at(-1)?.variable).toBe('state.a.x.n');
    });

    it('returns a tracked proxy as the root when asked to track one again, without double recording', () => {
      const { recorder, p } = track({ v: 1 });
      const again = trackObjectWith(recorder, p, 'other');
      expect(again === p).toBe(false);
      void again.v;
      expect(variables(recorder)).toEqual(['read other.v']);
    });

    it('returns what cannot be tracked as is', () => {
      const recorder = new InMemoryStateRecorder();
      const fn = () => 1;
      const date = new Date(0);
      expect(trackObjectWith(recorder, fn, 'f')).toBe(fn);
      expect(trackObjectWith(recorder, date, 'd')).toBe(date);
      expect(trackObjectWith(recorder, null as unknown as object, 'n')).toBe(null);
      expect(trackObjectWith(recorder, 5 as unknown as object, 'n')).toBe(5);
    });
  });

  describe('arrays', () => {
    it('records index reads and writes as `items[3]`, and length writes', () => {
      const { recorder, p } = track({ items: [10, 20, 30, 40] });
      const items = p.items;
      recorder.clear();
      items[3] = items[3]! + 1;
      items.length = 2;
      expect(seen(recorder)).toEqual([
        ['state.items[3]', 'read', 40, undefined],
        ['state.items[3]', 'write', 41, 40],
        ['state.items.length', 'write', 2, 4],
      ]);
    });

    it('shows push, pop and splice as the paths they touch', () => {
      const { recorder, p, raw } = track({ items: ['a', 'b', 'c'] });
      const items = p.items;
      recorder.clear();
      items.push('d');
      const writes = () => variables(recorder).filter((v) => !v.startsWith('read'));
      expect(writes()).toEqual(['write state.items[3]', 'write state.items.length']);
      recorder.clear();
      expect(items.pop()).toBe('d');
      expect(writes()).toEqual(['delete state.items[3]', 'write state.items.length']);
      recorder.clear();
      items.splice(0, 1);
      expect(writes()).toEqual([
        'write state.items[0]',
        'write state.items[1]',
        'delete state.items[2]',
        'write state.items.length',
      ]);
      expect(raw.items).toEqual(['b', 'c']);
    });

    it('wraps array elements lazily and keeps Array.isArray and iteration', () => {
      const { recorder, p } = track({ rows: [{ n: 1 }, { n: 2 }] });
      expect(Array.isArray(p.rows)).toBe(true);
      let sum = 0;
      for (const row of p.rows) sum += row.n;
      expect(sum).toBe(3);
      expect(variables(recorder)).toContain('read state.rows[1].n');
    });
  });

  describe('edge cases', () => {
    it('returns the raw value of a frozen object property (proxy invariant) and still records it', () => {
      const config = Object.freeze({ limits: Object.freeze({ max: 5 }), name: 'x' });
      const { recorder, p } = track(config, 'config');
      expect(() => p.limits).not.toThrow();
      expect(p.limits).toBe(config.limits);
      expect(p.name).toBe('x');
      expect(seen(recorder)).toEqual([
        ['config.limits', 'read', config.limits, undefined],
        ['config.limits', 'read', config.limits, undefined],
        ['config.name', 'read', 'x', undefined],
      ]);
    });

    it('returns the raw value of a single non-writable, non-configurable property', () => {
      const obj: { fixed?: { a: number }; free: { a: number } } = { free: { a: 1 } };
      Object.defineProperty(obj, 'fixed', { value: { a: 1 }, enumerable: true });
      const { p } = track(obj);
      expect(p.fixed).toBe(obj.fixed);
      expect(p.free).not.toBe(obj.free);
    });

    it('lets a write to a frozen object fail as it does untracked, recording nothing', () => {
      const { recorder, p } = track(Object.freeze({ n: 1 }));
      expect(() => {
        (p as { n: number }).n = 2;
      }).toThrow(TypeError);
      expect(recorder.accesses).toEqual([]);
    });

    it('throws the TypeError of a revoked proxy target, as untracked, and records nothing', () => {
      const { proxy, revoke } = Proxy.revocable<{ a: number }>({ a: 1 }, {});
      const { recorder, p } = track(proxy);
      expect(p.a).toBe(1);
      recorder.clear();
      revoke();
      const messageOf = (fn: () => unknown) => {
        try {
          fn();
        } catch (error) {
          return [(error as Error).constructor, (error as Error).message];
        }
        return undefined;
      };
      for (const op of [
        (o: { a: number }) => o.a,
        (o: { a: number }) => (o.a = 2),
        (o: { a: number }) => delete (o as { a?: number }).a,
        (o: { a: number }) => 'a' in o,
      ]) {
        expect(messageOf(() => op(p))).toEqual(messageOf(() => op(proxy)));
        expect(messageOf(() => op(p))?.[0]).toBe(TypeError);
      }
      expect(recorder.accesses).toEqual([]);
      // Revoked inside the data: reached lazily, it throws on use, not on the read that reaches it.
      const inner = Proxy.revocable<{ x: number }>({ x: 1 }, {});
      inner.revoke();
      const holder = trackObjectWith(recorder, { inner: inner.proxy }, 'holder');
      const reached = holder.inner;
      expect(messageOf(() => reached.x)).toEqual(messageOf(() => inner.proxy.x));
      // Revoked before tracking: trackObject itself does not throw.
      const late = Proxy.revocable({}, {});
      late.revoke();
      expect(() => trackObjectWith(recorder, late.proxy, 'late')).not.toThrow();
    });

    it('handles cyclic structures lazily, with the cycle closing on the same proxy', () => {
      type Node = { name: string; next?: Node; self?: Node };
      const a: Node = { name: 'a' };
      const b: Node = { name: 'b', next: a };
      a.next = b;
      a.self = a;
      const { recorder, p } = track(a, 'ring');
      expect(p.self).toBe(p);
      expect(p.next?.next).toBe(p);
      expect(p.next?.next?.next?.name).toBe('b');
      expect(recorder.accesses.at(-1)?.variable).toBe('ring.next.name');
    });

    it('runs the setters of class instances on the instance, and records the write', () => {
      class Box {
        #v = 0;
        get v() {
          return this.#v;
        }
        set v(n: number) {
          this.#v = n;
        }
      }
      const { recorder, p } = track({ box: new Box() });
      p.box.v = 5;
      expect(p.box.v).toBe(5);
      expect(variables(recorder)).toContain('write state.box.v');
    });

    it('runs class instances with #private fields: methods and getters run on the instance', () => {
      class Account {
        #balance = 100;
        owner = 'alice';
        get balance() {
          return this.#balance;
        }
        withdraw(amount: number) {
          this.#balance -= amount;
          return this.#balance;
        }
      }
      const { recorder, p } = track({ account: new Account() });
      const account = p.account;
      expect(account.withdraw(30)).toBe(70);
      expect(account.balance).toBe(70);
      expect(account.withdraw).toBe(account.withdraw);
      expect(account.constructor).toBe(Account);
      expect(account instanceof Account).toBe(true);
      account.owner = 'bob';
      expect(seen(recorder).slice(1)).toEqual([
        ['state.account.balance', 'read', 70, undefined],
        ['state.account.owner', 'write', 'bob', 'alice'],
      ]);
    });

    it('does not wrap Date, RegExp, typed arrays, Buffer or Promise, and still records their reads', () => {
      const raw = {
        when: new Date(0),
        pattern: /a+/g,
        bytes: new Uint8Array([1, 2]),
        buffer: Buffer.from('hi'),
        done: Promise.resolve(1),
      };
      const { recorder, p } = track(raw);
      expect(p.when).toBe(raw.when);
      expect(p.when.getTime()).toBe(0);
      expect(p.pattern).toBe(raw.pattern);
      expect(p.pattern.test('aa')).toBe(true);
      expect(p.bytes).toBe(raw.bytes);
      expect(p.buffer.toString()).toBe('hi');
      expect(p.done).toBe(raw.done);
      expect(variables(recorder)).toContain('read state.bytes');
      expect(variables(recorder).some((v) => v.includes('bytes['))).toBe(false);
    });

    it('never throws into user code when the recorder throws', () => {
      const thrower: StateRecorder = {
        active: () => true,
        record: () => {
          throw new Error('recorder broke');
        },
      };
      const broken: StateRecorder = {
        active: () => {
          throw new Error('active broke');
        },
        record: () => undefined,
      };
      for (const recorder of [thrower, broken]) {
        const p = trackObjectWith(recorder, { a: { n: 1 }, m: new Map([['k', 1]]) }, 'x');
        p.a.n += 1;
        delete (p.a as { n?: number }).n;
        p.m.set('k', 2);
        expect(p.m.get('k')).toBe(2);
        expect(p.a).toEqual({});
      }
    });
  });
});
