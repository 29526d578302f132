/** Calls `run` every `ms` while `active`, so a view follows what events do not announce. */
import { useEffect, useRef } from 'preact/hooks';

export function usePoll(run: () => void, ms: number, active: boolean): void {
  const latest = useRef(run);
  latest.current = run;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => latest.current(), ms);
    return () => clearInterval(timer);
  }, [ms, active]);
}
