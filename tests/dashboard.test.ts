/**
 * Browser tests of the dashboard: the Vite build served by the API process, driven by headless
 * Chromium through playwright-core. Each page must render real data (a CNN run and a linear run
 * trained on the reference data, artifact-less runs, studies); any console error, page error or
 * failed request fails the suite. Screenshots are saved to a temp folder (printed) for a look.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withStore } from "../src/tagifai/lifecycle.js";
import { testModel } from "../src/tagifai/operations.js";
import { paramImportances } from "../src/tagifai/optimize/importance.js";
import { randomSampler } from "../src/tagifai/optimize/samplers.js";
import type { StudyResult } from "../src/tagifai/optimize/study.js";
import { runStudy } from "../src/tagifai/optimize/study.js";
import { type RunningServer, startServer } from "../src/tagifai/serve/server.js";
import { SPACE } from "./fixtures/optimize/synthetic.js";
import { buildDashboard, downloaded, launchBrowser, recordErrors } from "./helpers/browser.js";
import { runTestStudy } from "./helpers/study.js";
import { type TrainedHome, trainLinearRun, trainTestRun } from "./helpers/trained-run.js";

let trained: TrainedHome;
let otherRunId: string;
let alphaRunId: string;
let linearRunId: string;
let namedStudyRunIds: string[];
let study: StudyResult;
let server: RunningServer;
let browser: BrowserContext;
let page: Page;
let pageErrors: string[] = [];

/** The server's token for the guarded routes (alias changes, reload). */
const TOKEN = "dashboard-test-token-0123456789";

/** Extra artifact-less runs, so that the run table has more than one page. */
const BULK_RUNS = 30;
const screenshots = mkdtempSync(join(tmpdir(), "tagifai-dashboard-"));

beforeAll(async () => {
  buildDashboard();
  trained = await trainTestRun();
  await testModel(trained.runId, { trackingUri: trained.trackingUri });
  linearRunId = await trainLinearRun(trained.trackingUri);
  otherRunId = await logRun(trained.trackingUri, "other", { lr: 0.01, embedding_dim: 64 }, 0.00812);
  alphaRunId = await logRun(trained.trackingUri, "alpha", { lr: 0.02, embedding_dim: 64 }, 0.00849);
  await logBulkRuns(trained.trackingUri);
  study = await runTestStudy(trained.trackingUri, "tuning");
  namedStudyRunIds = await runNamedStudy(trained.trackingUri);
  await withStore({ trackingUri: trained.trackingUri }, async (store) => {
    await store.registerModel(trained.runId, "tagifai");
    await store.setAlias("tagifai", 1, "production");
    await store.registerModel(linearRunId, "tagifai");
    await store.setAlias("tagifai", 2, "staging");
  });
  server = await startServer({
    port: 0,
    trackingUri: trained.trackingUri,
    runRef: trained.runId,
    reloadToken: TOKEN,
  });
  ({ context: browser, page, errors: pageErrors } = await launchBrowser());
  console.log(`Dashboard screenshots: ${screenshots}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Log an artifact-less run with three epochs, these params and this best validation loss. */
async function logRun(
  trackingUri: string,
  name: string,
  params: Record<string, unknown>,
  bestValLoss: number,
  experimentName = "tests",
): Promise<string> {
  return withStore({ trackingUri }, async (store) => {
    const run = await store.createRun({
      experimentName,
      runName: name,
      params,
      artifactRoot: mkdtempSync(join(tmpdir(), "other-run-")),
    });
    for (const [epoch, loss] of [0.9, 0.7, 0.6].entries()) {
      await store.logMetrics(run.id, { train_loss: loss, val_loss: loss + 0.1, lr: 0.01 }, epoch);
    }
    await store.logMetrics(run.id, { f1: 0.25, best_val_loss: bestValLoss });
    await store.endRun(run.id, "FINISHED");
    return run.id;
  });
}

/** Log BULK_RUNS artifact-less runs in experiment "bulk". */
async function logBulkRuns(trackingUri: string): Promise<void> {
  await withStore({ trackingUri }, async (store) => {
    for (let i = 0; i < BULK_RUNS; i++) {
      const run = await store.createRun({
        experimentName: "bulk",
        runName: `bulk-${String(i).padStart(2, "0")}`,
        artifactRoot: mkdtempSync(join(tmpdir(), "bulk-run-")),
      });
      await store.endRun(run.id, "FINISHED");
    }
  });
}

/** A two-trial study whose objective names itself and links each trial to a run. */
async function runNamedStudy(trackingUri: string): Promise<string[]> {
  const runIds: string[] = [];
  await withStore({ trackingUri }, (store) =>
    runStudy({
      store,
      studyName: "named",
      space: SPACE,
      direction: "maximize",
      nTrials: 2,
      sampler: randomSampler(),
      pruner: { shouldPrune: () => false },
      seed: 1,
      pollIntervalMs: 20,
      objective: async (trial) => {
        trial.setAttr("objective", "validation F1");
        const run = await store.createRun({
          experimentName: "named",
          runName: `trial-${trial.number}`,
          artifactRoot: mkdtempSync(join(tmpdir(), "trial-run-")),
        });
        await trial.attachRun(run.id);
        await store.endRun(run.id, "FINISHED");
        runIds.push(run.id);
        return trial.params.x as number;
      },
    }),
  );
  return runIds;
}

/** Open a dashboard page and wait until it has rendered. */
async function open(name: string): Promise<void> {
  const url = `${server.url}/dashboard/#/${name}`;
  // The same address again would not render the page again: load it afresh.
  if (page.url() === url) await page.reload();
  else await page.goto(url);
  const pageName = name.split("/")[0];
  await page.locator(`.page[data-page="${pageName}"][data-ready="true"]`).waitFor({ timeout: 15_000 });
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
    expect(await page.getAttribute('nav a[data-page="runs"]', "aria-current")).toBe("page");
    expect(await page.getAttribute('nav a[data-page="data"]', "aria-current")).toBeNull();
    expect(await page.title()).toBe("Runs · Tagifai");
  });

  it("header: names the model that answers (registered version, run name, id, val and test F1)", async () => {
    await open("data");
    const line = page.locator("#served-model");
    await expect.poll(() => line.textContent()).toContain(trained.runId.slice(0, 8));
    expect(await line.textContent()).toMatch(/val F1 0\.\d+ · test F1 0\.\d+/);
    expect(await line.textContent()).toContain(`tagifai v1 @production · run ${await nameOf(trained.runId)}`);
    // A run named by its id (the default name) is not named twice ("run 98c4d761 98c4d761").
    expect((await line.textContent())?.split(trained.runId.slice(0, 8))).toHaveLength(2);
  });

  it("Data: shows projects, a tag-count chart and a filterable, labelled tag browser", async () => {
    await open("data");
    const projectRows = page.locator("section").nth(0).locator("tbody tr");
    expect(await projectRows.count()).toBe(10);
    const chart = await page.locator("section").nth(1).locator("canvas").boundingBox();
    expect(chart?.width).toBeGreaterThan(300);
    await page.getByLabel("Filter tags, aliases or parents").fill("three-dimensional");
    const tagRows = sectionTitled("Tag browser").locator("tbody tr");
    await expect.poll(() => tagRows.count()).toBe(1);
    expect(await tagRows.first().textContent()).toContain("3d");
    await page.fill("#tag-filter", "");
    await screenshot("data");
  });

  it("Data: label distribution, text length histogram and the expectations report with its failing records", async () => {
    await open("data");
    expect(await sectionTitled("Label distribution").locator("canvas").count()).toBe(1);
    const lengths = (await (await fetch(`${server.url}/api/data/text-lengths`)).json()).data;
    const histogram = sectionTitled("Text length");
    expect(await histogram.locator("#text-length-summary").textContent()).toContain(
      `median${Math.round(lengths.median)}`,
    );
    const box = await histogram.locator("canvas").boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    // The chart's data table counts every project once.
    const counts = await histogram.locator("details.chart-data tbody tr td:nth-child(2)").allTextContents();
    expect(counts.reduce((sum, count) => sum + Number(count), 0)).toBe(lengths.count);

    const { report } = (await (await fetch(`${server.url}/api/data/expectations`)).json()).data;
    const rows = page.locator("#expectations tbody tr");
    expect(await rows.count()).toBe(report.results.length);
    expect(await page.locator("#expectations-verdict").textContent()).toContain("Training can go on");
    const failing = report.results.find((r: { success: boolean }) => !r.success);
    const row = rows.filter({ hasText: failing.expectation });
    expect(await row.locator("strong").textContent()).toBe("warning");
    await row.locator("summary").click();
    expect(await row.locator("details li").first().textContent()).toBe(failing.details.examples[0]);
  });

  it("Performance: shows overall metrics, a sortable per-class table with a chart, and slices", async () => {
    await open("performance");
    expect(await page.locator(".card strong").first().textContent()).toMatch(/^\d\.\d{3}$/);
    const classTable = page.locator("#performance-view section").nth(1);
    expect(await classTable.locator("tbody tr").count()).toBeGreaterThan(1);
    expect(await classTable.locator("canvas").count()).toBe(1);
    await classTable.locator("th button", { hasText: "Samples" }).click();
    const samples = await classTable.locator("tbody tr td:nth-child(5)").allTextContents();
    expect(samples.map(Number)).toEqual(samples.map(Number).sort((a, b) => b - a));
    await screenshot("performance");
  });

  it("Performance: the run is chosen by name (default: the served one), any finished run can be picked", async () => {
    await open("performance");
    const picker = page.locator("#performance-run");
    expect(await picker.inputValue()).toBe(trained.runId);
    const options = await picker.locator("option").allTextContents();
    const f1 = await f1Of(linearRunId);
    // A run named by its id is named once; a run with a name of its own shows its short id too.
    expect(await nameOf(linearRunId)).toBe(linearRunId.slice(0, 8));
    expect(options).toContain(`${linearRunId.slice(0, 8)} · F1 ${f1.toPrecision(3)}`);
    expect(options).toContain(`other · ${otherRunId.slice(0, 8)} · F1 0.250`);
    await picker.selectOption(linearRunId);
    await expect.poll(() => page.url()).toContain(`#/performance/${linearRunId}`);
    const cards = page.locator("#performance-view .card strong");
    await expect.poll(() => cards.nth(2).textContent()).toBe(f1.toFixed(3));
    await picker.selectOption(otherRunId);
    await expect
      .poll(() => page.locator("#performance-view").textContent())
      .toContain("saved no performance report");
  });

  it("Performance: slices have no second 'overall' row; PR curves with thresholds, worst classes, confident mistakes", async () => {
    await open("performance");
    const slices = page.locator("section", { has: page.locator("h2", { hasText: /^Slices$/ }) });
    const names = await slices.locator("tbody tr td:first-child").allTextContents();
    expect(names).not.toContain("overall");
    expect(names.at(-1)).toBe("all slices together");
    const curves = page.locator("section", {
      has: page.locator("h2", { hasText: "Precision-recall curves" }),
    });
    expect(await curves.locator("canvas").count()).toBe(1);
    expect(await curves.textContent()).toMatch(
      /Decision threshold 0\.\d+: precision \d\.\d{3}, recall \d\.\d{3}/,
    );
    const classes = await curves.locator("#pr-class option").allTextContents();
    await curves.locator("#pr-class").selectOption(classes[1]);
    expect(await curves.locator("canvas").getAttribute("aria-label")).toBe(
      `Precision-recall curve of ${classes[1]}`,
    );
    const worst = page.locator("section", { has: page.locator("h2", { hasText: "Worst classes" }) });
    expect(await worst.locator("tbody tr").count()).toBeGreaterThan(0);
    const mistakes = page.locator("section", {
      has: page.locator("h2", { hasText: "Most confident mistakes" }),
    });
    expect(await mistakes.locator("tbody tr").count()).toBeGreaterThan(0);
  });

  it("Runs: lists the runs, compares two with their validation losses overlaid", async () => {
    await open("runs");
    await page.selectOption("#run-experiment", "tests");
    await page.locator(`tr[data-run-id="${trained.runId}"]`).waitFor();
    for (const id of [trained.runId, otherRunId])
      await page.check(`tr[data-run-id="${id}"] input[type=checkbox]`);
    const differing = page.locator("#compare tr.differs");
    await expect.poll(() => differing.count()).toBeGreaterThan(1);
    expect(await page.locator("#compare").textContent()).toContain("embedding_dim");
    await expect.poll(() => page.locator("#compare-curves canvas").count()).toBe(1);
    expect(await page.locator("#compare-curves canvas").getAttribute("aria-label")).toBe(
      "Validation loss per epoch of the compared runs",
    );
    await screenshot("runs");
  });

  it("Runs: sorting keeps the ticked boxes and the comparison in sync; any number of runs compares", async () => {
    await tickTestRuns([alphaRunId, otherRunId]);
    await page.locator("th button", { hasText: "Name" }).click();
    const ticked = () =>
      page
        .locator("#run-list tbody input:checked")
        .evaluateAll((boxes) => boxes.map((box) => box.closest("tr")?.dataset.runId));
    const compared = () => page.locator("#compare thead th").allTextContents();
    const shownTicked = await ticked();
    const headers = await compared();
    expect(shownTicked).toEqual(expect.arrayContaining([alphaRunId, otherRunId]));
    expect(headers.length - 2).toBe(shownTicked.length);
    await page.check(`tr[data-run-id="${trained.runId}"] input[type=checkbox]`);
    expect((await compared()).length - 2).toBe((await ticked()).length);
    expect(await page.locator("#compare").textContent()).not.toContain("Tick");
  });

  it("Runs: the comparison names a run as the rest of the dashboard does, a run named by its id once", async () => {
    await tickTestRuns([linearRunId, otherRunId]);
    expect(await nameOf(linearRunId)).toBe(linearRunId.slice(0, 8));
    const headers = await page.locator("#compare thead th").allTextContents();
    expect(headers).toContain(linearRunId.slice(0, 8));
    expect(headers).toContain(`other · ${otherRunId.slice(0, 8)}`);
    expect(headers.join(" ")).not.toContain(`${linearRunId.slice(0, 8)} (`);
  });

  it("Runs: text columns sort A→Z first; best val loss keeps 4 significant digits", async () => {
    await open("runs");
    await page.selectOption("#run-experiment", "tests");
    await page.locator("th button", { hasText: "Name" }).click();
    const names = await page.locator("#run-list tbody tr td:nth-child(2)").allTextContents();
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(names.indexOf("alpha")).toBeLessThan(names.indexOf("other"));
    const loss = (id: string) => page.locator(`tr[data-run-id="${id}"] td:nth-child(9)`).textContent();
    expect(await loss(otherRunId)).toBe("0.008120");
    expect(await loss(alphaRunId)).toBe("0.008490");
  });

  it("Runs: the user chooses the param and metric columns, which sort and stay chosen", async () => {
    await open("runs");
    const headers = () => page.locator("#run-list thead th").allTextContents();
    expect(await headers()).toEqual(expect.arrayContaining(["Val F1", "Test F1", "Best val loss"]));
    await page.locator("#run-columns > button").click();
    await page.check('#run-columns input[data-column="param:lr"]');
    await page.check('#run-columns input[data-column="param:cnn.embedding_dim"]');
    await page.uncheck('#run-columns input[data-column="metric:best_val_loss"]');
    expect(await headers()).toEqual(expect.arrayContaining(["lr", "cnn.embedding_dim"]));
    expect(await headers()).not.toContain("Best val loss");
    await page.selectOption("#run-experiment", "tests");
    const column = (await headers()).indexOf("lr") + 1;
    const lr = (id: string) => page.locator(`tr[data-run-id="${id}"] td:nth-child(${column})`).textContent();
    expect(await lr(otherRunId)).toBe("0.01000");
    expect(await lr(alphaRunId)).toBe("0.02000");
    await page.locator("th button", { hasText: /^lr$/ }).click();
    const values = await page.locator(`#run-list tbody tr td:nth-child(${column})`).allTextContents();
    expect(values.indexOf("0.02000")).toBeLessThan(values.indexOf("0.01000"));
    const embedding = (await headers()).indexOf("cnn.embedding_dim") + 1;
    expect(
      await page.locator(`tr[data-run-id="${trained.runId}"] td:nth-child(${embedding})`).textContent(),
    ).toBe("32.00");
    // Chosen columns stay when the page is left and opened again.
    await open("data");
    await open("runs");
    expect(await headers()).toContain("lr");
    expect(await headers()).not.toContain("Best val loss");
    await page.locator("#run-columns > button").click();
    await page.uncheck('#run-columns input[data-column="param:lr"]');
    await page.uncheck('#run-columns input[data-column="param:cnn.embedding_dim"]');
    await page.check('#run-columns input[data-column="metric:best_val_loss"]');
    await page.locator("#run-columns > button").click();
  });

  it("Runs: pages through every run instead of capping them", async () => {
    await open("runs");
    const total = 4 + BULK_RUNS + namedStudyRunIds.length;
    expect(await page.locator("#run-list .page-info").textContent()).toBe(`1–25 of ${total} · page 1 of 2`);
    expect(await page.locator("#run-list tbody tr").count()).toBe(25);
    await page.locator("#run-list .pager button", { hasText: "Next" }).click();
    expect(await page.locator("#run-list tbody tr").count()).toBe(total - 25);
    await page.selectOption("#run-experiment", "bulk");
    expect(await page.locator("#run-list .page-info").textContent()).toBe(
      `1–25 of ${BULK_RUNS} · page 1 of 2`,
    );
  });

  it("Runs: the compared runs in parallel coordinates, an axis per differing numeric param and chosen metric", async () => {
    const logged = [
      [
        "pc-a",
        { lr: 0.01, embedding_dim: 64, dropout_p: 0.5, optimizer: "adam", cnn: { filters: 16 } },
        0.31,
      ],
      [
        "pc-b",
        { lr: 0.003, embedding_dim: 128, dropout_p: 0.5, optimizer: "sgd", cnn: { filters: 32 } },
        0.42,
      ],
      ["pc-c", { lr: 0.02, embedding_dim: 64, dropout_p: 0.5, optimizer: "adam", cnn: { filters: 8 } }, 0.27],
    ] as const;
    const ids: string[] = [];
    for (const [name, params, loss] of logged)
      ids.push(await logRun(trained.trackingUri, name, params, loss, "parallel"));
    await open("runs");
    await open("runs"); // the same address again reloads: no box ticked by the tests before
    await page.selectOption("#run-experiment", "parallel");
    for (const id of ids) await page.check(`tr[data-run-id="${id}"] input[type=checkbox]`);
    const plot = page.locator("#compare-parallel");
    await expect.poll(() => plot.locator("svg polyline").count()).toBe(3);
    const axes = () => plot.locator("svg text[font-weight=bold]").allTextContents();
    // dropout_p is the same for all three; optimizer is not a number; Val F1 is missing.
    expect(await axes()).toEqual(["cnn.filters", "embedding_dim", "lr", "Test F1", "Best val loss"]);
    for (const line of await plot.locator("svg polyline").all())
      expect((await line.getAttribute("points"))?.split(" ")).toHaveLength(5);
    expect(await plot.locator("p").textContent()).toContain("Left out: optimizer");
    expect(await plot.locator(".legend li").allTextContents()).toEqual(
      logged.map(([name], i) => `${name} · ${ids[i].slice(0, 8)}`),
    );
    // Each run's line has the color of its validation-loss curve.
    const strokes = await plot
      .locator("svg polyline")
      .evaluateAll((lines) => lines.map((l) => l.getAttribute("stroke")));
    expect(new Set(strokes).size).toBe(3);
    // The data table has the same numbers: pc-b's lr is the lowest, at the bottom of its axis.
    const rows = plot.locator("details.chart-data tbody tr");
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(1).locator("td").allTextContents()).toEqual([
      `pc-b · ${ids[1].slice(0, 8)}`,
      "32.00",
      "128.0",
      "0.003000",
      "0.2500",
      "0.4200",
    ]);
    const lrY = (item: number) =>
      plot
        .locator(`svg polyline[data-item="${item}"]`)
        .getAttribute("points")
        .then((points) => Number(points?.split(" ")[2].split(",")[1]));
    expect(await lrY(1)).toBeGreaterThan(await lrY(0));
    expect(await lrY(0)).toBeGreaterThan(await lrY(2));
    // Choosing the metric columns redraws the plot's metric axes.
    await page.locator("#run-columns > button").click();
    await page.uncheck('#run-columns input[data-column="metric:best_val_loss"]');
    expect(await axes()).toEqual(["cnn.filters", "embedding_dim", "lr", "Test F1"]);
    await page.check('#run-columns input[data-column="metric:best_val_loss"]');
    await page.locator("#run-columns > button").click();
    expect(await axes()).toContain("Best val loss");
    expect(await lowContrastTexts()).toEqual([]);
    expect(pageErrors).toEqual([]);
    await screenshot("runs-parallel");
  });

  it("Run page: a run without epochs (linear) says so instead of drawing an empty chart", async () => {
    await open(`runs/${linearRunId}`);
    const epochs = page.locator("section", { has: page.locator("h2", { hasText: "Per-epoch metrics" }) });
    expect(await epochs.textContent()).toContain("logged no per-epoch metrics");
    expect(await epochs.locator("canvas").count()).toBe(0);
  });

  it("Run page: params, metrics, every per-epoch metric, performance, behavioral report, artifacts to download", async () => {
    await open(`runs/${trained.runId}`);
    const name = await nameOf(trained.runId);
    expect(await page.locator("main h1").textContent()).toBe(`Run ${name}`);
    expect(await page.title()).toBe(`Run ${name} · Tagifai`);
    const params = page.locator("section", { has: page.locator("h2", { hasText: /^Params$/ }) });
    expect(await params.textContent()).toContain("embedding_dim");
    // Nested params read as dotted keys, one value a row (as the run table's columns name them), and
    // no key is broken over lines.
    const keys = await params.locator("tbody tr td:first-child").allTextContents();
    expect(keys).toEqual(expect.arrayContaining(["cnn.embedding_dim", "cnn.lr", "min_tag_freq"]));
    const keyLines = await params
      .locator("tbody tr td:first-child .key")
      .evaluateAll((keys) => keys.map((key) => key.getClientRects().length));
    expect(keyLines).toHaveLength(keys.length);
    expect(new Set(keyLines)).toEqual(new Set([1]));
    const epochs = page.locator("section", { has: page.locator("h2", { hasText: "Per-epoch metrics" }) });
    expect(
      await epochs.locator("canvas").evaluateAll((all) => all.map((c) => c.getAttribute("aria-label"))),
    ).toEqual([
      `Loss per epoch of ${name}`,
      `Validation F1 per epoch of ${name}`,
      `Learning rate per epoch of ${name}`,
    ]);
    expect(await page.locator("#behavioral-summary").textContent()).toMatch(
      /^\d+ of \d+ passed \(\d+\.\d%\)/,
    );
    expect(await page.locator("section h2", { hasText: "Precision-recall curves" }).count()).toBe(1);
    const link = page.locator('tr[data-artifact="performance.json"] a');
    const href = await link.getAttribute("href");
    const download = await fetch(`${server.url}${href}`);
    expect(download.headers.get("content-disposition")).toContain("attachment");
    const report = JSON.parse(await download.text());
    expect(report.behavioral.total).toBeGreaterThan(0);
    for (const width of [390, 1400]) {
      await page.setViewportSize({ width, height: 900 });
      // Charts follow a resize of the window on their next frame.
      await expect.poll(() => sidewaysScroll()).toBeLessThanOrEqual(0);
      expect(await lowContrastTexts()).toEqual([]);
    }
    await page.setViewportSize({ width: 1200, height: 900 });
    await screenshot("run");
  });

  it("Optimization: summarizes a study, plots its value against each parameter and lists its trials", async () => {
    await open("optimization");
    await page.selectOption("#study", "tuning");
    await page.locator("#study-view .card").first().waitFor();
    await expect.poll(() => page.locator("#study-view h2").first().textContent()).toContain("tuning");
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
    const canvases = page.locator("#param-charts canvas");
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

  it("Optimization: parameter importance (its method said) and parallel coordinates of the complete trials", async () => {
    await open("optimization");
    await page.selectOption("#study", "tuning");
    await page.locator("#param-importance canvas").waitFor();
    const { trials } = (await (await fetch(`${server.url}/api/studies/tuning/trials`)).json()).data;
    const complete = trials.filter((t: { value: number | null }) => t.value !== null);
    const expected = paramImportances(complete);
    const rows = page.locator("#param-importance > .table-block tbody tr");
    expect(await rows.count()).toBe(3);
    expect(await rows.locator("td:nth-child(1)").allTextContents()).toEqual(expected.map((r) => r.param));
    expect(await rows.locator("td:nth-child(2)").allTextContents()).toEqual(
      expected.map((r) => (r.normalized === null ? "–" : r.normalized.toFixed(3))),
    );
    expect(await page.locator("#param-importance").textContent()).toMatch(
      /first-order variance decomposition/,
    );
    expect(await page.locator("#param-importance").textContent()).toMatch(/Spearman/);

    const lines = page.locator("#parallel svg polyline");
    expect(await lines.count()).toBe(complete.length);
    const bestIndex = complete.findIndex((t: { number: number }) => t.number === study.best!.number);
    expect(await page.locator("#parallel svg polyline.highlight").getAttribute("data-item")).toBe(
      String(bestIndex),
    );
    const axes = await page.locator("#parallel svg text[font-weight=bold]").allTextContents();
    expect(axes).toEqual(["lr", "n", "x", "objective value"]);
    expect((await page.locator("#parallel svg").boundingBox())?.width).toBeGreaterThan(300);
    await screenshot("optimization-importance");
  });

  it("Optimization: history with the running best; values per step with the pruned trial marked", async () => {
    await open("optimization");
    await page.selectOption("#study", "tuning");
    await expect.poll(() => page.locator("#study-view h2").first().textContent()).toContain("tuning");
    const history = page.locator("section", { has: page.locator("h2", { hasText: "Optimization history" }) });
    expect(await history.locator("canvas").count()).toBe(1);
    const rows = await history.locator("details tbody tr").allTextContents();
    const best = rows.filter((row) => row.startsWith("best so far"));
    expect(best).toHaveLength(5);
    expect(best.at(-1)).toContain(String(Number(study.best!.value!.toPrecision(4))).slice(0, 5));
    const steps = page.locator("section", {
      has: page.locator("h2", { hasText: "Reported value per step" }),
    });
    expect(await steps.textContent()).toContain("Pruned (stopped early): trial 3");
    expect(await steps.locator("details tbody tr td:first-child").allTextContents()).toContain(
      "trial 3 (pruned)",
    );
  });

  it("Optimization: the y axis names the study's objective; trial runs are links to the run", async () => {
    await open("optimization");
    await page.selectOption("#study", "named");
    await expect.poll(() => page.locator("#study-view h2").first().textContent()).toContain("named");
    const canvas = page.locator("#param-charts canvas").first();
    expect(await canvas.getAttribute("aria-label")).toBe("Validation F1 against n");
    const data = page.locator("#param-charts details.chart-data").first();
    expect(await data.locator("th").allTextContents()).toContain("validation F1 (higher is better)");
    const link = page.locator(`#study-view a[href="#/runs/${namedStudyRunIds[0]}"]`);
    await link.click();
    await expect.poll(() => page.locator("main h1").textContent()).toBe("Run trial-0");
  });

  it("Models: lists versions with their aliases, runs and F1; promotes and demotes an alias", async () => {
    await open("models");
    const model = page.locator('.model[data-model="tagifai"]');
    const row = (version: number) => model.locator(`tr[data-version="${version}"]`);
    expect(await model.locator("tbody tr").count()).toBe(2);
    expect(await row(1).textContent()).toContain("@production");
    expect(await row(2).textContent()).toContain("@staging");
    expect(await row(1).locator("a").textContent()).toBe(await nameOf(trained.runId));
    expect(await row(2).textContent()).toContain((await f1Of(linearRunId)).toPrecision(3));
    await page.fill("#token", TOKEN);
    await page.locator("#token").press("Tab");
    await page.fill("#alias-tagifai", "production");
    await page.selectOption("#version-tagifai", "2");
    await model.getByRole("button", { name: "Point alias" }).click();
    await expect.poll(() => row(2).textContent()).toContain("@production");
    expect(await row(1).textContent()).not.toContain("@production");
    expect(await model.locator(".status").textContent()).toBe("@production now names v2.");
    await model.getByRole("button", { name: "Remove alias staging from version 2" }).click();
    await expect.poll(() => row(2).textContent()).not.toContain("@staging");
    await page.selectOption("#version-tagifai", "1");
    await model.getByRole("button", { name: "Point alias" }).click();
    await expect.poll(() => row(1).textContent()).toContain("@production");
    await screenshot("models");
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

  it("Inference: says which model answers and its threshold; a long unbroken text wraps", async () => {
    await open("inference");
    const model = await page.locator("#inference-model").textContent();
    expect(model).toContain(await nameOf(trained.runId));
    expect(model).toContain(trained.runId.slice(0, 8));
    expect(model).toMatch(/threshold 0\.\d+/);
    await page.fill("#title", "x".repeat(600));
    await page.click("form.predict button");
    await page.locator("#prediction ul.probabilities").waitFor();
    const overflow = await page
      .locator("#prediction section")
      .evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it("Inference: the model is chosen (default: the default model, by name/version/run); many texts predict and download", async () => {
    await open("inference");
    const picker = page.locator("#inference-run");
    expect(await picker.inputValue()).toBe(trained.runId);
    // The run is named by its id (the default name), so the id shows once.
    expect(await picker.locator("option").first().textContent()).toBe(
      `Default: tagifai v1 @production · ${trained.runId.slice(0, 8)}`,
    );
    // (Earlier tests move the aliases, so they are left open here.)
    const linearOption = new RegExp(`^tagifai v2( @[a-z]+)* · ${linearRunId.slice(0, 8)}$`);
    expect(
      (await picker.locator("option").allTextContents()).filter((o) => linearOption.test(o)),
    ).toHaveLength(1);
    await picker.selectOption(linearRunId);
    expect(await page.locator("#inference-model").textContent()).toContain(linearRunId.slice(0, 8));

    const texts = [
      "Object detection with YOLO",
      "BERT for text classification",
      "Reinforcement learning for games",
    ];
    await page.fill("#batch-texts", texts.join("\n"));
    await page.click("text=Predict all");
    await expect
      .poll(() => page.locator("#batch-status").textContent())
      .toContain("Predicted 3 projects with run");
    expect(await page.locator("#batch-status").textContent()).toContain(linearRunId.slice(0, 8));
    expect(await page.locator("#batch-result tbody tr").count()).toBe(3);
    const api = await fetch(`${server.url}/api/runs/${linearRunId}/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ texts: texts.map((text) => ({ text })) }),
    });
    const expected = (await api.json()).data.predictions as { predicted_tags: string[] }[];
    const csv = await downloaded(page, "#download-csv");
    expect(csv.split("\n")[0]).toBe("id,predicted_tags");
    expect(csv.trim().split("\n").slice(1)).toEqual(
      expected.map((p, i) => `${i + 1},${p.predicted_tags.join("|")}`),
    );
    await page.check("#batch-probabilities");
    const jsonl = (await downloaded(page, "#download-jsonl"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(jsonl.map((record) => record.predicted_tags)).toEqual(expected.map((p) => p.predicted_tags));
    expect(Object.keys(jsonl[0].probabilities).length).toBeGreaterThan(1);

    // A CSV file: its ids, and a record without text skipped by line.
    await page.setInputFiles("#batch-file", {
      name: "projects.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(
        'id,title,description\n41,YOLO,object detection\n42,,\n43,BERT,"text, classification"\n',
      ),
    });
    await expect
      .poll(() => page.locator("#batch-status").textContent())
      .toContain("projects.csv: 2 projects; skipped 1: line 3");
    await page.click("text=Predict all");
    await expect.poll(() => page.locator("#batch-status").textContent()).toContain("Predicted 2 projects");
    expect(await page.locator("#batch-result tbody tr td:first-child").allTextContents()).toEqual([
      "41",
      "43",
    ]);
    await screenshot("inference-batch");
  });

  it("API docs: Swagger UI renders every route under the Content-Security-Policy", async () => {
    const response = await page.goto(`${server.url}/docs`);
    expect(response?.headers()["content-security-policy"]).toMatch(/script-src 'self'/);
    await page.locator(".swagger-ui .info .title").waitFor({ timeout: 15_000 });
    expect(await page.locator(".swagger-ui .info .title").textContent()).toContain("Tagifai");
    expect(await page.title()).toBe("Tagifai API reference");
    expect(await page.locator('.swagger-ui .info a[href="/dashboard/"]').textContent()).toBe(
      "Open the dashboard",
    );
    await expect.poll(() => page.locator(".opblock").count()).toBeGreaterThan(10);
    await screenshot("docs");
  });

  it("API docs: AA contrast with operations open (Swagger UI's defaults fail it), no sideways scroll at 390 px", async () => {
    await page.goto(`${server.url}/docs`);
    await page.locator(".swagger-ui .info .title").waitFor({ timeout: 15_000 });
    // One operation of each method, one with a path parameter: every kind of badge, table and note.
    for (const operation of [
      ".opblock-post",
      ".opblock-delete",
      '.opblock-get:has([data-path="/api/runs/{id}"])',
    ])
      await page.locator(`${operation} .opblock-summary-control`).first().click();
    await expect.poll(() => page.locator(".opblock .responses-table").count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator(".opblock .parameter__in").count()).toBeGreaterThan(0);
    expect(await lowContrastTexts()).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      expect(await sidewaysScroll()).toBeLessThanOrEqual(0);
    } finally {
      await page.setViewportSize({ width: 1200, height: 900 });
    }
  });

  it("API docs: every rendered example is real — no additionalProp1, each envelope names its operation's method and path", async () => {
    await page.goto(`${server.url}/docs`);
    await page.locator(".swagger-ui .info .title").waitFor({ timeout: 15_000 });
    const operations = page.locator(".opblock");
    const count = await operations.count();
    expect(count).toBeGreaterThan(10);
    for (let i = 0; i < count; i++) await operations.nth(i).locator(".opblock-summary-control").click();
    await expect.poll(() => page.locator(".opblock .responses-table").count()).toBe(count);
    const shown = await operations.evaluateAll((blocks) =>
      blocks.map((block) => ({
        method: block.querySelector(".opblock-summary-method")?.textContent ?? "",
        path: block.querySelector(".opblock-summary-path")?.getAttribute("data-path") ?? "",
        examples: [...block.querySelectorAll(".highlight-code")].map((code) => code.textContent ?? ""),
      })),
    );
    let envelopes = 0;
    for (const { method, path, examples } of shown) {
      expect(examples.length, `${method} ${path}`).toBeGreaterThan(0);
      const route = new RegExp(`^${path.replace(/\{\w+\}/g, "[^/?]+")}(\\?.*)?$`);
      for (const text of examples) {
        expect(text, `${method} ${path}`).not.toContain("additionalProp");
        const example = JSON.parse(text);
        if (typeof example !== "object" || example === null || !("url" in example)) continue;
        envelopes++;
        expect(example.method, `${method} ${path}`).toBe(method);
        expect(example.url, `${method} ${path}`).toMatch(route);
        expect(example.message, `${method} ${path}`).not.toBe("string");
        expect(Date.parse(example.timestamp), `${method} ${path}`).not.toBeNaN();
      }
    }
    // Every operation shows at least its 200 and 5xx envelopes.
    expect(envelopes).toBeGreaterThanOrEqual(2 * count - 1);
  });

  it("raised no error in the page, no request failed, and the Content-Security-Policy blocked nothing", () => {
    expect(pageErrors).toEqual([]);
  });
});

/** The page's section whose heading starts with `title`. */
function sectionTitled(title: string) {
  return page.locator("section", { has: page.locator("h2", { hasText: new RegExp(`^${title}`) }) });
}

/** A run's name, from the API. */
/** Open the Runs page on the "tests" experiment and tick these runs (kept ticked if they were). */
async function tickTestRuns(runIds: readonly string[]): Promise<void> {
  await open("runs");
  await page.selectOption("#run-experiment", "tests");
  for (const id of runIds) {
    const box = page.locator(`tr[data-run-id="${id}"] input[type=checkbox]`);
    if (!(await box.isChecked())) await box.check();
  }
}

async function nameOf(runId: string): Promise<string> {
  const response = await fetch(`${server.url}/api/runs/${runId}`);
  return (await response.json()).data.run.name;
}

/** A run's test F1, from the API. */
async function f1Of(runId: string): Promise<number> {
  const response = await fetch(`${server.url}/api/runs/${runId}`);
  return (await response.json()).data.run.metrics.f1;
}

/** Every page of the dashboard, with what its heading says. */
const PAGES = [
  ["data", "Data"],
  ["performance", "Performance"],
  ["runs", "Runs"],
  ["optimization", "Optimization"],
  ["models", "Models"],
  ["inference", "Inference"],
] as const;

/**
 * Texts whose contrast with their background is below 4.5:1 (WCAG AA), as "text: ratio". Colors
 * are composited over the opaque ancestors' backgrounds; disabled controls are exempt, as in WCAG.
 */
function lowContrastTexts(on: Page = page): Promise<string[]> {
  return on.evaluate(() => {
    type Rgba = { r: number; g: number; b: number; a: number };
    const parse = (color: string): Rgba => {
      const [r, g, b, a = 1] = (color.match(/[\d.]+/g) ?? []).map(Number);
      return { r, g, b, a };
    };
    const over = (top: Rgba, below: Rgba): Rgba => ({
      r: top.r * top.a + below.r * (1 - top.a),
      g: top.g * top.a + below.g * (1 - top.a),
      b: top.b * top.a + below.b * (1 - top.a),
      a: 1,
    });
    const luminance = ({ r, g, b }: Rgba) => {
      const channel = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const background = (element: Element): Rgba => {
      const layers: Rgba[] = [];
      for (let e: Element | null = element; e !== null; e = e.parentElement) {
        const color = parse(getComputedStyle(e).backgroundColor);
        if (color.a > 0) layers.push(color);
        if (color.a >= 1) break;
      }
      return layers.reverse().reduce((acc, layer) => over(layer, acc), { r: 255, g: 255, b: 255, a: 1 });
    };
    const low: string[] = [];
    for (const element of document.body.querySelectorAll("*")) {
      const text = [...element.childNodes]
        .filter((node) => node.nodeType === Node.TEXT_NODE)
        .map((node) => node.textContent ?? "")
        .join("")
        .trim();
      if (text === "" || element.getClientRects().length === 0) continue;
      if (element.closest("option, canvas, .visually-hidden, :disabled")) continue;
      const bg = background(element);
      const fg = over(parse(getComputedStyle(element).color), bg);
      const [light, dark] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      const ratio = (light + 0.05) / (dark + 0.05);
      if (ratio < 4.5) low.push(`${text.slice(0, 30)}: ${ratio.toFixed(2)}`);
    }
    return low;
  });
}

/** The texts of the elements matching `selector` with a text broken over more than one line. */
function brokenTexts(selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((elements) =>
    elements
      .filter((element) => {
        const texts = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        for (let text = texts.nextNode(); text !== null; text = texts.nextNode()) {
          const range = document.createRange();
          range.selectNodeContents(text);
          // One box per line the text is on.
          if (range.getClientRects().length > 1) return true;
        }
        return false;
      })
      .map((element) => element.textContent ?? ""),
  );
}

/** How far the page scrolls sideways (0 when it does not). */
function sidewaysScroll(on: Page = page): Promise<number> {
  return on.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/**
 * Press Tab until focus leaves the last interactive element, and return the interactive elements
 * (links, buttons, form fields, summaries) that focus never reached, and any reached without a
 * visible focus outline.
 */
async function unreachedByTab(on: Page = page): Promise<{ unreached: string[]; noOutline: string[] }> {
  const count = await on.evaluate(() => {
    const all = document.querySelectorAll<HTMLElement>(
      "a[href], button:not(:disabled), input, select, textarea, summary",
    );
    let n = 0;
    for (const element of all) {
      if (element.getClientRects().length === 0) continue;
      element.dataset.focusId = String(n++);
    }
    (document.activeElement as HTMLElement | null)?.blur();
    return n;
  });
  const reached = new Set<string>();
  const noOutline: string[] = [];
  for (let i = 0; i < count + 3; i++) {
    await on.keyboard.press("Tab");
    const focused = await on.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (element === null || element.dataset.focusId === undefined) return null;
      const style = getComputedStyle(element);
      const outlined = style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) >= 2;
      return { id: element.dataset.focusId, outlined, label: element.outerHTML.slice(0, 80) };
    });
    if (focused === null) continue;
    reached.add(focused.id);
    if (!focused.outlined) noOutline.push(focused.label);
  }
  const unreached = await on.evaluate(
    (ids) =>
      [...document.querySelectorAll<HTMLElement>("[data-focus-id]")]
        .filter((element) => !ids.includes(element.dataset.focusId ?? ""))
        .map((element) => element.outerHTML.slice(0, 80)),
    [...reached],
  );
  return { unreached, noOutline };
}

describe("dashboard quality bar", () => {
  afterAll(async () => {
    await page.setViewportSize({ width: 1200, height: 900 });
  });

  for (const [name, heading] of PAGES) {
    for (const width of [390, 1400]) {
      it(`${heading} at ${width} px: no sideways scroll, own title and heading, AA contrast`, async () => {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
        await open(name);
        expect(await sidewaysScroll()).toBeLessThanOrEqual(0);
        expect(await page.title()).toBe(`${heading} · Tagifai`);
        expect(await page.locator("main h1").textContent()).toBe(heading);
        expect(await page.locator(`nav a[aria-current="page"]`).getAttribute("data-page")).toBe(name);
        expect(await lowContrastTexts()).toEqual([]);
      });
    }

    it(`${heading}: every interactive element is reached with Tab and shows its focus`, async () => {
      await page.setViewportSize({ width: 1400, height: 900 });
      await open(name);
      const { unreached, noOutline } = await unreachedByTab();
      expect(unreached).toEqual([]);
      expect(noOutline).toEqual([]);
    });
  }

  for (const width of [390, 1400]) {
    it(`Run page (CNN and linear) at ${width} px: no sideways scroll, own title and heading, AA contrast, every element reached with Tab`, async () => {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      for (const runId of [trained.runId, linearRunId]) {
        await open(`runs/${runId}`);
        for (const summary of await page.locator("main details summary").all()) await summary.click();
        const name = await nameOf(runId);
        expect(await sidewaysScroll()).toBeLessThanOrEqual(0);
        expect(await page.title()).toBe(`Run ${name} · Tagifai`);
        expect(await page.locator("main h1").textContent()).toBe(`Run ${name}`);
        expect(await lowContrastTexts()).toEqual([]);
        const { unreached, noOutline } = await unreachedByTab();
        expect(unreached).toEqual([]);
        expect(noOutline).toEqual([]);
      }
    });
  }

  for (const width of [390, 1400]) {
    it(`at ${width} px, run ids and states never break inside (the table scrolls in its card instead)`, async () => {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await open("runs");
      const broken = await brokenTexts("#run-list tbody td:nth-child(3), #run-list tbody td:nth-child(5)");
      expect(await sidewaysScroll()).toBeLessThanOrEqual(0);
      await open("optimization");
      for (const name of ["tuning", "named"]) {
        await page.selectOption("#study", name);
        await expect.poll(() => page.locator("#study-view h2").first().textContent()).toContain(name);
        const trials = "#study-view tr[data-trial]";
        broken.push(...(await brokenTexts(`${trials} td:nth-child(2), ${trials} td:last-child`)));
      }
      expect(await sidewaysScroll()).toBeLessThanOrEqual(0);
      expect(broken).toEqual([]);
    });
  }

  it("sorts a table and opens a run with the keyboard alone", async () => {
    await open("runs");
    await page.locator("th button", { hasText: "Test F1" }).focus();
    await page.keyboard.press("Enter");
    expect(await page.locator("th", { hasText: "Test F1" }).getAttribute("aria-sort")).toBe("descending");
    await page.locator(`tr[data-run-id="${trained.runId}"] a`).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.url()).toContain(`#/runs/${trained.runId}`);
    const name = await nameOf(trained.runId);
    await expect.poll(() => page.locator("main h1").textContent()).toBe(`Run ${name}`);
  });

  it("the comparison marks differing rows with text, not only a tint", async () => {
    await open("runs");
    await page.selectOption("#run-experiment", "tests");
    for (const id of [otherRunId, alphaRunId]) {
      const box = page.locator(`tr[data-run-id="${id}"] input[type=checkbox]`);
      if (!(await box.isChecked())) await box.check();
    }
    const differs = page.locator("#compare tr.differs");
    expect(await differs.first().locator(".badge").textContent()).toBe("differs");
    expect(await lowContrastTexts()).toEqual([]);
  });

  it("charts have their data as a table", async () => {
    await open("data");
    const details = page.locator("details.chart-data").first();
    await details.locator("summary").click();
    expect(await details.locator("tbody tr").count()).toBe(30);
    expect(await details.locator("tbody tr").first().textContent()).toMatch(/^\S+\d+$/);
  });
});

describe("dashboard, before any data or run", () => {
  let empty: RunningServer;
  let emptyPage: Page;
  let savedHome: string | undefined;
  const emptyErrors: string[] = [];

  beforeAll(async () => {
    savedHome = process.env.TAGIFAI_HOME;
    const home = mkdtempSync(join(tmpdir(), "tagifai-empty-"));
    process.env.TAGIFAI_HOME = home;
    empty = await startServer({ port: 0, trackingUri: `sqlite:${join(home, "tracking.db")}` });
    emptyPage = await browser.newPage();
    recordErrors(emptyPage, emptyErrors);
  });

  afterAll(async () => {
    await emptyPage?.close();
    await empty?.close();
    process.env.TAGIFAI_HOME = savedHome;
  });

  const visit = async (name: string) => {
    await emptyPage.goto(`${empty.url}/dashboard/#/${name}`);
    await emptyPage.locator(`.page[data-page="${name}"][data-ready="true"]`).waitFor({ timeout: 15_000 });
  };

  it("Data and Performance say what to do next, without an error box or a server path", async () => {
    await visit("data");
    expect(await emptyPage.locator(".error").count()).toBe(0);
    expect(await emptyPage.locator(".empty code").first().textContent()).toBe("tagifai load-data");
    expect(await emptyPage.locator(".page").textContent()).not.toContain(tmpdir());
    await visit("performance");
    expect(await emptyPage.locator(".error").count()).toBe(0);
    expect(await emptyPage.locator(".empty").textContent()).toContain("train one with tagifai train-model");
    expect(await emptyPage.locator("#served-model").textContent()).toBe("No model is served yet");
  });

  it("Runs renders its hint's backticks as code, and Reload renders the page again", async () => {
    await visit("runs");
    expect(await emptyPage.locator(".empty code").textContent()).toBe("tagifai train-model");
    expect(await emptyPage.locator(".empty").textContent()).not.toContain("`");
    await emptyPage.evaluate(() => {
      document.querySelector(".page")?.setAttribute("data-old", "true");
    });
    await emptyPage.locator(".empty button", { hasText: "Reload" }).click();
    await emptyPage.locator('.page[data-page="runs"][data-ready="true"]:not([data-old])').waitFor();
  });

  for (const [name, heading] of PAGES) {
    for (const width of [390, 1400]) {
      it(`${heading} at ${width} px, empty: says which command to run, Reload reached with Tab, no sideways scroll, AA contrast`, async () => {
        await emptyPage.setViewportSize({ width, height: width === 390 ? 844 : 900 });
        await visit(name);
        expect(await emptyPage.title()).toBe(`${heading} · Tagifai`);
        expect(await emptyPage.locator("main h1").textContent()).toBe(heading);
        expect(await emptyPage.locator(".empty code").first().textContent()).toMatch(/^tagifai /);
        expect(await sidewaysScroll(emptyPage)).toBeLessThanOrEqual(0);
        expect(await lowContrastTexts(emptyPage)).toEqual([]);
        const { unreached, noOutline } = await unreachedByTab(emptyPage);
        expect(unreached).toEqual([]);
        expect(noOutline).toEqual([]);
        expect(await emptyPage.locator(".empty button", { hasText: "Reload" }).count()).toBe(1);
      });
    }
  }

  it("raised no error and no failed request (an empty store or a missing dataset is no 404)", () => {
    expect(emptyErrors).toEqual([]);
  });
});

describe("dashboard API routes", () => {
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
  const get = async (path: string): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${server.url}${path}`);
    return { status: response.status, body: await response.json() };
  };

  it("GET /api/runs pages with limit and offset and filters by status", async () => {
    const first = await get("/api/runs?limit=3&offset=0");
    const second = await get("/api/runs?limit=3&offset=3");
    const ids = (answer: { body: { data: { runs: { run_id: string }[] } } }) =>
      answer.body.data.runs.map((run) => run.run_id);
    expect(ids(first)).toHaveLength(3);
    expect(ids(second)).toHaveLength(3);
    expect(ids(first).filter((id) => ids(second).includes(id))).toEqual([]);
    const all = await get("/api/runs?limit=1000");
    expect(ids(all).slice(3, 6)).toEqual(ids(second));
    const finished = await get("/api/runs?status=FINISHED&limit=1000");
    expect(finished.body.data.runs.every((run: { status: string }) => run.status === "FINISHED")).toBe(true);
    expect((await get("/api/runs?offset=-1")).status).toBe(422);
    expect((await get("/api/runs?status=DONE")).status).toBe(422);
  });

  it("GET /api/runs/:id/performance gives any run's report, null for a run without one", async () => {
    const trainedRun = await get(`/api/runs/${trained.runId}/performance`);
    expect(trainedRun.body.data.run_id).toBe(trained.runId);
    expect(Object.keys(trainedRun.body.data.performance)).toEqual(
      expect.arrayContaining([
        "overall",
        "class",
        "slices",
        "pr_curves",
        "worst_classes",
        "confident_mistakes",
      ]),
    );
    expect((await get(`/api/runs/${otherRunId}/performance`)).body.data.performance).toBeNull();
    expect((await get(`/api/runs/${"0".repeat(32)}/performance`)).status).toBe(404);
  });

  it("GET /api/runs/:id/artifacts lists a run's files; each downloads, nothing outside the folder does", async () => {
    const { body } = await get(`/api/runs/${trained.runId}/artifacts`);
    const names = body.data.artifacts.map((a: { name: string }) => a.name);
    expect(names).toEqual(expect.arrayContaining(["params.json", "performance.json", "label_encoder.json"]));
    const params = body.data.artifacts.find((a: { name: string }) => a.name === "params.json");
    const file = await fetch(`${server.url}/api/runs/${trained.runId}/artifacts/params.json`);
    expect(file.headers.get("content-type")).toBe("application/octet-stream");
    expect((await file.arrayBuffer()).byteLength).toBe(params.bytes);
    expect((await get(`/api/runs/${otherRunId}/artifacts`)).body.data.artifacts).toEqual([]);
    expect((await get(`/api/runs/${trained.runId}/artifacts/nope.json`)).status).toBe(404);
    expect((await get(`/api/runs/${trained.runId}/artifacts/..%2Ftracking.db`)).status).toBe(422);
    expect((await get(`/api/runs/${trained.runId}/artifacts/.hidden`)).status).toBe(422);
    // Sub-folders (an ensemble's members) are named with "/", but no part may climb out.
    expect((await get(`/api/runs/${trained.runId}/artifacts/cnn%2F..%2F..%2Ftracking.db`)).status).toBe(422);
    expect((await get(`/api/runs/${trained.runId}/artifacts/cnn%2Fmodel.bin`)).status).toBe(404);
  });

  it("GET /api/runs/:id/metrics includes the validation F1 per epoch", async () => {
    const { body } = await get(`/api/runs/${trained.runId}/metrics`);
    expect(body.data.history.val_f1).toHaveLength(1);
    expect((await get(`/api/runs/${linearRunId}/metrics`)).body.data.history.train_loss).toEqual([]);
  });

  it("GET /api/models lists the registry; alias changes need the token, same origin and JSON", async () => {
    const listed = await get("/api/models");
    const tagifai = listed.body.data.models.find((m: { name: string }) => m.name === "tagifai");
    expect(tagifai.versions.map((v: { version: number; run_id: string }) => [v.version, v.run_id])).toEqual([
      [1, trained.runId],
      [2, linearRunId],
    ]);
    const send = (method: string, path: string, headers: Record<string, string>, body = "{}") =>
      fetch(`${server.url}${path}`, { method, headers, body }).then(async (r) => ({
        status: r.status,
        body: await r.json(),
      }));
    const json = { "content-type": "application/json" };
    const auth = { ...json, authorization: `Bearer ${TOKEN}` };
    const promote = JSON.stringify({ alias: "candidate", version: 2 });
    expect((await send("POST", "/api/models/tagifai/aliases", json, promote)).status).toBe(401);
    expect(
      (await send("POST", "/api/models/tagifai/aliases", { ...auth, origin: "http://evil.example" }, promote))
        .status,
    ).toBe(403);
    expect(
      (await send("POST", "/api/models/tagifai/aliases", { ...auth, "content-type": "text/plain" }, promote))
        .status,
    ).toBe(415);
    const missing = await send(
      "POST",
      "/api/models/tagifai/aliases",
      auth,
      JSON.stringify({ alias: "x", version: 9 }),
    );
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain("no version 9");
    const badAlias = JSON.stringify({ alias: "no spaces", version: 1 });
    expect((await send("POST", "/api/models/tagifai/aliases", auth, badAlias)).status).toBe(422);
    const set = await send("POST", "/api/models/tagifai/aliases", auth, promote);
    expect(set.body.data.model.versions[1].aliases).toContain("candidate");
    expect((await send("DELETE", "/api/models/tagifai/aliases/candidate", json)).status).toBe(401);
    const removed = await send("DELETE", "/api/models/tagifai/aliases/candidate", auth);
    expect(removed.body.data.model.versions[1].aliases).not.toContain("candidate");
    expect((await send("DELETE", "/api/models/tagifai/aliases/candidate", auth)).status).toBe(404);
  });

  it("GET /api/studies names each study's objective when its trials record one", async () => {
    const { body } = await get("/api/studies");
    const byName = Object.fromEntries(
      body.data.studies.map((s: { name: string; objective: string | null }) => [s.name, s.objective]),
    );
    expect(byName).toEqual({ named: "validation F1", tuning: null });
  });
});
