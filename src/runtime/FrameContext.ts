import type { Context } from '@opentelemetry/api';

/**
 * A context that is `parent` plus one value under `key`, without copying `parent`: OTel's own
 * contexts copy their whole Map on every `setValue` (a few hundred nanoseconds), and a task or
 * region needs two values set (its span and itself). `setValue` and `deleteValue` make the full
 * copy once, on first use, and derive from it.
 */
export class FrameContext implements Context {
  #copy: Context | undefined = undefined;

  constructor(
    readonly parent: Context,
    readonly key: symbol,
    readonly value: unknown,
  ) {}

  getValue(key: symbol): unknown {
    return key === this.key ? this.value : this.parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return this.#materialized().setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.#materialized().deleteValue(key);
  }

  #materialized(): Context {
    return (this.#copy ??= this.parent.setValue(this.key, this.value));
  }
}
