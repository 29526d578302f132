import { setMaxListeners } from 'node:events';

/** Answered by {@link Deadline.race} when the deadline passed before the call answered. */
export const ABANDONED = Symbol('abandoned');

/**
 * The deadline past which in-flight calls are abandoned: one timer for the whole run.
 * `race` answers {@link ABANDONED} for a call still pending then.
 */
export interface Deadline {
  signal: AbortSignal;
  race: <T>(promise: Promise<T>) => Promise<T | typeof ABANDONED>;
  clear: () => void;
}

/** A deadline `inMs` from now; one not in the future has passed already. */
export function startDeadline(inMs: number): Deadline {
  const abandon = new AbortController();
  // Every call of the run listens to this one signal: not a leak.
  setMaxListeners(0, abandon.signal);
  let onAbandon: () => void = () => undefined;
  const abandoned = new Promise<typeof ABANDONED>((resolve) => {
    onAbandon = () => resolve(ABANDONED);
  });
  const fire = () => {
    abandon.abort();
    onAbandon();
  };
  const timer = inMs > 0 ? setTimeout(fire, inMs) : undefined;
  if (timer === undefined) fire();
  timer?.unref?.();
  return {
    signal: abandon.signal,
    race: (promise) => {
      // An abandoned call may still settle later; its rejection must not go unhandled.
      promise.catch(() => undefined);
      return Promise.race([promise, abandoned]);
    },
    clear: () => {
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
