import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/parseDuration.js';

describe('parseDuration', () => {
  it('reads seconds, minutes, hours, days and combinations', () => {
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
  });

  it('rejects anything else', () => {
    for (const bad of ['', '1', 'h', '1x', '1h 30m', '-1h', 'forever'])
      expect(parseDuration(bad)).toBeUndefined();
  });
});
