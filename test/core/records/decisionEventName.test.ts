import { describe, expect, it } from 'vitest';
import { decisionEventName } from '../../../src/core/records/decisionEventName.js';

describe('decisionEventName', () => {
  it('names a decision `<stage>: <action>`, the same string for a pair seen before', () => {
    const first = decisionEventName('fraud_check', 'blocked');
    expect(first).toBe('fraud_check: blocked');
    expect(decisionEventName('fraud_check', 'blocked')).toBe(first);
  });

  it('stays right past its caps: labels made from data start the cache over', () => {
    for (let i = 0; i < 3_000; i++) {
      expect(decisionEventName(`stage_${i}`, `action_${i % 300}`)).toBe(
        `stage_${i}: action_${i % 300}`,
      );
      expect(decisionEventName('one_stage', `action_${i}`)).toBe(`one_stage: action_${i}`);
    }
  });
});
