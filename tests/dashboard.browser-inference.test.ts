/**
 * Browser test of in-browser inference: the Inference page runs a CNN run's, a linear run's and an
 * ensemble run's model (trained on the reference data with the quick test params) in headless Chromium — tfjs's wasm
 * backend and the lookup-table convolution kernel, loaded from the served artifacts — and its
 * predictions of 50 projects agree with the server's to 1e-5 for every probability; the page reports
 * the in-browser load time and latency, and says when a family cannot run in the browser. Any
 * console error, page error or failed request fails the suite. Screenshots go to a temp folder (printed).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withStore } from "../src/tagifai/lifecycle.js";
import { type RunningServer, startServer } from "../src/tagifai/serve/server.js";
import { buildDashboard, downloaded, launchBrowser } from "./helpers/browser.js";
import {
  DATASET_DIR,
  type TrainedHome,
  trainLinearRun,
  trainTestParamsRun,
  trainTestRun,
} from "./helpers/trained-run.js";

/** How many projects are predicted in both places. */
const TEXTS = 50;
/** Largest difference allowed between a probability computed in the browser and on the server. */
const TOLERANCE = 1e-5;

let trained: TrainedHome;
let linearRunId: string;
let ensembleRunId: string;
let unknownFamilyRunId: string;
let server: RunningServer;
let browser: BrowserContext;
let page: Page;
let pageErrors: string[] = [];
let texts: string[];
const screenshots = mkdtempSync(join(tmpdir(), "tagifai-browser-inference-"));

beforeAll(async () => {
  buildDashboard();
  trained = await trainTestRun();
  linearRunId = await trainLinearRun(trained.trackingUri);
  ensembleRunId = await trainTestParamsRun(trained.trackingUri, {
    model: "ensemble",
    ensemble: {
      members: [
        { model: "cnn", weight: 0.5 },
        { model: "linear", weight: 0.5 },
      ],
    },
  });
  unknownFamilyRunId = await withStore({ trackingUri: trained.trackingUri }, async (store) => {
    const run = await store.createRun({
      experimentName: "tests",
      runName: "another-family",
      params: { model: "fasttext" },
      artifactRoot: mkdtempSync(join(tmpdir(), "unknown-family-run-")),
    });
    await store.endRun(run.id, "FINISHED");
    return run.id;
  });
  const projects = JSON.parse(readFileSync(join(DATASET_DIR, "projects.json"), "utf8")) as {
    title: string;
    description: string;
  }[];
  texts = projects.slice(0, TEXTS).map((p) => `${p.title} ${p.description}`.replace(/\s+/g, " ").trim());
  server = await startServer({ port: 0, trackingUri: trained.trackingUri, runRef: trained.runId });
  ({ context: browser, page, errors: pageErrors } = await launchBrowser());
  console.log(`Screenshots: ${screenshots}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

type Record = { id: number; predicted_tags: string[]; probabilities: { [tag: string]: number } };

/** Predict the texts with the chosen run where the switch says, and download them with probabilities. */
async function predictAll(where: "server" | "browser"): Promise<Record[]> {
  await page.selectOption("#inference-where", where);
  await page.fill("#batch-texts", texts.join("\n"));
  await page.check("#batch-probabilities");
  await page.click("text=Predict all");
  const place = where === "browser" ? "in this browser" : "on the server";
  await expect
    .poll(() => page.locator("#batch-status").textContent(), { timeout: 60_000 })
    .toContain(`Predicted ${TEXTS} projects`);
  expect(await page.locator("#batch-status").textContent()).toContain(place);
  const jsonl = await downloaded(page, "#download-jsonl");
  return jsonl
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record);
}

/** The largest difference between two sets of predictions' probabilities (same tags required). */
function largestDifference(a: Record[], b: Record[]): number {
  expect(a.length).toBe(b.length);
  let largest = 0;
  a.forEach((record, i) => {
    expect(Object.keys(record.probabilities).sort()).toEqual(Object.keys(b[i].probabilities).sort());
    for (const [tag, p] of Object.entries(record.probabilities))
      largest = Math.max(largest, Math.abs(p - b[i].probabilities[tag]));
  });
  return largest;
}

describe("in-browser inference", () => {
  it.each([
    ["cnn", () => trained.runId],
    ["linear", () => linearRunId],
    ["ensemble", () => ensembleRunId],
  ])(
    "the %s model predicts 50 projects in the browser as the server does (to 1e-5), and its latency is shown",
    async (kind, runOf) => {
      const runId = runOf();
      await page.goto(`${server.url}/dashboard/#/inference`);
      await page.locator('.page[data-page="inference"][data-ready="true"]').waitFor({ timeout: 15_000 });
      await page.locator("#inference-run").selectOption(runId);

      const onServer = await predictAll("server");
      expect(await page.locator("#inference-model").textContent()).toContain("Computed on the server.");
      const serverLatency = await page.locator("#inference-latency").textContent();
      expect(serverLatency).toMatch(
        /^On the server: 50 texts in [\d.]+ ms round trip, [\d.]+ ms per text\.$/,
      );

      const inBrowser = await predictAll("browser");
      const loaded = await page.locator("#browser-model").textContent();
      expect(loaded).toMatch(
        new RegExp(
          `^Loaded the ${kind} model of run ${runId.slice(0, 8)} into this browser in \\d+ ms \\(tfjs wasm backend\\)\\.$`,
        ),
      );
      const model = await page.locator("#inference-model").textContent();
      expect(model).toContain(runId.slice(0, 8));
      expect(model).toContain("Computed in this browser.");
      const browserLatency = await page.locator("#inference-latency").textContent();
      expect(browserLatency).toMatch(/^In this browser: 50 texts in [\d.]+ ms, [\d.]+ ms per text\.$/);

      const difference = largestDifference(inBrowser, onServer);
      expect(difference).toBeLessThanOrEqual(TOLERANCE);
      expect(inBrowser.map((r) => r.predicted_tags)).toEqual(onServer.map((r) => r.predicted_tags));
      console.log(`${kind}: ${loaded} ${browserLatency} ${serverLatency} Largest difference: ${difference}`);
      await page.screenshot({ path: join(screenshots, `inference-browser-${kind}.png`), fullPage: true });
    },
  );

  it("says that a family the browser does not know (another library's) runs on the server only", async () => {
    await page.goto(`${server.url}/dashboard/#/inference`);
    await page.locator('.page[data-page="inference"][data-ready="true"]').waitFor({ timeout: 15_000 });
    await page.locator("#inference-run").selectOption(unknownFamilyRunId);
    await page.selectOption("#inference-where", "browser");
    await expect
      .poll(() => page.locator("#browser-model .error").textContent())
      .toBe(
        "The fasttext family is not available in the browser (only cnn, linear, ensemble): predict on the server.",
      );
  });

  it("raised no error in the page and no request failed", () => {
    expect(pageErrors).toEqual([]);
  });
});
