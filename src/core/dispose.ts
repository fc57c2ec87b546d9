/**
 * `Symbol.dispose`, which exists from Node 20 on (what `using` calls); the fallback keeps older
 * runtimes from crashing on a missing symbol.
 */
export const DISPOSE: typeof Symbol.dispose =
  Symbol.dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);
