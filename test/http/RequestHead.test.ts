import { describe, expect, it } from 'vitest';
import { headOf } from '../../src/http/RequestHead.js';

describe('headOf', () => {
  it("reads Node's raw headers by name, ignoring case, first value first", () => {
    const head = {
      headers: {},
      rawHeaders: ['Host', 'a', 'X-STEPMARK', 'true', 'Referer', 'r', 'x-stepmark', 'no'],
    };
    expect(headOf(head, 'x-stepmark')).toBe('true');
    expect(headOf(head, 'baggage')).toBeUndefined(); // 'Referer' has its length, not its name
  });

  it('reads node-style headers or a Fetch Headers when there are no raw headers', () => {
    expect(headOf({ headers: { baggage: 'stepmark=1' } }, 'baggage')).toBe('stepmark=1');
    expect(headOf({ headers: new Headers({ 'X-Stepmark': '1' }) }, 'x-stepmark')).toBe('1');
  });
});
