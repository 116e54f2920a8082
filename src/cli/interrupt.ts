/**
 * How the process entry points (src/cli.ts and src/optimize-worker.ts) turn SIGINT / SIGTERM into
 * an aborted AbortSignal and the conventional exit code (128 + the signal's number). Library code
 * only ever sees the AbortSignal.
 */

/** Exit codes after a termination signal (128 + the signal's number). */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/** A termination signal the entry points handle. */
export type TerminationSignal = keyof typeof SIGNAL_EXIT_CODES;

/** Thrown when a signal stopped the work: the exit code follows the signal. */
export class Interrupted extends Error {
  override readonly name = "Interrupted";

  constructor(readonly signal: TerminationSignal) {
    super(`Stopped by ${signal}`);
  }

  /** The exit code for this signal (130 / 143). */
  get exitCode(): number {
    return SIGNAL_EXIT_CODES[this.signal];
  }
}

/**
 * Run cancellable work: SIGINT / SIGTERM abort the signal `work` is given, and a second signal exits
 * at once. Once a signal was received the work ends with `Interrupted`, whatever it returned or threw
 * (the work itself decides what an abort means for what it was doing, e.g. a KILLED run).
 * @param work the work
 * @param onSignal told of the first signal (e.g. to log it)
 * @returns what `work` returns, when no signal came
 * @throws Interrupted after a signal; else what `work` throws
 */
export async function cancellable<T>(
  work: (signal: AbortSignal) => Promise<T>,
  onSignal: (signal: TerminationSignal) => void = () => {},
): Promise<T> {
  const controller = new AbortController();
  let received: TerminationSignal | undefined;
  const handle = (signal: TerminationSignal) => {
    if (received !== undefined) process.exit(SIGNAL_EXIT_CODES[signal]);
    received = signal;
    onSignal(signal);
    controller.abort();
  };
  process.on("SIGINT", handle);
  process.on("SIGTERM", handle);
  try {
    const result = await work(controller.signal);
    if (received === undefined) return result;
  } catch (error) {
    if (received === undefined) throw error;
  } finally {
    process.off("SIGINT", handle);
    process.off("SIGTERM", handle);
  }
  throw new Interrupted(received);
}
