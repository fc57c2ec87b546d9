// Header values an HTTP edge receives: W3C trace context and baggage, valid, nearly valid and
// hostile (oversized, many commas, broken percent-encodings, full Unicode).
import fc, { type Arbitrary } from 'fast-check';
import { weirdString } from './hostile.js';

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

/** A well-formed traceparent (sometimes all zeros, an `ff` version or a future version's tail). */
const wellFormedTraceparent: Arbitrary<string> = fc
  .record({
    version: fc.constantFrom('00', '01', 'fe', 'ff', 'cc'),
    traceId: fc.oneof(hex(32), fc.constant('0'.repeat(32))),
    spanId: fc.oneof(hex(16), fc.constant('0'.repeat(16))),
    flags: fc.oneof(hex(2), fc.constantFrom('00', '01', 'ff')),
    tail: fc.oneof(
      fc.constant(''),
      fc.string({ maxLength: 20 }).map((t) => `-${t}`),
    ),
  })
  .map(
    ({ version, traceId, spanId, flags, tail }) =>
      `${version}-${traceId}-${spanId}-${flags}${tail}`,
  );

/** A traceparent a mutation or two away from a valid one. */
const nearTraceparent: Arbitrary<string> = fc
  .tuple(
    wellFormedTraceparent,
    fc.nat(60),
    fc.oneof(weirdString, fc.constantFrom('-', ' ', 'Z', '')),
  )
  .map(([value, at, insert]) => value.slice(0, at) + insert + value.slice(at + 1));

/** Oversized values: long runs of a character or of a pattern. */
const oversized: Arbitrary<string> = fc
  .record({
    unit: fc.constantFrom('a', ',', '=', ';', '%', '%2', '%E0%A4%A', 'k=v,', ' ', '-', '😀', '\t'),
    count: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 2_000, max: 12_000 })),
  })
  .map(({ unit, count }) => unit.repeat(count));

export const traceparentValue: Arbitrary<string> = fc.oneof(
  wellFormedTraceparent,
  nearTraceparent,
  weirdString,
  oversized,
);

/** A tracestate: list members, valid or not, near its 512-character limit and past it. */
export const tracestateValue: Arbitrary<string> = fc.oneof(
  fc
    .array(
      fc.oneof(
        fc
          .tuple(fc.stringMatching(/^[a-z][a-z0-9_*/@-]{0,20}$/), fc.string({ maxLength: 20 }))
          .map(([k, v]) => `${k}=${v}`),
        weirdString,
      ),
      { maxLength: 40 },
    )
    .map((members) => members.join(',')),
  oversized,
  weirdString,
);

const percentEncoded: Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }).map((s) => {
    try {
      return encodeURIComponent(s);
    } catch {
      return s; // a lone surrogate cannot be encoded: send it raw
    }
  }),
  fc.constantFrom('%', '%%', '%zz', '%E0%A4%A', '%C0%AF', '%00', '%FF', '%2C', '%3D', '%3B'),
);

const baggageMember: Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'stepmark=1',
    'stepmark=0',
    'stepmark=1;ttl=3',
    ' stepmark = 1 ',
    'stepmark=%31',
    'STEPMARK=1',
  ),
  fc.constantFrom('stepmark.sig=AAAAAAAAAAAAAAAAAAAAAA', 'stepmark.sig=', 'stepmark.sig=%%%'),
  fc
    .tuple(
      fc.oneof(percentEncoded, weirdString),
      fc.oneof(percentEncoded, weirdString),
      fc.option(weirdString),
    )
    .map(([k, v, p]) => `${k}=${v}${p === null ? '' : `;${p}`}`),
  weirdString,
);

/** A baggage header: members valid and not, many commas, up to and past its 8,192-byte limit. */
export const baggageValue: Arbitrary<string> = fc.oneof(
  fc.array(baggageMember, { maxLength: 30 }).map((m) => m.join(',')),
  fc
    .tuple(fc.array(baggageMember, { maxLength: 3 }), fc.integer({ min: 150, max: 260 }))
    .map(([m, n]) =>
      [...m, ...Array.from({ length: n }, (_, i) => `k${i}=v`), 'stepmark=1'].join(','),
    ),
  oversized,
  oversized.map((o) => `stepmark=1,${o}`),
);

/** Values of a trigger header (`X-Stepmark`): the ones that mean "on", and anything else. */
export const triggerValue: Arbitrary<string> = fc.oneof(
  fc.constantFrom('1', 'true', ' TRUE ', 'yes', 'on', 'On', 'true\t', '0', 'false', ''),
  weirdString,
  oversized,
);
