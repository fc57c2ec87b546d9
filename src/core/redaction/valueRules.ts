/**
 * What `redactValues` can find inside string values, whatever their key: `'jwt'` (a JSON Web
 * Token), `'bearer'` (an `Authorization: Bearer` credential), `'card'` (13 to 19 digits, spaces or
 * dashes between them allowed, that pass the Luhn check), or a RegExp of your own.
 */
export type ValueRule = 'jwt' | 'bearer' | 'card' | RegExp;

/** Replaces what one rule finds in a string. */
type Scrub = (text: string, replacement: string) => string;

// Header and payload of a JWT are base64url JSON objects, so both start with `eyJ` ('{"').
const JWT = /\beyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]*/g;
const BEARER = /\bbearer\s+[\w~+/.-]+=*/gi;
// Bounded repetition: at most 19 digits, so no input makes this backtrack for long.
const CARD = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;

/** Whether the digits of `candidate` (spaces and dashes ignored) pass the Luhn check. */
export function passesLuhn(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** A global copy of a caller's RegExp, so that `replace` finds every match (and no `lastIndex` is shared). */
function globalCopy(pattern: RegExp): RegExp {
  return new RegExp(
    pattern.source,
    pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
  );
}

/** The scrub of one rule; a TypeError for anything that is not a rule. */
export function scrubOf(rule: ValueRule): Scrub {
  if (rule === 'jwt') return (text, r) => text.replace(JWT, r);
  if (rule === 'bearer') return (text, r) => text.replace(BEARER, r);
  if (rule === 'card') {
    return (text, r) => text.replace(CARD, (match) => (passesLuhn(match) ? r : match));
  }
  if (rule instanceof RegExp) {
    const pattern = globalCopy(rule);
    return (text, r) => text.replace(pattern, r);
  }
  throw new TypeError(
    `stepmark-otel: redactValues: expected 'jwt', 'bearer', 'card' or a RegExp, got ${String(rule)}`,
  );
}
