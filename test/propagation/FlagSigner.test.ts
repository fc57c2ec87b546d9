import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FlagSigner, flagSignerOf } from '../../src/propagation/FlagSigner.js';

const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const TRACE_B = '1bf7651916cd43dd8448eb211c80319c';

describe('FlagSigner', () => {
  describe('.sign', () => {
    it('is the base64url of the first 16 bytes of HMAC-SHA256(key, domain + trace id)', () => {
      const expected = createHmac('sha256', 'k')
        .update(`stepmark-otel/flag/v1:${TRACE_A}`)
        .digest()
        .subarray(0, 16)
        .toString('base64url');
      expect(new FlagSigner('k').sign(TRACE_A)).toBe(expected);
      expect(new FlagSigner(Buffer.from('k')).sign(TRACE_A)).toBe(expected);
    });
  });

  describe('.verify', () => {
    it('accepts its signature for the same trace id only, and no other key', () => {
      const signer = new FlagSigner('k');
      const sig = signer.sign(TRACE_A);
      expect(signer.verify(TRACE_A, sig)).toBe(true);
      expect(signer.verify(TRACE_B, sig)).toBe(false);
      expect(new FlagSigner('other').verify(TRACE_A, sig)).toBe(false);
    });

    it('refuses missing, truncated, padded and malformed signatures', () => {
      const signer = new FlagSigner('k');
      const sig = signer.sign(TRACE_A);
      for (const bad of [undefined, '', sig.slice(0, 21), `${sig}=`, `${sig.slice(0, 21)}*`])
        expect(signer.verify(TRACE_A, bad)).toBe(false);
      expect(signer.verify(undefined, sig)).toBe(false);
    });
  });
});

describe('flagSignerOf', () => {
  it('reads STEPMARK_FLAG_KEY, then STEPMARK_TOKEN; false or an empty environment gives none', () => {
    const sign = (s: FlagSigner | undefined) => s?.sign(TRACE_A);
    const both = { STEPMARK_FLAG_KEY: 'flag', STEPMARK_TOKEN: 'token' };
    expect(sign(flagSignerOf(undefined, both))).toBe(new FlagSigner('flag').sign(TRACE_A));
    expect(sign(flagSignerOf(undefined, { STEPMARK_TOKEN: 'token' }))).toBe(
      new FlagSigner('token').sign(TRACE_A),
    );
    expect(sign(flagSignerOf('given', both))).toBe(new FlagSigner('given').sign(TRACE_A));
    expect(flagSignerOf(false, both)).toBeUndefined();
    expect(flagSignerOf(undefined, { STEPMARK_FLAG_KEY: '' })).toBeUndefined();
  });

  it('throws naming flagKey for an empty key or a wrong type', () => {
    expect(() => flagSignerOf('')).toThrow(RangeError);
    expect(() => flagSignerOf(Buffer.alloc(0))).toThrow(/flagKey/);
    expect(() => flagSignerOf(1 as never)).toThrow(TypeError);
  });
});
