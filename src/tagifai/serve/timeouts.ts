/**
 * How long the server waits for clients: to send a request's headers and its whole body, between
 * requests on a kept-alive connection, on an idle socket, and for in-flight requests when it shuts
 * down. Without these a client that trickles its body in a byte at a time holds a connection (and,
 * on shutdown, the process) for as long as it likes.
 */
import type { ServerOptions } from "node:http";
import { z } from "zod";
import { parseWith } from "../schema.js";

/** The server's timeouts, in milliseconds. */
export interface Timeouts {
  /** Most time to receive a whole request, headers and body; past it the client gets a 408. */
  requestMs: number;
  /** Most time to receive a request's headers (at most `requestMs`). */
  headersMs: number;
  /** How long a kept-alive connection may wait for its next request. */
  keepAliveMs: number;
  /** How long a socket may stay silent (no byte in or out) before it is closed. */
  idleMs: number;
  /** How long closing waits for in-flight requests before it cuts their connections. */
  shutdownMs: number;
}

/** The timeouts used when none are given. */
export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = {
  requestMs: 30_000,
  headersMs: 10_000,
  keepAliveMs: 5_000,
  idleMs: 60_000,
  shutdownMs: 10_000,
};

const positive = z.number().int().positive();
const timeoutsSchema = z
  .object({
    requestMs: positive,
    headersMs: positive,
    keepAliveMs: positive,
    idleMs: positive,
    shutdownMs: positive,
  })
  .strict()
  .refine((timeouts) => timeouts.headersMs <= timeouts.requestMs, {
    path: ["headersMs"],
    message: "must not be more than requestMs",
  });

/**
 * The defaults overridden by `overrides`, checked; `headersMs` defaults to at most `requestMs`.
 * @param overrides some timeouts
 * @returns every timeout
 * @throws TagifaiError INVALID_INPUT naming a bad timeout
 */
export function resolveTimeouts(overrides: Partial<Timeouts> = {}): Timeouts {
  const requestMs = overrides.requestMs ?? DEFAULT_TIMEOUTS.requestMs;
  // A shorter request timeout given alone brings the header timeout down with it.
  const headersMs =
    requestMs > 0 ? Math.min(DEFAULT_TIMEOUTS.headersMs, requestMs) : DEFAULT_TIMEOUTS.headersMs;
  return parseWith(
    timeoutsSchema,
    { ...DEFAULT_TIMEOUTS, headersMs, ...overrides },
    { code: "INVALID_INPUT", what: "server timeouts" },
  );
}

/**
 * The node HTTP server options enforcing the request and header timeouts. Node checks them every
 * `connectionsCheckingInterval` (30 s by default, which would let a 300 ms timeout last 30 s), so
 * the check runs at a quarter of the shorter timeout, at most once a second.
 * @param timeouts the resolved timeouts
 */
export function httpTimeoutOptions(timeouts: Timeouts): ServerOptions {
  return {
    requestTimeout: timeouts.requestMs,
    headersTimeout: timeouts.headersMs,
    connectionsCheckingInterval: Math.max(
      10,
      Math.min(1000, Math.floor(Math.min(timeouts.requestMs, timeouts.headersMs) / 4)),
    ),
  };
}
