/**
 * The loop of a run's heartbeat, the same in its worker thread and on the main thread (see
 * `run-heartbeat.ts`): one beat at a time, every so often, none once stopped.
 */

/** What a heartbeat loop reports. */
export interface HeartbeatListener {
  /** A beat was refused: the run is no longer RUNNING. */
  refused(): void;
  /** A beat failed (e.g. the database is unreachable). */
  failed(message: string): void;
}

/**
 * Beat every `intervalMs` (first after one interval) from an unref'd timer of this thread.
 * @param beat records one heartbeat; resolves false if it was refused
 * @param intervalMs the interval
 * @param listener told of refused and failed beats
 * @returns stops the loop; resolves once the beat under way, if any, is done
 */
export function heartbeatLoop(
  beat: () => Promise<boolean>,
  intervalMs: number,
  listener: HeartbeatListener,
): { beatNow(): void; stop(): Promise<void> } {
  let stopped = false;
  let beating: Promise<void> = Promise.resolve();
  const beatNow = () => {
    // One beat at a time; none once stopped (the store may be closing).
    beating = beating.then(async () => {
      if (stopped) return;
      try {
        if (!(await beat())) listener.refused();
      } catch (error) {
        listener.failed((error as Error).message);
      }
    });
  };
  const timer = setInterval(beatNow, intervalMs);
  timer.unref();
  return {
    beatNow,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await beating;
    },
  };
}
