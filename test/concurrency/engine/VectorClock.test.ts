import { describe, expect, it } from 'vitest';
import { VectorClock } from '../../../src/concurrency/engine/VectorClock.js';

describe('VectorClock', () => {
  it('reads 0 for a task it never heard of, and ticks from there', () => {
    const clock = new VectorClock();
    expect(clock.get(7)).toBe(0);
    expect(clock.tick(7)).toBe(1);
    expect(clock.tick(7)).toBe(2);
    expect(clock.size).toBe(1);
  });

  it('joins to the pointwise maximum', () => {
    const a = new VectorClock();
    const b = new VectorClock();
    a.tick(1);
    a.tick(1);
    b.tick(1);
    b.tick(2);
    a.join(b);
    expect([...a.entries()].sort()).toEqual([
      [1, 2],
      [2, 1],
    ]);
  });

  it('copies independently: a child diverges from its parent', () => {
    const parent = new VectorClock();
    parent.tick(1);
    const child = parent.copy();
    parent.tick(1);
    child.tick(2);
    expect(child.get(1)).toBe(1);
    expect(parent.get(2)).toBe(0);
  });

  it('folds the entries it is told are foldable and says how many', () => {
    const clock = new VectorClock();
    for (let id = 1; id <= 10; id++) clock.tick(id);
    expect(clock.fold((id) => id % 2 === 0)).toBe(5);
    expect(clock.size).toBe(5);
    expect(clock.get(3)).toBe(1);
  });
});
