/**
 * Browser tests of the dashboard: the Vite build served by the API process, driven by headless
 * Chromium through playwright-core. Each page must render real data; screenshots are saved to a
 * temp folder (printed) for a look.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_DIR } from "../src/config/config.js";
import { withStore } from "../src/tagifai/main.js";
import type { StudyResult } from "../src/tagifai/optimize/study.js";
import { type RunningServer, startServer } from "../src/tagifai/serve/server.js";
import { runTestStudy } from "./helpers/study.js";
import { type TrainedHome, trainTestRun } from "./helpers/trained-run.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let trained: TrainedHome;
let otherRunId: string;
let study: StudyResult;
let server: RunningServer;
let browser: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const screenshots = mkdtempSync(join(tmpdir(), "tagifai-dashboard-"));

beforeAll(async () => {
  buildDashboard();
  trained = await trainTestRun();
  otherRunId = await logOtherRun(trained.trackingUri);
  study = await runTestStudy(trained.trackingUri, "tuning");
  server = await startServer({ port: 0, trackingUri: trained.trackingUri, runRef: trained.runId });
  browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "chromium-profile-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1200, height: 900 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on("pageerror", (error) => pageErrors.push(error.message));
  console.log(`Dashboard screenshots: ${screenshots}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Build the dashboard from the current sources (about a second). */
function buildDashboard(): void {
  const vite = join(PACKAGE_DIR, "node_modules", "vite", "bin", "vite.js");
  execFileSync(process.execPath, [vite, "build", "--config", "vite.config.ts", "--logLevel", "error"], {
    cwd: PACKAGE_DIR,
  });
}

/** Log a second, artifact-less run with different params and metrics, to compare with. */
async function logOtherRun(trackingUri: string): Promise<string> {
  return withStore({ trackingUri }, async (store) => {
    const run = await store.createRun({
      experimentName: "tests",
      runName: "other",
      params: { lr: 0.01, embedding_dim: 64 },
      artifactRoot: mkdtempSync(join(tmpdir(), "other-run-")),
    });
    for (const [epoch, loss] of [0.9, 0.7, 0.6].entries()) {
      await store.logMetrics(run.id, { train_loss: loss, val_loss: loss + 0.1, lr: 0.01 }, epoch);
    }
    await store.logMetrics(run.id, { f1: 0.25, best_val_loss: 0.7 });
    await store.endRun(run.id, "FINISHED");
    return run.id;
  });
}

/** Open a dashboard page and wait until it has rendered. */
async function open(name: string): Promise<void> {
  await page.goto(`${server.url}/dashboard/#/${name}`);
  await page.locator(`.page[data-page="${name}"][data-ready="true"]`).waitFor({ timeout: 15_000 });
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

describe("dashboard", () => {
  it("redirects /dashboard to the Data page and navigates between pages", async () => {
    await page.goto(`${server.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe("/dashboard/");
    await page.locator('.page[data-page="data"][data-ready="true"]').waitFor();
    await page.click('nav a[data-page="runs"]');
    await page.locator('.page[data-page="runs"][data-ready="true"]').waitFor();
    expect(await page.getAttribute('nav a[data-page="runs"]', "class")).toContain("active");
  });

  it("Data: shows projects, a tag-count chart and a filterable tag browser", async () => {
    await open("data");
    const projectRows = page.locator("section").nth(0).locator("tbody tr");
    expect(await projectRows.count()).toBe(10);
    const chart = await page.locator("section").nth(1).locator("canvas").boundingBox();
    expect(chart?.width).toBeGreaterThan(300);
    await page.fill("#tag-filter", "three-dimensional");
    const tagRows = page.locator("section").nth(2).locator("tbody tr");
    await expect.poll(() => tagRows.count()).toBe(1);
    expect(await tagRows.first().textContent()).toContain("3d");
    await page.fill("#tag-filter", "");
    await screenshot("data");
  });

  it("Performance: shows overall metrics, a sortable per-class table with a chart, and slices", async () => {
    await open("performance");
    expect(await page.locator(".card strong").first().textContent()).toMatch(/^\d\.\d{3}$/);
    const classTable = page.locator("section").nth(1);
    expect(await classTable.locator("tbody tr").count()).toBeGreaterThan(1);
    expect(await classTable.locator("canvas").count()).toBe(1);
    await classTable.locator("th", { hasText: "Samples" }).click();
    const samples = await classTable.locator("tbody tr td:nth-child(5)").allTextContents();
    expect(samples.map(Number)).toEqual(samples.map(Number).sort((a, b) => b - a));
    expect(await page.locator("section").nth(2).locator("tbody tr").count()).toBeGreaterThan(0);
    await screenshot("performance");
  });

  it("Runs: lists the runs, compares two and draws loss curves", async () => {
    await open("runs");
    await page.locator(`tr[data-run-id="${trained.runId}"]`).waitFor();
    await page.locator(`tr[data-run-id="${otherRunId}"]`).click();
    await expect.poll(() => page.locator("#curves").textContent()).toContain("other");
    expect(await page.locator("#curves canvas").count()).toBe(1);
    for (const id of [trained.runId, otherRunId])
      await page.check(`tr[data-run-id="${id}"] input[type=checkbox]`);
    const differing = page.locator("#compare tr.differs");
    await expect.poll(() => differing.count()).toBeGreaterThan(1);
    expect(await page.locator("#compare").textContent()).toContain("embedding_dim");
    await screenshot("runs");
  });

  it("Optimization: summarizes a study, plots its value against each parameter and lists its trials", async () => {
    await open("optimization");
    expect(await page.inputValue("#study")).toBe("tuning");
    const cards = await page.locator("#study-view .card").allTextContents();
    expect(cards).toEqual(
      expect.arrayContaining([
        "trials7",
        "complete5",
        "pruned1",
        "failed1",
        `best value${study.best!.value!.toFixed(4)}`,
      ]),
    );
    expect(await page.locator("#best-trial").textContent()).toContain(`trial ${study.best!.number}`);
    const canvases = page.locator("#study-view canvas");
    expect(await canvases.count()).toBe(3);
    expect(await canvases.evaluateAll((all) => all.map((c) => c.getAttribute("aria-label")))).toEqual([
      "Objective value against lr",
      "Objective value against n",
      "Objective value against x",
    ]);
    expect((await canvases.first().boundingBox())?.width).toBeGreaterThan(300);
    expect(await canvases.evaluateAll((all) => all.map((c) => c.getAttribute("data-x-scale")))).toEqual([
      "logarithmic",
      "linear",
      "linear",
    ]);
    expect(await page.locator("#study-view").textContent()).toMatch(
      /1 pruned, 1 failed trial\(s\) are not plotted/,
    );
    const rows = page.locator("#study-view tr[data-trial]");
    expect(await rows.count()).toBe(7);
    expect(await rows.first().getAttribute("data-trial")).toBe(String(study.best!.number));
    expect(await rows.first().textContent()).toContain(study.best!.value!.toFixed(4));
    expect(await rows.last().getAttribute("class")).toMatch(/pruned|failed/);
    await screenshot("optimization");
  });

  it("Inference: predicts the tags of a typed project", async () => {
    const title = "Transfer learning with transformers";
    const description = "Using transformers for transfer learning on text classification tasks.";
    await open("inference");
    await page.fill("#title", title);
    await page.fill("#description", description);
    await page.click("form.predict button");
    const names = page.locator("#prediction ul.probabilities li .name");
    await expect.poll(() => names.count()).toBeGreaterThan(0);
    const api = await fetch(`${server.url}/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ texts: [{ text: `${title} ${description}` }] }),
    });
    const [expected] = (await api.json()).data.predictions;
    const topTags = Object.keys(expected.probabilities).slice(0, 10);
    expect(await names.allTextContents()).toEqual(topTags);
    expect(await page.locator("#prediction ul.tags li").allTextContents()).toEqual(expected.predicted_tags);
    expect(await page.locator("#prediction .value").first().textContent()).toMatch(/^[01]\.\d{3}$/);
    expect(await page.locator("#prediction").textContent()).toContain(trained.runId);
    await screenshot("inference");
  });

  it("raised no error in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});
