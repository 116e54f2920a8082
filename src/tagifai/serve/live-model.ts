/**
 * The model the server predicts with, swappable while serving: a reload loads the new run fully,
 * then swaps the reference, and disposes the old model only once every request using it is done.
 */

import { TagifaiError } from "../errors.js";
import type { Performance } from "../eval.js";
import type { Artifacts } from "../train.js";

/** A run loaded for serving: its artifacts, its test performance and when it was loaded. */
export interface LoadedModel {
  runId: string;
  artifacts: Artifacts;
  performance: Performance;
  loadedAt: Date;
}

/** What a reload did. */
export interface ReloadResult {
  runId: string;
  previousRunId: string | null;
}

/** Holds the current model, lends it out to requests, and swaps it on reload. */
export class ModelSlot {
  #current: LoadedModel | undefined;
  readonly #leases = new Map<LoadedModel, number>();
  readonly #retired = new Set<LoadedModel>();
  #reloading: Promise<unknown> = Promise.resolve();

  /** @param load loads the model to serve (re-resolving the run reference each time) */
  constructor(private readonly load: () => Promise<LoadedModel>) {}

  /** The model requests get now, if any. */
  get current(): LoadedModel | undefined {
    return this.#current;
  }

  /**
   * Run `work` with the current model; the model is not disposed before `work` settles, even if
   * a reload swaps it out meanwhile.
   * @param work what to do with the model
   * @returns what `work` returns
   * @throws TagifaiError MODEL_NOT_FOUND when no model is loaded
   */
  async use<T>(work: (model: LoadedModel) => T | Promise<T>): Promise<T> {
    const model = this.#current;
    if (model === undefined) {
      throw new TagifaiError(
        "MODEL_NOT_FOUND",
        "No model is loaded: train a run, then reload the server (SIGHUP or POST /reload)",
      );
    }
    this.#leases.set(model, (this.#leases.get(model) ?? 0) + 1);
    try {
      return await work(model);
    } finally {
      const left = (this.#leases.get(model) ?? 1) - 1;
      if (left > 0) this.#leases.set(model, left);
      else this.#leases.delete(model);
      this.#disposeIfIdle(model);
    }
  }

  /**
   * Load the model again and swap it in; requests keep being served by the old one until then.
   * Reloads run one at a time; if loading fails the current model stays.
   * @returns the run now loaded and the one before
   */
  reload(): Promise<ReloadResult> {
    const next = this.#reloading.then(async () => {
      const fresh = await this.load();
      const previous = this.#current;
      this.#current = fresh;
      if (previous !== undefined) this.#retire(previous);
      return { runId: fresh.runId, previousRunId: previous?.runId ?? null };
    });
    this.#reloading = next.catch(() => undefined);
    return next;
  }

  /** Stop lending the current model out and dispose it once the requests using it are done. */
  async close(): Promise<void> {
    await this.#reloading;
    const previous = this.#current;
    this.#current = undefined;
    if (previous !== undefined) this.#retire(previous);
  }

  #retire(model: LoadedModel): void {
    this.#retired.add(model);
    this.#disposeIfIdle(model);
  }

  #disposeIfIdle(model: LoadedModel): void {
    if (!this.#retired.has(model) || this.#leases.has(model)) return;
    this.#retired.delete(model);
    model.artifacts.model.dispose();
  }
}
