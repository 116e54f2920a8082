/**
 * The listening server's connection handling over raw sockets: a client that sends its body too
 * slowly is cut off, and closing the server finishes within its shutdown bound even while such
 * clients are connected. The server runs without a model (an empty store): these are about
 * connections, not predictions.
 */
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningServer, type ServerOptions, startServer } from "../src/tagifai/serve/server.js";

const running: RunningServer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(running.splice(0).map((server) => server.close()));
});

/** A server on a free port over a new, empty tracking store. */
async function start(options: ServerOptions = {}): Promise<RunningServer> {
  const trackingUri = `sqlite:${join(mkdtempSync(join(tmpdir(), "serve-server-")), "tracking.db")}`;
  const server = await startServer({ port: 0, trackingUri, ...options });
  running.push(server);
  return server;
}

/**
 * A client that sends the headers of a `POST /predict` announcing a 1000-byte body and, once the
 * server has taken the request (its `100 Continue`), one byte of the body every 50 ms. Collects
 * whatever the server answers.
 */
async function slowBodyClient(url: string): Promise<{ socket: Socket; received: () => string }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  sockets.push(socket);
  await once(socket, "connect");
  let received = "";
  socket.on("data", (chunk) => {
    received += chunk;
  });
  socket.on("error", () => {});
  socket.write(
    "POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
      "Content-Length: 1000\r\nExpect: 100-continue\r\n\r\n",
  );
  await once(socket, "data");
  expect(received).toMatch(/^HTTP\/1\.1 100 Continue/);
  received = "";
  const trickle = setInterval(() => {
    if (!socket.destroyed && socket.writable) socket.write(" ");
  }, 50);
  socket.once("close", () => clearInterval(trickle));
  return { socket, received: () => received };
}

describe("slow clients", () => {
  it("cuts off a client whose request body takes longer than the request timeout, with a 408", async () => {
    const server = await start({ timeouts: { requestMs: 300, headersMs: 300 } });
    const client = await slowBodyClient(server.url);
    // Node 24 resets the cut socket after the 408 (an "error" before "close"), which `once` would reject on.
    await new Promise((closed) => client.socket.once("close", closed));
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(client.received()).toMatch(/"status-code":408/);
    expect((await fetch(`${server.url}/`)).status).toBe(200);
  });

  it("closes within its shutdown bound while slow clients are connected", async () => {
    const server = await start({ timeouts: { requestMs: 120_000, headersMs: 60_000, shutdownMs: 300 } });
    const clients = await Promise.all(Array.from({ length: 5 }, () => slowBodyClient(server.url)));
    await server.close();
    running.splice(running.indexOf(server), 1);
    // Node 22 resets the cut sockets (an "error" before "close"), which `once` would turn into a rejection.
    await Promise.all(
      clients.map(({ socket }) =>
        socket.destroyed ? undefined : new Promise((closed) => socket.once("close", closed)),
      ),
    );
    await expect(fetch(`${server.url}/`)).rejects.toThrow();
  });

  it("refuses timeouts that are not positive, or a header timeout above the request timeout", async () => {
    await expect(start({ timeouts: { requestMs: 0 } })).rejects.toThrow(/requestMs/);
    await expect(start({ timeouts: { requestMs: 1000, headersMs: 5000 } })).rejects.toThrow(/headersMs/);
  });
});
