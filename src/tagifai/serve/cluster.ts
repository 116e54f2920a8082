/**
 * Serving on every core: a primary process and N worker processes (node:cluster) that share the
 * port, each running the whole API server (`startServer`) with its own copy of the model.
 *
 * - A reload (`POST /reload` on any worker, or the primary's `reload`, which `tagifai serve` maps
 *   to SIGHUP) is rolled through the workers one at a time: each swaps its model without dropping a
 *   request (`ModelSlot`), and the others keep serving meanwhile; the roll stops at the first
 *   worker whose reload fails (it keeps its old model).
 * - A worker that dies is replaced after a backoff (250 ms, doubling with each death in a row
 *   before a replacement is listening, at most 8 s). When `MAX_START_FAILURES` replacements in a row
 *   die before listening (a crash loop), the primary gives up: it stops every worker and `done`
 *   rejects naming the last failure.
 * - `close` asks every worker to shut down gracefully (in-flight requests finish within the
 *   shutdown timeout); one still running after that bound and a grace second is killed.
 *
 * No function here ends a process: the worker entry (src/serve-worker.ts) runs `runClusterWorker`,
 * and a worker process ends once its server is closed and its channel to the primary disconnected.
 */
import cluster, { type Worker } from "node:cluster";
import { fileURLToPath } from "node:url";
import { logger } from "../../config/config.js";
import type { Device } from "../device.js";
import { type ErrorCode, TagifaiError } from "../errors.js";
import { workerEntry } from "../worker-thread.js";
import type { ReloadResult } from "./live-model.js";
import { type RunningServer, type ServerOptions, startServer } from "./server.js";
import { DEFAULT_TIMEOUTS } from "./timeouts.js";

/** Replacements in a row dying before they listen, after which the primary gives up. */
export const MAX_START_FAILURES = 5;

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 8_000;
/** Extra time a worker gets to exit after its shutdown timeout, before it is killed. */
const EXIT_GRACE_MS = 1_000;

/** What a worker process is started with (JSON: no functions). */
export interface ClusterWorkerOptions extends Omit<ServerOptions, "reloadAll"> {
  device: Device;
}

/** How to start the cluster. */
export interface ClusterOptions extends ClusterWorkerOptions {
  /** Worker processes (≥ 1). */
  workers: number;
}

/** A running cluster, seen from its primary. */
export interface RunningCluster {
  /** Base URL the workers share. */
  url: string;
  /** Roll a reload through the workers, one at a time; resolves with the first worker's result. */
  reload(): Promise<ReloadResult>;
  /** Shut every worker down gracefully; resolves once all have exited. */
  close(): Promise<void>;
  /** Settles when the cluster has stopped: resolves after `close`, rejects when it gave up. */
  done: Promise<void>;
  /** The process ids of the workers now running. */
  workerPids(): number[];
}

/** Messages between the primary and a worker. */
type ToWorker =
  | { type: "reload"; id: number }
  | { type: "rolled"; id: number; result?: ReloadResult; error?: Failure }
  | { type: "close" };
type FromWorker =
  | { type: "listening"; url: string }
  | { type: "failed"; error: Failure }
  | { type: "reloaded"; id: number; result?: ReloadResult; error?: Failure }
  | { type: "reload-request"; id: number };

/** An error as it crosses a process boundary. */
interface Failure {
  code?: string;
  message: string;
}

const toFailure = (error: unknown): Failure => ({
  ...(error instanceof TagifaiError ? { code: error.code } : {}),
  message: error instanceof Error ? error.message : String(error),
});
const fromFailure = ({ code, message }: Failure): Error =>
  code === undefined ? new Error(message) : new TagifaiError(code as ErrorCode, message);

/** Send a message to a worker; one that has just exited or disconnected misses it (no error). */
function tell(worker: Worker, message: ToWorker): void {
  if (worker.isConnected()) worker.send(message, undefined, () => {});
}

/** The worker entry, beside the `tagifai` entry (`.ts` when run from source). */
const WORKER_ENTRY = fileURLToPath(workerEntry("../../serve-worker", import.meta.url));

/** From source, a worker process needs the TypeScript loader (a test runner may not pass it on). */
function workerExecArgv(): string[] {
  const fromSource = WORKER_ENTRY.endsWith(".ts") && !process.execArgv.some((arg) => arg.includes("tsx"));
  return fromSource ? [...process.execArgv, "--import", "tsx"] : process.execArgv;
}

/**
 * Start the primary: fork the workers and wait until all listen.
 * @param options the server's options, the device and the number of workers
 * @returns the running cluster
 * @throws TagifaiError what a worker failed to start with (e.g. a port in use, a run not found);
 *   then no worker is left running
 */
export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const { workers: count, ...workerOptions } = options;
  const shutdownMs = options.timeouts?.shutdownMs ?? DEFAULT_TIMEOUTS.shutdownMs;
  cluster.setupPrimary({
    exec: WORKER_ENTRY,
    args: [JSON.stringify(workerOptions)],
    execArgv: workerExecArgv(),
  });

  const listening = new Set<Worker>();
  const all = new Set<Worker>();
  const replies = new Map<number, (message: Extract<FromWorker, { type: "reloaded" }>) => void>();
  let nextId = 1;
  let closing = false;
  let startFailures = 0;
  let url = "";
  let rolling: Promise<unknown> = Promise.resolve();
  let settle: { resolve(): void; reject(error: Error): void } = { resolve() {}, reject() {} };
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  done.catch(() => {}); // the caller may only look at it later
  let starting: { resolve(): void; reject(error: Error): void } | undefined;

  const reloadWorker = (worker: Worker) =>
    new Promise<ReloadResult>((resolve, reject) => {
      const id = nextId++;
      replies.set(id, (reply) => (reply.result ? resolve(reply.result) : reject(fromFailure(reply.error!))));
      tell(worker, { type: "reload", id });
    });
  const rollReload = (): Promise<ReloadResult> => {
    const roll = rolling.then(async () => {
      let first: ReloadResult | undefined;
      for (const worker of [...listening]) {
        const result = await reloadWorker(worker);
        first ??= result;
      }
      if (!first) throw new TagifaiError("MODEL_NOT_FOUND", "no worker is serving: nothing to reload");
      logger.info(`Reloaded ${listening.size} worker(s): serving run ${first.runId}`);
      return first;
    });
    rolling = roll.catch(() => undefined);
    return roll;
  };

  const fork = (): Worker => {
    const worker = cluster.fork();
    all.add(worker);
    let lastFailure: Failure | undefined;
    worker.on("message", (message: FromWorker) => {
      if (message.type === "listening") {
        url = message.url;
        listening.add(worker);
        startFailures = 0;
        if (starting && listening.size === count) starting.resolve();
      } else if (message.type === "failed") {
        lastFailure = message.error;
        starting?.reject(fromFailure(message.error));
      } else if (message.type === "reloaded") {
        replies.get(message.id)?.(message);
        replies.delete(message.id);
      } else if (message.type === "reload-request")
        rollReload().then(
          (result) => tell(worker, { type: "rolled", id: message.id, result }),
          (error: unknown) => tell(worker, { type: "rolled", id: message.id, error: toFailure(error) }),
        );
    });
    worker.on("exit", (code, signal) => {
      const wasListening = listening.delete(worker);
      all.delete(worker);
      if (closing) {
        if (all.size === 0) settle.resolve();
        return;
      }
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const why = lastFailure ? `: ${lastFailure.message}` : "";
      if (starting)
        return starting.reject(
          lastFailure
            ? fromFailure(lastFailure)
            : new TagifaiError("SERVER_FAILED", `a worker exited (${how}) before it listened`),
        );
      if (!wasListening) startFailures++;
      if (startFailures >= MAX_START_FAILURES) {
        giveUp(
          new TagifaiError(
            "SERVER_FAILED",
            `${startFailures} workers in a row died before they listened (last: ${how}${why}): giving up`,
          ),
        );
        return;
      }
      const delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** startFailures);
      logger.warn(`Worker ${worker.process.pid} died (${how}${why}): replacing it in ${delay} ms`);
      setTimeout(() => {
        if (!closing) fork();
      }, delay).unref();
    });
    return worker;
  };

  const close = async () => {
    if (!closing) {
      closing = true;
      if (all.size === 0) settle.resolve();
      for (const worker of all) tell(worker, { type: "close" });
      const deadline = setTimeout(() => {
        for (const worker of all) worker.process.kill("SIGKILL");
      }, shutdownMs + EXIT_GRACE_MS);
      deadline.unref();
      done.finally(() => clearTimeout(deadline)).catch(() => {});
    }
    await done.catch(() => {});
  };
  const giveUp = (error: Error) => {
    logger.error(error.message);
    settle.reject(error);
    void close();
  };

  try {
    await new Promise<void>((resolve, reject) => {
      starting = { resolve, reject };
      for (let i = 0; i < count; i++) fork();
    });
  } catch (error) {
    await close();
    throw error;
  } finally {
    starting = undefined;
  }
  logger.info(`Serving on ${count} worker process(es) at ${url}`);
  return {
    url,
    reload: rollReload,
    close,
    done,
    workerPids: () => [...listening].map((w) => w.process.pid!),
  };
}

/**
 * Run one cluster worker, in a process the primary forked: start the server (its `POST /reload`
 * asks the primary to roll the reload), tell the primary it listens (or why it could not start),
 * then reload and close when told. SIGINT and SIGTERM are the primary's to act on (a terminal's
 * Ctrl-C reaches every process of the group); losing the primary closes the server.
 * @param options the server's options (the device is already set up)
 */
export async function runClusterWorker(options: Omit<ClusterWorkerOptions, "device">): Promise<void> {
  const send = (message: FromWorker) => {
    // A message to a primary that is gone is dropped (the disconnect closes this worker).
    if (process.connected) process.send!(message, undefined, {}, () => {});
  };
  const pending = new Map<number, (message: Extract<ToWorker, { type: "rolled" }>) => void>();
  let nextId = 1;
  const reloadAll = () =>
    new Promise<ReloadResult>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, (reply) => (reply.result ? resolve(reply.result) : reject(fromFailure(reply.error!))));
      send({ type: "reload-request", id });
    });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => {});

  let server: RunningServer;
  try {
    server = await startServer({ ...options, reloadAll });
  } catch (error) {
    send({ type: "failed", error: toFailure(error) });
    process.disconnect();
    return;
  }
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= server.close().finally(() => {
      if (process.connected) process.disconnect();
      process.removeAllListeners("message");
    });
    return closing;
  };
  process.on("message", (message: ToWorker) => {
    if (message.type === "close") void close();
    else if (message.type === "rolled") {
      pending.get(message.id)?.(message);
      pending.delete(message.id);
    } else if (message.type === "reload")
      server.reload().then(
        (result) => send({ type: "reloaded", id: message.id, result }),
        (error: unknown) => send({ type: "reloaded", id: message.id, error: toFailure(error) }),
      );
  });
  process.on("disconnect", () => void close());
  send({ type: "listening", url: server.url });
}
