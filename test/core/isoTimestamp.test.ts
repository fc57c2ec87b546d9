import { describe, expect, it } from 'vitest';
import { isoTimestamp } from '../../src/core/isoTimestamp.js';

describe('isoTimestamp', () => {
  it('matches Date#toISOString across minutes, epochs and fractions', () => {
    const samples = [
      0,
      59_999,
      60_000,
      -1,
      -60_001,
      1.9,
      1.2, // the same millisecond as the one before: reused whole
      60_000.5,
      Date.parse('2026-11-21T23:59:59.999Z'),
      253402300799999,
    ];
    let seed = 42;
    for (let i = 0; i < 2_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      samples.push(1.7e12 + seed * 37.3);
    }
    for (const ms of samples) expect(isoTimestamp(ms)).toBe(new Date(Math.floor(ms)).toISOString());
  });

  it('falls back to the long form for years past 9999', () => {
    const ms = Date.parse('+010000-01-01T00:00:00.000Z');
    expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
  });
});
