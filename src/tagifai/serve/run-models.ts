/**
 * Models of runs other than the served one, loaded on demand so that the dashboard can predict with
 * a model the user chooses: at most `capacity` are kept, and the least recently used one is let go
 * when another is loaded (each in its own `ModelSlot`, so it is disposed only once the requests
 * using it are done).
 */
import { TagifaiError } from "../errors.js";
import { type LoadedModel, ModelSlot } from "./live-model.js";

/** How many chosen models are kept loaded besides the served one. */
export const DEFAULT_CAPACITY = 2;

/** A small LRU cache of loaded run models. */
export class RunModelCache {
  /** Slots by run id, least recently used first; each promise settles once the model is loaded. */
  readonly #slots = new Map<string, Promise<ModelSlot>>();

  /**
   * @param load loads a run's model (with its smoke prediction, as the served one)
   * @param capacity how many models to keep loaded
   */
  constructor(
    private readonly load: (runId: string) => Promise<LoadedModel>,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  /**
   * Run `work` with a run's model, loading it first if it is not kept.
   * @param runId the run
   * @param work what to do with the model
   * @returns what `work` returns
   * @throws what loading throws (e.g. RUN_NOT_FOUND); MODEL_NOT_FOUND for a run without a usable model
   */
  async use<T>(runId: string, work: (model: LoadedModel) => T | Promise<T>): Promise<T> {
    let slot = this.#slots.get(runId);
    if (slot === undefined) {
      slot = this.#open(runId);
      this.#slots.set(runId, slot);
      slot.catch(() => this.#slots.delete(runId));
      this.#evict();
    } else {
      this.#slots.delete(runId);
      this.#slots.set(runId, slot);
    }
    return (await slot).use(work);
  }

  /** Let every kept model go (each disposed once idle). */
  async close(): Promise<void> {
    const slots = [...this.#slots.values()];
    this.#slots.clear();
    await Promise.all(
      slots.map((slot) =>
        slot.then(
          (s) => s.close(),
          () => undefined,
        ),
      ),
    );
  }

  async #open(runId: string): Promise<ModelSlot> {
    const slot = new ModelSlot(() => this.load(runId));
    try {
      await slot.reload();
    } catch (error) {
      if (error instanceof TagifaiError && error.code === "INVALID_ARTIFACTS") {
        // Its message names the server's folder: say what it means instead (a 404, not a 500).
        throw new TagifaiError(
          "MODEL_NOT_FOUND",
          `Run ${runId} has no model to predict with: its artifacts are missing or incomplete`,
          { cause: error },
        );
      }
      throw error;
    }
    return slot;
  }

  #evict(): void {
    while (this.#slots.size > this.capacity) {
      const [oldest, slot] = this.#slots.entries().next().value as [string, Promise<ModelSlot>];
      this.#slots.delete(oldest);
      void slot.then(
        (s) => s.close(),
        () => undefined,
      );
    }
  }
}
