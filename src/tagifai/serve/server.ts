/**
 * The API and dashboard listening on a port, with a bounded graceful shutdown (in-flight requests
 * finish, within a bound) and a model reload. The process's signals are the caller's: `tagifai
 * serve` (src/cli/serve-command.ts) maps SIGHUP to `reload` and SIGTERM / SIGINT to `close`.
 */
import type { AddressInfo } from "node:net";
import { logger } from "../../config/config.js";
import { TagifaiError } from "../errors.js";
import { type AppOptions, buildApp } from "./app.js";
import type { ReloadResult } from "./live-model.js";

/** How to start the server. */
export interface ServerOptions extends AppOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; default 8000, 0 for any free port. */
  port?: number;
}

/** A listening server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8000`. */
  url: string;
  /**
   * Stop accepting connections, let in-flight requests finish (for at most the shutdown timeout,
   * then cut their connections), then release the model and store.
   */
  close(): Promise<void>;
  /** Load the run again and swap it in without dropping requests. */
  reload(): Promise<ReloadResult>;
}

/**
 * Start the API and dashboard.
 * @param options host, port, run reference, tracking URI, limits
 * @returns the server's URL and its close and reload functions
 * @throws TagifaiError INVALID_INPUT naming a port in use or an address that cannot be bound; what
 *   `buildApp` throws
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const { app, reload, timeouts } = await buildApp(options);
  const host = options.host ?? "127.0.0.1";
  try {
    await app.listen({ host, port: options.port ?? 8000 });
  } catch (error) {
    await app.close();
    throw listenError(error, host, options.port ?? 8000) ?? error;
  }
  const { address, port, family } = app.server.address() as AddressInfo;
  const url = `http://${family === "IPv6" ? `[${address}]` : address}:${port}`;

  const close = async () => {
    // Closing stops accepting and waits for in-flight requests; one that is still not done at the
    // deadline (a client trickling its body in) has its connection cut, so closing is bounded.
    const deadline = setTimeout(() => {
      logger.warn(`Requests still in flight after ${timeouts.shutdownMs} ms: closing their connections`);
      app.server.closeAllConnections();
    }, timeouts.shutdownMs);
    try {
      await app.close();
    } finally {
      clearTimeout(deadline);
    }
  };
  logger.info(`Tagifai API at ${url} (docs: ${url}/docs, dashboard: ${url}/dashboard/)`);
  return { url, close, reload };
}

/** A clear error for an address the server cannot listen on, or undefined for any other error. */
function listenError(error: unknown, host: string, portNumber: number): TagifaiError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${portNumber}`;
  if (code === "EADDRINUSE")
    return new TagifaiError(
      "INVALID_INPUT",
      `port ${portNumber} is already in use (${where}): choose another with --port`,
    );
  if (code === "EACCES")
    return new TagifaiError("INVALID_INPUT", `no permission to listen on ${where}: use a port above 1023`);
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
    return new TagifaiError(
      "INVALID_INPUT",
      `cannot listen on ${where}: no such local address (--host "${host}")`,
    );
  return undefined;
}
