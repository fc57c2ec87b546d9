/** The W3C baggage entry that turns stepmark on downstream: `stepmark=1`. */
export const BAGGAGE_KEY = 'stepmark';
export const BAGGAGE_ON = '1';
