import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { captureLocation, trackObjectWith } from '../../../src/concurrency/trackObject/index.js';
import { InMemoryStateRecorder } from '../../support/InMemoryStateRecorder.js';

const file = fileURLToPath(import.meta.url);
const source = readFileSync(file, 'utf8').split('\n');

/** The line number of the line of this file that holds `marker`. */
const line = (marker: string) => source.findIndex((l) => l.includes(marker)) + 1;
/** The line of a location in this file, or the whole text of a location elsewhere. */
const lineOf = (location: unknown) => {
  const text = String(location);
  return text.startsWith(`${file}:`) ? Number(text.slice(file.length + 1).split(':')[0]) : text;
};

describe('SourceLocation', () => {
  it('points a tracked access at the line of the user code that made it', () => {
    const recorder = new InMemoryStateRecorder();
    const p = trackObjectWith(recorder, { a: { n: 1 }, list: [1] }, 'x');
    p.a.n = 2; // @assign
    p.list.push(2); // @push (through Array.prototype.push, a builtin frame)
    delete (p.a as { n?: number }).n; // @delete
    expect(recorder.accesses.map((a) => [`${a.access} ${a.variable}`, lineOf(a.location)])).toEqual(
      [
        ['read x.a', line('@assign')],
        ['write x.a.n', line('@assign')],
        ['read x.list', line('@push')],
        ['read x.list.length', line('@push')],
        ['write x.list[1]', line('@push')],
        ['write x.list.length', line('@push')],
        ['read x.a', line('@delete')],
        ['delete x.a.n', line('@delete')],
      ],
    );
    expect(recorder.accesses[0]?.location?.resolve()).toMatch(/:\d+:\d+$/);
  });

  it('skips the library frames of Map methods and iterators', () => {
    const recorder = new InMemoryStateRecorder();
    const m = trackObjectWith(recorder, new Map([['k', 1]]), 'm');
    m.get('k'); // @get
    for (const entry of m) void entry; // @iterate
    expect(recorder.accesses.map((a) => lineOf(a.location))).toEqual([
      line('@get'),
      line('@iterate'),
      line('@iterate'),
    ]);
  });

  it("skips this library's own frames below the cut (here the Map.forEach replacement)", () => {
    const m = trackObjectWith(new InMemoryStateRecorder(), new Map([['k', 1]]), 'm');
    let location: unknown;
    m.forEach(function visit() {
      location = captureLocation(visit);
    }); // @forEach
    expect(lineOf(location)).toBe(line('@forEach') - 2);
  });

  it('points an access made inside a user getter at the getter', () => {
    const recorder = new InMemoryStateRecorder();
    const p = trackObjectWith(
      recorder,
      {
        n: 1,
        get double() {
          return this.n * 2; // @getter
        },
      },
      'g',
    );
    expect(p.double).toBe(2);
    expect(lineOf(recorder.accesses[0]?.location)).toBe(line('@getter'));
  });

  it('captures below the given function and restores Error.stackTraceLimit', () => {
    const limit = Error.stackTraceLimit;
    function api() {
      return captureLocation(api);
    }
    const location = api(); // @api
    expect(Error.stackTraceLimit).toBe(limit);
    expect(lineOf(location)).toBe(line('@api'));
    expect(location.toJSON()).toBe(location.resolve());
  });

  it("is '' (left out of JSON) when no user frame was captured", () => {
    function notOnTheStack() {}
    const location = captureLocation(notOnTheStack);
    expect(location.resolve()).toBeUndefined();
    expect(String(location)).toBe('');
    expect(JSON.stringify({ location })).toBe('{}');
  });
});
