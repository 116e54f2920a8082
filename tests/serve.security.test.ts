/**
 * The API against hostile or careless requests: who may reload the model over HTTP (a token, JSON,
 * no cross-origin caller), the security headers of every response, 405 for a known path with the
 * wrong method, a `__proto__` key, an over-long URL, and no server file path in an error. The
 * server has no model (an empty store) unless a test logs a run: these are about the HTTP layer.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { withStore } from "../src/tagifai/lifecycle.js";
import { type AppOptions, buildApp } from "../src/tagifai/serve/app.js";
import { type RunningServer, startServer } from "../src/tagifai/serve/server.js";

const TOKEN = "s3cret-token-for-tests-0123456789";

let app: FastifyInstance;
const others: FastifyInstance[] = [];

/** A new, empty tracking store. */
function emptyStore(): string {
  return `sqlite:${join(mkdtempSync(join(tmpdir(), "serve-security-")), "tracking.db")}`;
}

async function build(options: AppOptions = {}): Promise<FastifyInstance> {
  const built = await buildApp({ trackingUri: emptyStore(), ...options });
  others.push(built.app);
  return built.app;
}

beforeAll(async () => {
  app = (await buildApp({ trackingUri: emptyStore(), reloadToken: TOKEN })).app;
});

afterEach(async () => {
  await Promise.all(others.splice(0).map((other) => other.close()));
});

afterAll(async () => {
  await app?.close();
});

/** `POST /reload` with a JSON body, the right token and no Origin, unless `headers` say otherwise. */
function reload(target: FastifyInstance, headers: Record<string, string | undefined> = {}, payload = "{}") {
  const all: Record<string, string | undefined> = {
    host: "127.0.0.1:8000",
    authorization: `Bearer ${TOKEN}`,
    "content-type": "application/json",
    ...headers,
  };
  const sent = Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >;
  return target.inject({ method: "POST", url: "/reload", headers: sent, payload });
}

describe("POST /reload", () => {
  it("is disabled unless a token is configured, and says how to enable it", async () => {
    const plain = await build();
    const answer = await reload(plain);
    expect(answer.statusCode).toBe(403);
    expect(answer.json().message).toMatch(/TAGIFAI_RELOAD_TOKEN.*--reload-token-file.*SIGHUP/);
  });

  it("refuses a missing or wrong token with a 401 asking for a bearer token", async () => {
    for (const authorization of [undefined, "Bearer wrong", `Basic ${TOKEN}`, TOKEN, `Bearer ${TOKEN}x`]) {
      const answer = await reload(app, { authorization });
      expect(answer.statusCode).toBe(401);
      expect(answer.headers["www-authenticate"]).toBe("Bearer");
      expect(answer.json()).toMatchObject({ "status-code": 401, data: null });
    }
  });

  it("refuses a cross-origin caller even with the token, and a body that is not JSON", async () => {
    for (const origin of ["http://evil.example", "null", "http://127.0.0.1:9999"]) {
      const answer = await reload(app, { origin });
      expect(answer.statusCode).toBe(403);
      expect(answer.json().message).toMatch(/cross-origin/);
    }
    for (const contentType of [undefined, "text/plain", "application/x-www-form-urlencoded"]) {
      const answer = await reload(app, { "content-type": contentType }, "x=1");
      expect(answer.statusCode).toBe(415);
      expect(answer.json().message).toMatch(/Content-Type: application\/json/);
    }
  });

  it("accepts the token from a same-origin page or a client without Origin", async () => {
    // The store is empty, so a reload that got through says there is no run to load.
    for (const origin of [undefined, "http://127.0.0.1:8000"]) {
      const answer = await reload(app, { origin });
      expect(answer.statusCode).toBe(404);
      expect(answer.json().message).toMatch(/no FINISHED run/);
    }
  });

  it("reads the token from TAGIFAI_RELOAD_TOKEN or a token file, and refuses a short one", async () => {
    process.env.TAGIFAI_RELOAD_TOKEN = TOKEN;
    try {
      expect((await reload(await build())).statusCode).toBe(404);
    } finally {
      delete process.env.TAGIFAI_RELOAD_TOKEN;
    }
    const file = join(mkdtempSync(join(tmpdir(), "token-")), "reload-token");
    writeFileSync(file, `${TOKEN}\n`);
    expect((await reload(await build({ reloadTokenFile: file }))).statusCode).toBe(404);
    await expect(build({ reloadToken: "short" })).rejects.toThrow(/at least 16 characters/);
    await expect(build({ reloadTokenFile: `${file}.missing` })).rejects.toThrow(/reload-token\.missing/);
  });

  it("does not leak server file paths when a reload fails", async () => {
    const trackingUri = emptyStore();
    const target = await build({ trackingUri, reloadToken: TOKEN });
    const artifactRoot = mkdtempSync(join(tmpdir(), "broken-run-"));
    await withStore({ trackingUri }, async (store) => {
      const run = await store.createRun({
        experimentName: "tests",
        runName: "broken",
        params: {},
        artifactRoot,
      });
      await store.endRun(run.id, "FINISHED");
    });
    const answer = await reload(target);
    expect(answer.statusCode).toBe(500);
    expect(answer.json().message).toMatch(/artifact/i);
    expect(answer.body).not.toContain(tmpdir());
    expect(answer.body).not.toContain(artifactRoot);
  });
});

describe("headers", () => {
  it("sends X-Content-Type-Options: nosniff on every response", async () => {
    for (const url of ["/", "/nope", "/docs", "/docs/json", "/api/runs?limit=0"]) {
      const answer = await app.inject({ method: "GET", url });
      expect(answer.headers["x-content-type-options"], url).toBe("nosniff");
    }
  });

  it("sends a Content-Security-Policy that allows only the server's own scripts", async () => {
    const docs = await app.inject({ method: "GET", url: "/docs/static/index.html" });
    const policy = String(docs.headers["content-security-policy"]);
    expect(policy).toMatch(/default-src 'self'/);
    // Only the server's own scripts; WebAssembly may compile (in-browser inference), JavaScript eval may not.
    expect(policy).toMatch(/script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    expect(policy).toMatch(/frame-ancestors 'none'/);
    const health = await app.inject({ method: "GET", url: "/" });
    expect(health.headers["content-security-policy"]).toBe(policy);
  });
});

describe("routing", () => {
  it("answers a known path with the wrong method 405, listing the allowed ones", async () => {
    const cases: [string, string, string][] = [
      ["PUT", "/predict", "POST"],
      ["GET", "/predict", "POST"],
      ["GET", "/reload", "POST"],
      ["DELETE", "/api/runs/0123456789abcdef0123456789abcdef", "GET, HEAD"],
      ["POST", "/", "GET, HEAD"],
    ];
    for (const [method, url, allow] of cases) {
      const answer = await app.inject({ method: method as "GET", url });
      expect(answer.statusCode, `${method} ${url}`).toBe(405);
      expect(answer.headers.allow).toBe(allow);
      expect(answer.json()).toMatchObject({ "status-code": 405, method, data: null });
      expect(answer.json().message).toMatch(new RegExp(`${method} is not allowed on ${url}.*${allow}`));
    }
    expect((await app.inject({ method: "PUT", url: "/nope" })).statusCode).toBe(404);
  });

  it("treats a __proto__ key as valid JSON (dropped), not as invalid JSON", async () => {
    const body = (extra: string) =>
      app.inject({
        method: "POST",
        url: "/predict",
        headers: { "content-type": "application/json" },
        payload: `{${extra}"texts": [{"text": "a project"}]}`,
      });
    for (const extra of ['"__proto__": {"polluted": true}, ', '"constructor": {"prototype": {"x": 1}}, ']) {
      const answer = await body(extra);
      // Valid: it reaches the model, which this server does not have.
      expect(answer.statusCode).toBe(404);
      expect(answer.json().message).toMatch(/No model is loaded/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("over HTTP", () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ port: 0, trackingUri: emptyStore() });
  });

  afterAll(async () => {
    await server?.close();
  });

  it("answers a 60 KB URL with an enveloped 414, and over-large headers with an enveloped 431", async () => {
    const long = await fetch(`${server.url}/predict?q=${"x".repeat(60 * 1024)}`);
    expect(long.status).toBe(414);
    expect(long.headers.get("x-content-type-options")).toBe("nosniff");
    const body = await long.json();
    expect(body).toMatchObject({ "status-code": 414, data: null });
    expect(body.message).toMatch(/URL .*limit of 8192/);
    const huge = await fetch(`${server.url}/`, { headers: { "x-filler": "x".repeat(100 * 1024) } });
    expect(huge.status).toBe(431);
    expect((await huge.json())["status-code"]).toBe(431);
  });
});
