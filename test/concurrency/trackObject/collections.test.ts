import { describe, expect, it } from 'vitest';
import { trackObjectWith } from '../../../src/concurrency/trackObject/index.js';
import { InMemoryStateRecorder } from '../../support/InMemoryStateRecorder.js';

const seen = (r: InMemoryStateRecorder) =>
  r.accesses.map((a) => [a.variable, a.access, a.value, a.oldValue]);
const variables = (r: InMemoryStateRecorder) => r.accesses.map((a) => `${a.access} ${a.variable}`);

/** A tracked `{ [name]: collection }`, the recorder cleared after reading the collection once. */
function tracked<C extends object>(name: string, collection: C) {
  const recorder = new InMemoryStateRecorder();
  const root = trackObjectWith(recorder, { [name]: collection }, 'app');
  const c = root[name] as C;
  recorder.clear();
  return { recorder, c, root };
}

describe('trackObjectWith', () => {
  describe('Map', () => {
    it('records get, set, has and delete as entry paths, with old values and size changes', () => {
      const { recorder, c } = tracked('sessions', new Map<string, number>([['u1', 1]]));
      expect(c.get('u1')).toBe(1);
      c.set('u1', 2).set('u2', 5);
      expect(c.has('u2')).toBe(true);
      expect(c.delete('u1')).toBe(true);
      expect(c.delete('nope')).toBe(false);
      expect(seen(recorder)).toEqual([
        ['app.sessions["u1"]', 'read', 1, undefined],
        ['app.sessions["u1"]', 'write', 2, 1],
        ['app.sessions["u2"]', 'write', 5, undefined],
        ['app.sessions.size', 'write', 2, 1],
        ['app.sessions["u2"]', 'read', true, undefined],
        ['app.sessions["u1"]', 'delete', undefined, 2],
        ['app.sessions.size', 'write', 1, 2],
        ['app.sessions["nope"]', 'delete', undefined, undefined],
      ]);
    });

    it('returns the set method chain and size like a Map, and records clear as deletes', () => {
      const raw = new Map<unknown, number>([
        ['a', 1],
        [2, 2],
      ]);
      const { recorder, c } = tracked('m', raw);
      expect(c.size).toBe(2);
      c.clear();
      expect(raw.size).toBe(0);
      expect(seen(recorder)).toEqual([
        ['app.m.size', 'read', 2, undefined],
        ['app.m["a"]', 'delete', undefined, 1],
        ['app.m[2]', 'delete', undefined, 2],
        ['app.m.size', 'write', 0, 2],
      ]);
    });

    it('names object keys `[object#N]`, stable per object, and finds them through proxies', () => {
      const alice = { name: 'alice' };
      const bob = { name: 'bob' };
      const recorder = new InMemoryStateRecorder();
      const p = trackObjectWith(
        recorder,
        { people: { alice, bob }, owners: new Map([[alice, 1]]) },
        'app',
      );
      const owners = p.owners;
      owners.set(bob, 2);
      expect(owners.get(alice)).toBe(1);
      expect(owners.get(p.people.bob)).toBe(2); // a proxy key is the object it stands for
      expect(owners.get(bob)).toBe(2);
      const names = recorder.accesses
        .map((a) => a.variable)
        .filter((v) => v.startsWith('app.owners['));
      const [bobKey, aliceKey, bobKey2, bobKey3] = names;
      expect(bobKey).toMatch(/^app\.owners\[object#\d+\]$/);
      expect(aliceKey).toMatch(/^app\.owners\[object#\d+\]$/);
      expect(aliceKey).not.toBe(bobKey);
      expect(bobKey2).toBe(bobKey);
      expect(bobKey3).toBe(bobKey);
      expect([...owners.keys()]).toEqual([alice, bob]);
    });

    it('wraps object values once, named after their key, and keeps identity', () => {
      const { recorder, c } = tracked('cache', new Map([['k', { hits: 0 }]]));
      const entry = c.get('k');
      expect(c.get('k')).toBe(entry);
      entry!.hits++;
      expect(variables(recorder)).toContain('write app.cache["k"].hits');
      expect([...c.values()][0]).toBe(entry);
      expect([...c][0]?.[1]).toBe(entry);
    });

    it('binds the built-in methods to the Map (no incompatible-receiver TypeError)', () => {
      const { c } = tracked('m', new Map([['a', 1]]));
      expect(() => c.get('a')).not.toThrow();
      expect(c.get).toBe(c.get);
      expect(c instanceof Map).toBe(true);
      // Called on something that is not a tracked Map, a method is the built-in one.
      const raw = new Map([['z', 26]]);
      expect(c.get.call(raw, 'z')).toBe(26);
      expect(() => c.get.call({}, 'z')).toThrow(TypeError);
    });

    it('records iteration as a read of the key set (size), then of each entry reached', () => {
      const { recorder, c } = tracked(
        'm',
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      );
      const got: unknown[] = [];
      c.forEach((v, k, m) => got.push([k, v, m === c]));
      expect(got).toEqual([
        ['a', 1, true],
        ['b', 2, true],
      ]);
      expect(variables(recorder)).toEqual([
        'read app.m.size',
        'read app.m["a"]',
        'read app.m["b"]',
      ]);
      recorder.clear();
      for (const [k] of c) if (k === 'a') break;
      expect(variables(recorder)).toEqual(['read app.m.size', 'read app.m["a"]']);
    });

    it('runs the overridden methods of a Map subclass on the Map itself', () => {
      class Counter extends Map<string, number> {
        bump(key: string) {
          this.set(key, (this.get(key) ?? 0) + 1);
        }
      }
      const { recorder, c } = tracked('c', new Counter());
      c.bump('x');
      c.set('y', 1);
      expect(c.get('x')).toBe(1);
      expect(variables(recorder)).toEqual([
        'write app.c["y"]',
        'write app.c.size',
        'read app.c["x"]',
      ]);
    });
  });

  describe('Set', () => {
    it('records add, has, delete and clear as element paths, with presence as the value', () => {
      const { recorder, c } = tracked('tags', new Set(['vip']));
      c.add('new').add('vip');
      expect(c.has('vip')).toBe(true);
      expect(c.delete('new')).toBe(true);
      c.clear();
      expect(seen(recorder)).toEqual([
        ['app.tags["new"]', 'write', true, false],
        ['app.tags.size', 'write', 2, 1],
        ['app.tags["vip"]', 'write', true, true],
        ['app.tags["vip"]', 'read', true, undefined],
        ['app.tags["new"]', 'delete', undefined, true],
        ['app.tags.size', 'write', 1, 2],
        ['app.tags["vip"]', 'delete', undefined, true],
        ['app.tags.size', 'write', 0, 1],
      ]);
    });

    it('iterates raw elements and records each one reached', () => {
      const member = { id: 1 };
      const { recorder, c } = tracked('s', new Set<unknown>([member, 2]));
      expect([...c]).toEqual([member, 2]);
      expect([...c][0]).toBe(member);
      expect(variables(recorder).slice(0, 3)).toEqual([
        'read app.s.size',
        expect.stringMatching(/^read app\.s\[object#\d+\]$/),
        'read app.s[2]',
      ]);
      const each: unknown[] = [];
      c.forEach((v) => each.push(v));
      expect(each).toEqual([member, 2]);
    });
  });
});
