import { useEffect, useState } from 'react';

/** The current time, ticking once a second only while `active` (a member is down), so idle screens stay still. */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    // Only a ticking clock is read; a still screen keeps its first render (no second one on mount).
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}
