/**
 * Signals reach a training run at any moment: during the CNN's epochs, inside the synchronous linear
 * fit, and while the artifact folder is being written. Each time the real CLI must end the run
 * KILLED (never FINISHED), leave no artifact folder (complete or partial) behind, and exit 130
 * (SIGINT) or 143 (SIGTERM) — on SQLite and on PostgreSQL.
 */
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { TEST_PARAMS_FP } from "../src/config/config.js";
import { openStore } from "../src/tagifai/tracking.js";
import { BACKENDS, type FreshStore } from "./fixtures/tracking/harness.js";
import { startCli } from "./helpers/cli.js";
import { DATASET_DIR } from "./helpers/trained-run.js";

/** Where a signal is sent, and how the test knows the child got there. */
interface Moment {
  name: string;
  params: Record<string, unknown>;
  /** Extra environment (a test pause point, see src/tagifai/pausepoint.ts). */
  env: Record<string, string>;
  /** The stderr line that says the moment has come. */
  ready: RegExp;
  signal: "SIGINT" | "SIGTERM";
}

const base = JSON.parse(readFileSync(TEST_PARAMS_FP, "utf8")) as Record<string, unknown> & {
  cnn: Record<string, unknown>;
};
/** The test configuration as a linear model (without the CNN's section). */
const { cnn: _cnn, ...linear } = { ...base, model: "linear" };

const MOMENTS: Moment[] = [
  {
    name: "during the CNN's epochs",
    params: { ...base, cnn: { ...base.cnn, num_epochs: 500, patience: 500 } },
    env: {},
    ready: /Epoch: 1 /,
    signal: "SIGINT",
  },
  {
    name: "during the linear fit",
    params: linear,
    env: { TAGIFAI_TEST_PAUSE_AT: "fit" },
    ready: /Pausing at fit/,
    signal: "SIGTERM",
  },
  {
    name: "while the artifacts are written",
    params: linear,
    env: { TAGIFAI_TEST_PAUSE_AT: "artifacts" },
    ready: /Pausing at artifacts/,
    signal: "SIGTERM",
  },
];

describe.each(BACKENDS)("a signal stops training on $name", (backend) => {
  let fresh: FreshStore | undefined;
  afterEach(async () => {
    await fresh?.cleanup();
    fresh = undefined;
  });

  test.each(MOMENTS)(
    "$signal $name: run KILLED, no artifacts, exit 128 + signal",
    async (moment) => {
      fresh = await backend.freshStore();
      const home = mkdtempSync(join(tmpdir(), "tagifai-signals-"));
      const paramsFp = join(home, "params.json");
      writeFileSync(paramsFp, JSON.stringify(moment.params));
      const { child, output } = startCli(
        ["--tracking-uri", fresh.uri, "train-model", "--params-fp", paramsFp, "--experiment", "signals"],
        { TAGIFAI_HOME: home, TAGIFAI_DATA_DIR: DATASET_DIR, TAGIFAI_TEST_PAUSE_MS: "3000", ...moment.env },
      );
      const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
      await expect.poll(() => output.stderr, { timeout: 240_000, interval: 20 }).toMatch(moment.ready);
      child.kill(moment.signal);
      const [code] = await exited;
      expect(code, output.stderr).toBe(moment.signal === "SIGINT" ? 130 : 143);

      const runId = /Run ID: ([0-9a-f]{32})/.exec(output.stderr)?.[1];
      expect(runId, output.stderr).toBeDefined();
      const store = await openStore(fresh.uri);
      try {
        expect((await store.getRun(runId!)).status).toBe("KILLED");
      } finally {
        await store.close();
      }
      const models = join(home, "stores", "model");
      expect(existsSync(join(models, runId!))).toBe(false);
      expect(existsSync(models) ? readdirSync(models) : []).toEqual([]);
      expect(output.stderr).not.toMatch(/\n\s+at /);
    },
    300_000,
  );
});
