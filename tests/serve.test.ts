/**
 * API tests over real HTTP against a server serving a real quick run: every endpoint, every error
 * path, the envelope, the OpenAPI docs, and a reload under concurrent load.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { loadArtifactsFromDir } from "../src/tagifai/artifacts.js";
import { withStore } from "../src/tagifai/lifecycle.js";
import { trainModel } from "../src/tagifai/operations.js";
import type { StudyResult } from "../src/tagifai/optimize/study.js";
import { predict as predictTexts } from "../src/tagifai/predict.js";
import { buildApp } from "../src/tagifai/serve/app.js";
import { type RunningServer, startServer } from "../src/tagifai/serve/server.js";
import { openStore } from "../src/tagifai/tracking.js";
import { BACKENDS } from "./fixtures/tracking/harness.js";
import { overflowWeights } from "./helpers/corrupt-model.js";
import { runTestStudy } from "./helpers/study.js";
import { type TrainedHome, trainTestRun } from "./helpers/trained-run.js";

const LIMITS = { maxTexts: 5, maxTextLength: 1000, maxBodyBytes: 16 * 1024 };
const TOKEN = "reload-token-for-the-api-tests";

let trained: TrainedHome;
let study: StudyResult;
let server: RunningServer;

beforeAll(async () => {
  trained = await trainTestRun();
  study = await runTestStudy(trained.trackingUri, "tuning");
  server = await startServer({
    port: 0,
    trackingUri: trained.trackingUri,
    limits: LIMITS,
    reloadToken: TOKEN,
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
  body: any;
}

/** Send a request; a string body is sent as is (with a JSON content type unless told otherwise). */
async function call(
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? headers : { "content-type": contentType, ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const predict = (texts: unknown) => call("POST", "/predict", { texts });

/** Expect an enveloped error with this status and a message matching `message`. */
function expectError(answer: Answer, status: number, message: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.body["status-code"]).toBe(status);
  expect(answer.body.message).toMatch(message);
  expect(answer.body.data).toBeNull();
}

describe("envelope and health", () => {
  it("GET / reports the loaded run inside the envelope", async () => {
    const { status, body } = await call("GET", "/");
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual([
      "data",
      "message",
      "method",
      "status-code",
      "timestamp",
      "url",
    ]);
    expect(body).toMatchObject({ message: "OK", method: "GET", "status-code": 200, url: "/" });
    expect(Date.parse(body.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(body.data).toMatchObject({ model_loaded: true, run_id: trained.runId });
    expect(body.data.uptime_s).toBeGreaterThanOrEqual(0);
  });

  it("GET / says which model answers: registered versions, run, validation and test F1", async () => {
    const run = await withStore({ trackingUri: trained.trackingUri }, (store) => store.getRun(trained.runId));
    expect(run.metrics.val_f1).toEqual(expect.any(Number));
    expect((await call("GET", "/")).body.data.model).toEqual({
      run_id: trained.runId,
      run_name: run.name,
      registered: [],
      val_f1: run.metrics.val_f1,
      test_f1: run.metrics.f1,
    });
    // An alias moved in the registry shows at once, without a reload.
    await withStore({ trackingUri: trained.trackingUri }, async (store) => {
      await store.registerModel(trained.runId, "served");
      await store.setAlias("served", 1, "production");
    });
    expect((await call("GET", "/")).body.data.model.registered).toEqual([
      { name: "served", version: 1, aliases: ["production"] },
    ]);
  });

  it("never echoes the Host header into the envelope", async () => {
    const { port } = new URL(server.url);
    const body = await new Promise<string>((resolve, reject) => {
      const request = httpRequest(
        { host: "127.0.0.1", port, path: "/?x=1", headers: { host: "<script>alert(1)</script>" } },
        (response) => {
          let text = "";
          response.on("data", (chunk) => {
            text += chunk;
          });
          response.on("end", () => resolve(text));
        },
      );
      request.on("error", reject).end();
    });
    expect(body).not.toMatch(/script/);
    expect(JSON.parse(body).url).toBe("/?x=1");
  });

  it("answers an unknown route with an enveloped 404", async () => {
    const answer = await call("GET", "/nope?x=1");
    expectError(answer, 404, /No route GET \/nope/);
    expect(answer.body.method).toBe("GET");
  });
});

describe("POST /predict", () => {
  it("predicts tags with every tag's probability, highest first", async () => {
    const text = "Transfer learning with transformers for text classification.";
    const { status, body } = await predict([{ text }]);
    expect(status).toBe(200);
    expect(body.data.run_id).toBe(trained.runId);
    const [prediction] = body.data.predictions;
    expect(prediction.input_text).toBe(text);
    expect(prediction.preprocessed_text).toMatch(/transfer learning/);
    const probabilities = Object.values(prediction.probabilities) as number[];
    expect(probabilities.length).toBeGreaterThan(1);
    expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
    const { threshold } = (await call("GET", "/params/threshold")).body.data.params;
    const above = Object.keys(prediction.probabilities).filter(
      (tag) => prediction.probabilities[tag] >= threshold,
    );
    expect(prediction.predicted_tags).toEqual(above);
  });

  it("keeps the order of several texts, and concurrent requests each get their own", async () => {
    const texts = ["Image segmentation with U-Net", "Graph neural networks survey", "Speech recognition"];
    const { body } = await predict(texts.map((text) => ({ text })));
    expect(body.data.predictions.map((p: { input_text: string }) => p.input_text)).toEqual(texts);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => predict([{ text: `project number ${i}` }])),
    );
    answers.forEach((answer, i) => {
      expect(answer.status).toBe(200);
      expect(answer.body.data.predictions.map((p: { input_text: string }) => p.input_text)).toEqual([
        `project number ${i}`,
      ]);
    });
  });

  it.each([
    ["a wrong type", [{ text: 42 }], /texts\[0\]\.text: expected string, got number 42/],
    ["texts not an array", "a text", /texts: .*expected array/],
    ["no texts", [], /texts: must hold at least one text/],
    ["a blank text", [{ text: "   " }], /texts\[0\]\.text: must not be empty/],
    ["too many texts", Array.from({ length: 6 }, () => ({ text: "x" })), /texts: must hold at most 5 texts/],
    ["a too long text", [{ text: "x".repeat(1001) }], /texts\[0\]\.text: must have at most 1000 characters/],
    ["an unknown field", [{ text: "x", lang: "en" }], /texts\[0\]\.lang: unknown key/],
  ])("refuses %s with a 422 naming the problem", async (_, texts, message) => {
    expectError(await predict(texts), 422, message);
  });

  it("refuses a body without texts, bad JSON, a wrong media type and an over-large body", async () => {
    expectError(await call("POST", "/predict", {}), 422, /texts: expected array, got missing/);
    expectError(await call("POST", "/predict", '{"texts": [{"text": "x"'), 400, /JSON/);
    expectError(
      await call("POST", "/predict", "texts", "text/plain"),
      422,
      /Invalid body: .*expected object/,
    );
    expectError(await call("POST", "/predict", "<texts/>", "application/xml"), 415, /Unsupported Media Type/);
    const big = JSON.stringify({ texts: [{ text: "x".repeat(LIMITS.maxBodyBytes) }] });
    expectError(await call("POST", "/predict", big), 413, /larger than the limit of 16384 bytes/);
  });
});

describe("params and performance", () => {
  it("GET /params and GET /params/:param give the served run's params", async () => {
    const all = await call("GET", "/params");
    expect(all.status).toBe(200);
    expect(all.body.data.params).toMatchObject({
      seed: 1234,
      cnn: { char_level: true, num_epochs: 1 },
    });
    const one = await call("GET", "/params/threshold");
    expect(one.body.data).toEqual({ params: { threshold: all.body.data.params.threshold } });
  });

  it("refuses an unknown param, naming the known ones", async () => {
    expectError(await call("GET", "/params/learning_rate"), 422, /param: .*"threshold"/);
  });

  it("GET /performance gives the whole report or the filtered section", async () => {
    const all = await call("GET", "/performance");
    expect(all.body.data.run_id).toBe(trained.runId);
    expect(Object.keys(all.body.data.performance)).toEqual(
      expect.arrayContaining(["overall", "class", "slices"]),
    );
    const overall = await call("GET", "/performance?filter=overall");
    expect(overall.body.data.performance).toEqual(all.body.data.performance.overall);
    const perClass = await call("GET", "/performance?filter=class");
    expect(Object.keys(perClass.body.data.performance).length).toBeGreaterThan(1);
    const slices = await call("GET", "/performance?filter=slices");
    expect(slices.body.data.performance).toEqual(all.body.data.performance.slices);
  });

  it("refuses an unknown filter or query parameter", async () => {
    expectError(await call("GET", "/performance?filter=best"), 422, /filter: .*"overall"\|"class"\|"slices"/);
    expectError(
      await call("GET", "/performance?filer=class"),
      422,
      /filer: unknown key; did you mean filter\?/,
    );
  });
});

describe("runs", () => {
  it("GET /api/runs lists the tracked runs, filtered by experiment", async () => {
    const { body } = await call("GET", "/api/runs?experiment=tests&limit=10");
    const run = body.data.runs.find((r: { run_id: string }) => r.run_id === trained.runId);
    expect(run).toMatchObject({ experiment: "tests", status: "FINISHED" });
    expect(run.metrics.f1).toBeTypeOf("number");
    expect(run).not.toHaveProperty("artifactUri");
  });

  it("GET /api/runs/:id gives one run; a malformed id is 422, an unknown one 404", async () => {
    const { body } = await call("GET", `/api/runs/${trained.runId}`);
    expect(body.data.run).toMatchObject({ run_id: trained.runId, params: { seed: 1234 } });
    expect(Date.parse(body.data.run.end_time)).toBeGreaterThanOrEqual(Date.parse(body.data.run.start_time));
    expectError(await call("GET", `/api/runs/${"A".repeat(32)}`), 422, /id: must be a run id/);
    expectError(await call("GET", "/api/runs/XYZ"), 422, /id: must be a run id/);
    expectError(await call("GET", `/api/runs/${"0".repeat(32)}`), 404, /not found/);
    expectError(await call("GET", `/api/runs/${"a".repeat(500)}`), 414, /exceeding the max param length/);
    expectError(await call("GET", "/api/runs/%zz"), 400, /not a valid url component/);
  });

  it("shows a RUNNING run whose heartbeat stopped as FAILED, reason lost, in GET /api/runs and GET /api/runs/:id", async () => {
    const store = await openStore(trained.trackingUri);
    let runId: string;
    try {
      runId = (await store.createRun({ experimentName: "lost-api", artifactRoot: trained.home })).id;
    } finally {
      await store.close();
    }
    const [sqlite] = BACKENDS;
    await sqlite.query(trained.trackingUri, `UPDATE runs SET heartbeat_at = 0 WHERE id = '${runId}'`);
    const { body } = await call("GET", `/api/runs/${runId}`);
    expect(body.data.run).toMatchObject({ run_id: runId, status: "FAILED", end_reason: "lost" });
    expect(body.data.run.end_time).not.toBeNull();
    const listed = await call("GET", "/api/runs?experiment=lost-api");
    expect(listed.body.data.runs).toEqual([body.data.run]);
    const finished = await call("GET", `/api/runs/${trained.runId}`);
    expect(finished.body.data.run.end_reason).toBeNull();
  });

  it("redirects the former paths /runs and /runs/:id to /api with a 308, keeping the query", async () => {
    for (const [from, to] of [
      ["/runs?experiment=tests&limit=10", "/api/runs?experiment=tests&limit=10"],
      [`/runs/${trained.runId}`, `/api/runs/${trained.runId}`],
    ]) {
      const answer = await fetch(`${server.url}${from}`, { redirect: "manual" });
      expect(answer.status, from).toBe(308);
      expect(answer.headers.get("location")).toBe(to);
    }
    const followed = await call("GET", `/runs/${trained.runId}`);
    expect(followed.body.data.run.run_id).toBe(trained.runId);
  });

  it("refuses a bad limit and an unknown experiment", async () => {
    expectError(await call("GET", "/api/runs?limit=0"), 422, /limit: /);
    expectError(await call("GET", "/api/runs?limit=ten"), 422, /limit: /);
    expectError(await call("GET", "/api/runs?experiment=nope"), 404, /nope/);
  });

  it("GET /api/runs/:id/metrics gives the per-epoch history", async () => {
    const { body } = await call("GET", `/api/runs/${trained.runId}/metrics`);
    expect(body.data.history.train_loss).toHaveLength(1);
    expect(body.data.history.val_loss[0]).toMatchObject({
      step: expect.any(Number),
      value: expect.any(Number),
    });
    expectError(await call("GET", "/api/runs/123/metrics"), 422, /id: must be a run id/);
  });
});

describe("studies", () => {
  it("GET /api/studies lists the studies with trial counts by state and the best trial", async () => {
    const { status, body } = await call("GET", "/api/studies");
    expect(status).toBe(200);
    expect(body.data.studies).toHaveLength(1);
    const [listed] = body.data.studies;
    expect(listed).toMatchObject({
      name: "tuning",
      direction: "maximize",
      trial_counts: { RUNNING: 0, COMPLETE: 5, PRUNED: 1, FAILED: 1 },
      best_trial: {
        number: study.best!.number,
        state: "COMPLETE",
        value: study.best!.value,
        params: study.best!.params,
      },
    });
    expect(Date.parse(listed.created_at)).toBeGreaterThan(Date.now() - 600_000);
  });

  it("GET /api/studies/:name/trials gives the study and every trial, oldest first", async () => {
    const { status, body } = await call("GET", "/api/studies/tuning/trials");
    expect(status).toBe(200);
    expect(body.data.study.name).toBe("tuning");
    expect(body.data.trials).toEqual(
      study.trials.map((t) => ({
        number: t.number,
        state: t.state,
        params: t.params,
        value: t.value ?? null,
        run_id: t.runId,
        intermediate: Object.entries(t.intermediate).map(([step, value]) => ({ step: Number(step), value })),
      })),
    );
    expect(body.data.trials.map((t: { state: string }) => t.state)).toEqual([
      "COMPLETE",
      "COMPLETE",
      "FAILED",
      "PRUNED",
      "COMPLETE",
      "COMPLETE",
      "COMPLETE",
    ]);
  });

  it("answers an unknown study with a 404 and a bad name with a 422", async () => {
    expectError(await call("GET", "/api/studies/nope/trials"), 404, /study "nope" not found/);
    expectError(await call("GET", "/api/studies/%20%20/trials"), 422, /name: must not be blank/);
  });
});

describe("data", () => {
  it("GET /api/data gives the dataset's size, and null (a 200, not a 404) before load-data", async () => {
    const { body } = await call("GET", "/api/data");
    const { total } = (await call("GET", "/api/data/projects?limit=1")).body.data;
    const { tags } = (await call("GET", "/api/data/tags")).body.data;
    expect(body.data.dataset).toEqual({ projects: total, tags: tags.length });
    const home = process.env.TAGIFAI_HOME;
    process.env.TAGIFAI_HOME = mkdtempSync(join(tmpdir(), "no-data-"));
    try {
      const empty = await call("GET", "/api/data");
      expect(empty.status).toBe(200);
      expect(empty.body.data).toEqual({ dataset: null });
    } finally {
      process.env.TAGIFAI_HOME = home;
    }
  });

  it("GET /api/data/projects gives the newest projects", async () => {
    const { body } = await call("GET", "/api/data/projects?limit=3");
    expect(body.data.total).toBeGreaterThan(1000);
    expect(body.data.projects).toHaveLength(3);
    const dates = body.data.projects.map((p: { created_on: string }) => p.created_on);
    expect(dates).toEqual([...dates].sort().reverse());
    expectError(await call("GET", "/api/data/projects?limit=100000"), 422, /limit: /);
  });

  it("GET /api/data/tags counts the projects of each tag, most used first", async () => {
    const { body } = await call("GET", "/api/data/tags");
    const [top] = body.data.tags;
    expect(top.count).toBeGreaterThan(100);
    expect(top).toHaveProperty("aliases");
    expect(top).toHaveProperty("parents");
    const counts = body.data.tags.map((t: { count: number }) => t.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it("GET /api/data/text-lengths gives a histogram counting every project once", async () => {
    const { body } = await call("GET", "/api/data/text-lengths");
    const { total } = (await call("GET", "/api/data/projects?limit=1")).body.data;
    const lengths = body.data;
    expect(lengths).toMatchObject({ unit: "characters", count: total });
    expect(lengths.bins.reduce((sum: number, bin: { count: number }) => sum + bin.count, 0)).toBe(total);
    expect(lengths.min).toBeLessThanOrEqual(lengths.median);
    expect(lengths.median).toBeLessThanOrEqual(lengths.max);
    expect(lengths.bins.at(-1).to).toBeGreaterThan(lengths.max);
  });

  it("GET /api/data/expectations reports each expectation with failing records, naming no server path", async () => {
    const { status, body } = await call("GET", "/api/data/expectations");
    expect(status).toBe(200);
    const { report } = body.data;
    expect(report.source).toBe("projects.json");
    expect(report.results.length).toBeGreaterThan(5);
    const unique = report.results.find((r: { expectation: string }) => r.expectation.includes("unique(id)"));
    expect(unique).toMatchObject({ success: true, severity: "error", details: { failed: 0 } });
    // In the reference data some tags are not in tags.json: a warning, with the records named.
    const failing = report.results.find((r: { success: boolean }) => !r.success);
    expect(failing.severity).toBe("warn");
    expect(failing.details.examples[0]).toMatch(/record \d+ \(id \d+\)/);
    expect(JSON.stringify(body)).not.toContain(trained.home);
  });
});

describe("docs and dashboard", () => {
  it("serves the OpenAPI document and the interactive docs", async () => {
    const { status, body } = await call("GET", "/docs/json");
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        "/",
        "/predict",
        "/params/{param}",
        "/performance",
        "/api/runs",
        "/api/runs/{id}",
        "/reload",
        "/api/studies",
        "/api/studies/{name}/trials",
      ]),
    );
    const predictBody = body.paths["/predict"].post.requestBody.content["application/json"].schema;
    expect(predictBody.properties.texts.maxItems).toBe(LIMITS.maxTexts);
    const health = body.paths["/"].get.responses["200"].content["application/json"].schema;
    expect(Object.keys(health.properties.data.properties.model.properties).sort()).toEqual([
      "registered",
      "run_id",
      "run_name",
      "test_f1",
      "val_f1",
    ]);
    const html = await fetch(`${server.url}/docs`);
    expect(html.status).toBe(200);
    const page = await html.text();
    expect(page).toMatch(/swagger/i);
    expect(page).toContain("<title>Tagifai API reference</title>");
  });

  it("documents every response: described, typed (/performance too), no safe-integer bounds, a link to the dashboard", async () => {
    const { body } = await call("GET", "/docs/json");
    expect(body.info.title).toBe("Tagifai API");
    expect(body.info.description).toContain("[Open the dashboard](/dashboard/)");
    expect(JSON.stringify(body)).not.toContain("9007199254740991");
    for (const [path, methods] of Object.entries<
      Record<string, { responses: Record<string, { description: string }> }>
    >(body.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const [code, response] of Object.entries(operation.responses)) {
          expect(response.description, `${method} ${path} ${code}`).not.toBe("Default Response");
        }
      }
    }
    const performance =
      body.paths["/performance"].get.responses["200"].content["application/json"].schema.properties.data
        .properties.performance;
    expect(JSON.stringify(performance)).toContain('"overall"');
    expect(performance.example.overall.f1).toEqual(expect.any(Number));
    const runPerformance =
      body.paths["/api/runs/{id}/performance"].get.responses["200"].content["application/json"].schema
        .properties.data.properties.performance;
    expect(runPerformance.example.overall.f1).toEqual(expect.any(Number));
    const probabilities =
      body.paths["/predict"].post.responses["200"].content["application/json"].schema.properties.data
        .properties.predictions.items.properties.probabilities;
    expect(Object.keys(probabilities.example)).toContain("natural-language-processing");
  });

  it("gives every envelope its route's method and path, and every free-form object an example (no additionalProp1)", async () => {
    const { body } = await call("GET", "/docs/json");
    // Swagger UI makes up `additionalProp1` for an object with free keys unless it or a parent has an example.
    const unexampled: string[] = [];
    const walk = (node: unknown, where: string, covered: boolean): void => {
      if (typeof node !== "object" || node === null) return;
      const schema = node as Record<string, unknown>;
      const has = covered || schema.example !== undefined;
      if (!has && schema.additionalProperties && schema.properties === undefined) unexampled.push(where);
      for (const [key, value] of Object.entries(schema)) walk(value, `${where}.${key}`, has);
    };
    for (const [path, methods] of Object.entries<Record<string, Record<string, unknown>>>(body.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        walk(operation, `${method} ${path}`, false);
        const route = new RegExp(`^${path.replace(/\{\w+\}/g, "[^/?]+")}(\\?.*)?$`);
        type Fields = Record<string, { example?: string }>;
        const responses = operation.responses as Record<
          string,
          { content: Record<string, { schema: { properties?: Fields } }> }
        >;
        for (const [code, response] of Object.entries(responses)) {
          const fields = response.content["application/json"]?.schema.properties;
          if (fields?.url === undefined) continue;
          const where = `${method} ${path} ${code}`;
          expect(fields.method.example, where).toBe(method.toUpperCase());
          expect(fields.url.example, where).toMatch(route);
          expect(String(fields["status-code"].example).charAt(0), where).toBe(code.charAt(0));
          expect(fields.message.example, where).toEqual(expect.any(String));
          expect(Date.parse(String(fields.timestamp.example)), where).not.toBeNaN();
        }
      }
    }
    expect(unexampled).toEqual([]);
    const runs = body.paths["/api/runs/{id}"].get.responses;
    expect(runs["200"].content["application/json"].schema.properties.url.example).toBe(
      "/api/runs/59b31a57e0f84c2a9d6b1c4e8f3a2d10",
    );
    expect(runs["4XX"].content["application/json"].schema.properties.message.example).toMatch(
      /^Invalid params: id: must be a run id/,
    );
    // A route that takes no input cannot answer 4xx: its docs show none.
    expect(Object.keys(body.paths["/api/studies"].get.responses).sort()).toEqual(["200", "5XX"]);
  });

  it("follows one path rule: the served model's routes at the root, every other route under /api/, each tagged", async () => {
    const { body } = await call("GET", "/docs/json");
    const modelPaths = ["/", "/predict", "/params", "/params/{param}", "/performance", "/reload"];
    const groups = ["model", "runs", "models", "studies", "data"];
    expect(body.tags.map((t: { name: string }) => t.name)).toEqual(groups);
    for (const [path, methods] of Object.entries<Record<string, { tags: string[] }>>(body.paths)) {
      expect(modelPaths.includes(path) || path.startsWith("/api/"), path).toBe(true);
      for (const [method, operation] of Object.entries(methods))
        expect(groups, `${method} ${path}`).toContain(operation.tags[0]);
    }
    expect(body.paths).not.toHaveProperty("/runs");
    expect(body.paths).not.toHaveProperty("/runs/{id}");
  });

  it("says how to build the dashboard when it is not built", async () => {
    const { app } = await buildApp({
      trackingUri: trained.trackingUri,
      dashboardDir: mkdtempSync(join(tmpdir(), "no-dashboard-")),
    });
    try {
      const answer = await app.inject({ method: "GET", url: "/dashboard" });
      expect(answer.statusCode).toBe(503);
      expect(answer.json().message).toMatch(/npm run build/);
    } finally {
      await app.close();
    }
  });
});

describe("startup", () => {
  it("starts without a model when no run exists yet, and says so", async () => {
    const empty = `sqlite:${join(mkdtempSync(join(tmpdir(), "empty-store-")), "tracking.db")}`;
    const { app } = await buildApp({ trackingUri: empty });
    try {
      const health = await app.inject({ method: "GET", url: "/" });
      expect(health.json().data).toMatchObject({ model_loaded: false, run_id: null });
      expect((await app.inject({ method: "GET", url: "/api/studies" })).json().data).toEqual({ studies: [] });
      const answer = await app.inject({
        method: "POST",
        url: "/predict",
        payload: { texts: [{ text: "x" }] },
      });
      expect(answer.statusCode).toBe(404);
      expect(answer.json().message).toMatch(/No model is loaded: train a run, then reload the server/);
    } finally {
      await app.close();
    }
  });

  it("refuses to start with a run reference that does not resolve, or on a port in use", async () => {
    const { trackingUri } = trained;
    await expect(startServer({ port: 0, trackingUri, runRef: "0".repeat(32) })).rejects.toMatchObject({
      code: "RUN_NOT_FOUND",
    });
    const port = Number(new URL(server.url).port);
    await expect(startServer({ port, trackingUri })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(new RegExp(`port ${port} is already in use`)),
    });
  });
});

describe("reload", () => {
  it("swaps in a newer run while concurrent requests all succeed", async () => {
    const { runId: newRunId } = await trainModel({
      paramsFp: TEST_PARAMS_FP,
      trackingUri: trained.trackingUri,
      experimentName: "tests",
    });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    let reloaded = false;
    let stop = false;
    const seen: { status: number; runId: string; afterReload: boolean }[] = [];
    const worker = async () => {
      while (!stop) {
        const afterReload = reloaded;
        const answer = await predict([{ text: "Object detection with YOLO" }]);
        seen.push({ status: answer.status, runId: answer.body.data?.run_id, afterReload });
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await sleep(50);
    const reload = await call("POST", "/reload", {}, "application/json", {
      authorization: `Bearer ${TOKEN}`,
    });
    reloaded = true;
    await sleep(100);
    stop = true;
    await Promise.all(workers);

    expect(reload.body.data).toEqual({ run_id: newRunId, previous_run_id: trained.runId, changed: true });
    expect(seen.every((s) => s.status === 200)).toBe(true);
    expect(seen.some((s) => s.runId === trained.runId)).toBe(true);
    expect(seen.some((s) => s.afterReload)).toBe(true);
    expect(seen.filter((s) => s.afterReload).every((s) => s.runId === newRunId)).toBe(true);
    const health = (await call("GET", "/")).body.data;
    expect(health.run_id).toBe(newRunId);
    expect(health.model).toMatchObject({ run_id: newRunId, registered: [], val_f1: expect.any(Number) });
  });
});

describe("POST /api/runs/:id/predict", () => {
  const text = "Object detection with YOLO";

  it("predicts with the served run as /predict does, and with another run's own model", async () => {
    const served = (await call("GET", "/")).body.data.run_id;
    const viaServed = await call("POST", `/api/runs/${served}/predict`, { texts: [{ text }] });
    expect(viaServed.body.data).toEqual((await predict([{ text }])).body.data);
    // The first run is no longer served (the reload above swapped in a newer one): loaded on demand.
    expect(served).not.toBe(trained.runId);
    const run = await withStore({ trackingUri: trained.trackingUri }, (store) => store.getRun(trained.runId));
    const artifacts = await loadArtifactsFromDir(run.artifactUri);
    const expected = predictTexts([text], artifacts);
    artifacts.model.dispose();
    for (let i = 0; i < 2; i++) {
      const other = await call("POST", `/api/runs/${trained.runId}/predict`, { texts: [{ text }] });
      expect(other.status).toBe(200);
      expect(other.body.data.run_id).toBe(trained.runId);
      expect(other.body.data.predictions[0].probabilities).toEqual(expected[0].probabilities);
    }
  });

  it("says 404 for an unknown run or a run without a model, naming no server path; validates the body", async () => {
    const unknown = "0".repeat(32);
    expectError(await call("POST", `/api/runs/${unknown}/predict`, { texts: [{ text }] }), 404, /0{32}/);
    const bare = await withStore({ trackingUri: trained.trackingUri }, async (store) => {
      const created = await store.createRun({
        experimentName: "tests",
        artifactRoot: mkdtempSync(join(tmpdir(), "bare-")),
      });
      await store.endRun(created.id, "FINISHED");
      return created.id;
    });
    const answer = await call("POST", `/api/runs/${bare}/predict`, { texts: [{ text }] });
    expectError(answer, 404, new RegExp(`Run ${bare} has no model to predict with`));
    expect(answer.body.message).not.toContain(tmpdir());
    expectError(await call("POST", `/api/runs/${trained.runId}/predict`, { texts: [] }), 422, /texts/);
  });
});

describe("a model that fails its smoke prediction", () => {
  let broken: string | undefined;

  it("is not swapped in by a reload, which says why, and the server keeps serving", async () => {
    const served = (await call("GET", "/")).body.data.run_id;
    ({ runId: broken } = await trainModel({
      paramsFp: TEST_PARAMS_FP,
      trackingUri: trained.trackingUri,
      experimentName: "tests",
    }));
    await overflowWeights(trained.trackingUri, broken!);
    const reload = await call("POST", "/reload", {}, "application/json", {
      authorization: `Bearer ${TOKEN}`,
    });
    expectError(
      reload,
      503,
      new RegExp(`Run ${broken} failed its smoke prediction, so it is not served: .*non-finite probability`),
    );
    expect((await call("GET", "/")).body.data).toMatchObject({ model_loaded: true, run_id: served });
    expect((await predict([{ text: "Object detection with YOLO" }])).status).toBe(200);
  });

  it("stops the server from starting", async () => {
    await expect(buildApp({ trackingUri: trained.trackingUri, runRef: broken })).rejects.toMatchObject({
      code: "INVALID_MODEL_OUTPUT",
      message: expect.stringMatching(/failed its smoke prediction/),
    });
  });
});

describe("signals", () => {
  it("a real process reloads on SIGHUP and exits cleanly on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli.ts",
        "--tracking-uri",
        trained.trackingUri,
        "serve",
        "--port",
        "0",
        "--run",
        trained.runId,
      ],
      { env: process.env },
    );
    try {
      let stderr = "";
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      await expect.poll(() => stderr, { timeout: 60_000 }).toMatch(/Tagifai API at http:\/\/\S+ /);
      const url = /Tagifai API at (http:\/\/\S+) /.exec(stderr)![1];
      expect((await fetch(`${url}/`)).status).toBe(200);

      child.kill("SIGHUP");
      await expect.poll(() => stderr, { timeout: 60_000 }).toMatch(/SIGHUP: serving run [0-9a-f]{32}/);
      child.kill("SIGTERM");
      const [code] = await once(child, "exit");
      expect(code).toBe(0);
      expect(stderr).toMatch(/SIGTERM: closing the server/);
      await expect(fetch(`${url}/`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 180_000);
});
