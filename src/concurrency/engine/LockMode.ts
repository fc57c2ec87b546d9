/** How a lock is held: `shared` holders (readers) do not exclude, nor order, each other. */
export type LockMode = 'exclusive' | 'shared';

/** A lock a task held at an access, with its mode. */
export interface HeldLock {
  readonly id: string;
  readonly mode: LockMode;
}
