/**
 * The README's dashboard screenshots, taken from real data (`npm run screenshots`).
 *
 * In a throwaway Tagifai home it does what a user would: trains the default model
 * (config/params.json) and the original's CNN (config/params_cnn.json, cut to a few epochs so that
 * the script runs in minutes) on the reference data, runs the behavioral tests of both, registers
 * them as `tagifai` v1 (`production`) and v2 (`staging`), and runs a small TPE study of the CNN.
 * Then it serves that store, opens each dashboard page in headless Chromium (playwright-core,
 * `CHROMIUM_PATH` or /usr/bin/chromium) at 1400 px and one at the 390 px phone width, and writes
 * PNGs to docs/screenshots/. Any console error, failed request or HTTP error fails it
 * (the browser tests' `launchBrowser`).
 *
 * Data: `TAGIFAI_DATA_DIR` (as for `tagifai train-model`). Needs the built dashboard (`npm run build`).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import { wholeNumber } from "../src/cli/arguments.js";
import { CONFIG_DIR, DEFAULT_PARAMS_FP } from "../src/config/config.js";
import { setDevice } from "../src/tagifai/device.js";
import { withStore } from "../src/tagifai/lifecycle.js";
import { testModel, trainModel } from "../src/tagifai/operations.js";
import { optimize } from "../src/tagifai/optimize.js";
import { startServer } from "../src/tagifai/serve/server.js";
import { launchBrowser } from "../tests/helpers/browser.js";

/** What each screenshot shows: the file name, the dashboard route and the viewport width. */
interface Shot {
  file: string;
  route: string;
  width: number;
  /** Something to do on the page before the picture (e.g. run a prediction). */
  act?: (page: Page) => Promise<void>;
}

/** Long pages (a run's page is ~7,000 px) are cut at this height: the README shows their top. */
const MAX_HEIGHT = 2000;

let options: { out: string; "cnn-epochs": string; trials: string };
let counts: { cnnEpochs: number; trials: number };
try {
  ({ values: options } = parseArgs({
    options: {
      out: { type: "string", default: "docs/screenshots" },
      "cnn-epochs": { type: "string", default: "8" },
      trials: { type: "string", default: "6" },
    },
  }));
  // The CLI's own parser: a bad count is a usage error before anything trains.
  counts = {
    cnnEpochs: wholeNumber("--cnn-epochs")(options["cnn-epochs"]),
    trials: wholeNumber("--trials")(options.trials),
  };
} catch (error) {
  console.error(`screenshots: ${(error as Error).message}`);
  process.exit(2);
}

try {
  const home = mkdtempSync(join(tmpdir(), "tagifai-screenshots-"));
  process.env.TAGIFAI_HOME = home;
  const trackingUri = `sqlite:${join(home, "stores", "tracking.db")}`;
  const runs = await fillStore(home, trackingUri, counts.cnnEpochs, counts.trials);
  const server = await startServer({ port: 0, trackingUri });
  try {
    const problems = await takeShots(server.url, shotsOf(runs), resolve(options.out));
    if (problems.length > 0) throw new Error(`the dashboard misbehaved:\n${problems.join("\n")}`);
  } finally {
    await server.close();
  }
} catch (error) {
  // One line, not the stack (tfjs-backend-wasm rethrows unhandled errors from its own minified file).
  console.error(`screenshots: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

/**
 * Train, test, register and tune in the throwaway store, as a user would.
 * @param home the throwaway Tagifai home
 * @param trackingUri its store
 * @param cnnEpochs epochs of the CNN run
 * @param trials trials of the CNN study (3 epochs each)
 * @returns the run ids of the default model and of the CNN
 */
async function fillStore(
  home: string,
  trackingUri: string,
  cnnEpochs: number,
  trials: number,
): Promise<{ linear: string; cnn: string }> {
  await setDevice("wasm");
  const linear = await train(trackingUri, DEFAULT_PARAMS_FP, "default model");
  const cnnParamsFp = withCnnEpochs(join(home, "params_cnn.json"), cnnEpochs);
  const cnn = await train(trackingUri, cnnParamsFp, `original CNN, ${cnnEpochs} epochs`);
  await testModel(linear, { trackingUri });
  await testModel(cnn, { trackingUri });
  await withStore({ trackingUri }, async (store) => {
    await store.registerModel(linear, "tagifai");
    await store.setAlias("tagifai", 1, "production");
    await store.registerModel(cnn, "tagifai");
    await store.setAlias("tagifai", 2, "staging");
  });
  await optimize({
    trackingUri,
    paramsFp: withCnnEpochs(join(home, "params_study.json"), 3),
    studyName: "cnn-tuning",
    numTrials: trials,
  });
  return { linear, cnn };
}

/**
 * The pictures: every page at 1400 px (a run's page and the performance page of the runs trained),
 * and the runs page at the phone width.
 * @param runs the run ids of the default model and of the CNN
 */
function shotsOf(runs: { linear: string; cnn: string }): Shot[] {
  return [
    { file: "data.png", route: "#/data", width: 1400 },
    { file: "runs.png", route: "#/runs", width: 1400 },
    { file: "run.png", route: `#/runs/${runs.cnn}`, width: 1400 },
    { file: "performance.png", route: `#/performance/${runs.linear}`, width: 1400 },
    { file: "optimization.png", route: "#/optimization", width: 1400 },
    { file: "models.png", route: "#/models", width: 1400 },
    { file: "inference.png", route: "#/inference", width: 1400, act: predictInBrowser },
    { file: "phone.png", route: "#/runs", width: 390 },
  ];
}

/**
 * Open each page in headless Chromium and save its picture.
 * @param baseUrl the server's URL
 * @param shots the pictures to take
 * @param outDir where the PNGs go
 * @returns the console errors, page errors and failed requests seen
 */
async function takeShots(baseUrl: string, shots: Shot[], outDir: string): Promise<string[]> {
  const { context, page, errors } = await launchBrowser();
  try {
    mkdirSync(outDir, { recursive: true });
    for (const shot of shots) {
      await page.setViewportSize({ width: shot.width, height: 900 });
      await page.goto(`${baseUrl}/dashboard/${shot.route}`);
      await page.waitForSelector(".page[data-ready='true']");
      await shot.act?.(page);
      // Charts animate in; let them settle before the picture.
      await page.waitForTimeout(800);
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      await page.screenshot({
        path: join(outDir, shot.file),
        fullPage: true,
        clip: { x: 0, y: 0, width: shot.width, height: Math.min(height, MAX_HEIGHT) },
      });
      console.log(`wrote ${join(outDir, shot.file)}`);
    }
  } finally {
    await context.close();
  }
  return errors;
}

/**
 * Train one run in the throwaway store.
 * @param trackingUri the store
 * @param paramsFp its params file
 * @param label what the log calls it
 */
async function train(trackingUri: string, paramsFp: string, label: string): Promise<string> {
  console.log(`training the ${label} (${paramsFp})`);
  const { runId } = await trainModel({ paramsFp, trackingUri, experimentName: "screenshots" });
  if (!runId) throw new Error("training returned no run id");
  return runId;
}

/**
 * Write the original's CNN params with fewer epochs.
 * @param target where to write them
 * @param epochs `num_epochs`
 * @returns `target`
 */
function withCnnEpochs(target: string, epochs: number): string {
  const params = JSON.parse(readFileSync(join(CONFIG_DIR, "params_cnn.json"), "utf8"));
  writeFileSync(target, JSON.stringify({ ...params, cnn: { ...params.cnn, num_epochs: epochs } }));
  return target;
}

/** Switch the inference page to the in-browser model, paste a few project descriptions and run them. */
async function predictInBrowser(page: Page): Promise<void> {
  await page.selectOption("#inference-where", "browser");
  await page.waitForSelector("#browser-model:has-text('Loaded the')");
  await page
    .locator("#batch-texts")
    .fill(
      [
        "Transfer learning with transformers for text classification.",
        "Real-time object detection on a phone with YOLO and TensorFlow Lite.",
        "Tracking experiments and serving models in production with MLflow and Docker.",
      ].join("\n"),
    );
  await page.getByRole("button", { name: "Predict all" }).click();
  await page.waitForSelector("#batch-result table");
}
