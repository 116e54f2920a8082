/**
 * Process signals: how an interrupted job (a training run, a study's trial) records how it ended
 * before the process exits.
 */

/**
 * Until the returned function is called, turn Ctrl-C (SIGINT) and SIGTERM into `cleanup(signal)`
 * followed by an exit with the conventional code (130 / 143), so that an interrupted job records
 * how it ended instead of leaving its state RUNNING. A second signal during cleanup is ignored.
 * @param cleanup what to do before exiting; a failure is reported with `onCleanupError`
 * @param onCleanupError called with the cleanup's error, if any
 * @returns a function that removes the handlers
 */
export function onTerminationSignal(
  cleanup: (signal: NodeJS.Signals) => Promise<unknown>,
  onCleanupError: (error: unknown) => void,
): () => void {
  let exiting = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (exiting) return;
    exiting = true;
    cleanup(signal)
      .catch(onCleanupError)
      .finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
