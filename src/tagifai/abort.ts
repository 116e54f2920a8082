/**
 * Cancellation checkpoints. Library code never listens to process signals: a caller (the CLI, a
 * worker entry, a server) passes an AbortSignal, and long work checks it at checkpoints. Because a
 * process signal is only turned into `signal.aborted` when the event loop polls, a checkpoint first
 * lets the loop go round (twice, so that one poll phase surely runs) — otherwise a signal delivered
 * during synchronous work (a linear fit, writing files) would only be seen once everything that
 * follows without I/O had already run. No Node import: model modules that the dashboard bundles for
 * the browser import this one (checkpoints only run while training, in Node).
 */

/** Resolve on the event loop's next check phase (Node's `setImmediate`). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Let the event loop poll (so pending signals are handled), then throw if `signal` was aborted.
 * @param signal the caller's signal; without one, this only yields
 * @throws the signal's reason (an `AbortError` DOMException unless the caller gave another)
 */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return;
  await nextTurn();
  await nextTurn();
  signal.throwIfAborted();
}
