/**
 * Micro-batching of predictions: the texts of the requests that arrive within one turn of the event
 * loop are predicted together, in one model call, which costs far less per text than one call per
 * request (and, the model ignoring padding, gives the same probabilities). Each request still gets
 * exactly its own predictions back.
 */
import { type Prediction, predict } from "../predict.js";
import type { ModelSlot } from "./live-model.js";

/** The predictions of one request, and the run that made them. */
export interface BatchResult {
  runId: string;
  predictions: Prediction[];
}

interface Pending {
  texts: string[];
  /** Length of the longest text. */
  width: number;
  resolve: (result: BatchResult) => void;
  reject: (error: unknown) => void;
}

/** How big one model call may get. */
export interface BatchLimits {
  /** Most texts in one call. */
  maxTexts: number;
  /**
   * Most padded characters in one call: texts × longest text. Every text of a batch is padded to
   * the longest, so this keeps a long text from slowing a batch of short ones down.
   */
  maxChars: number;
}

/** Gathers concurrent prediction requests into batches predicted by the slot's current model. */
export class PredictionBatcher {
  #queue: Pending[] = [];
  #scheduled = false;

  /**
   * @param slot the model to predict with
   * @param limits how big a batch may get (a single request over them is predicted alone)
   */
  constructor(
    private readonly slot: ModelSlot,
    private readonly limits: BatchLimits,
  ) {}

  /**
   * Predict the tags of some texts, batched with other requests arriving at the same time.
   * @param texts the texts of one request
   * @returns their predictions, in order, and the run that made them
   */
  predict(texts: string[]): Promise<BatchResult> {
    return new Promise((resolve, reject) => {
      const width = texts.reduce((widest, text) => Math.max(widest, text.length), 0);
      this.#queue.push({ texts, width, resolve, reject });
      if (!this.#scheduled) this.#schedule();
    });
  }

  #schedule(): void {
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  /**
   * Predict one batch. The rest waits for the next turn, so the answers of this batch go out (and
   * newly arrived requests join the queue) before the next model call.
   */
  #flush(): void {
    this.#scheduled = false;
    void this.#run(this.#takeBatch());
    if (this.#queue.length > 0) this.#schedule();
  }

  /** The oldest requests whose texts fit in one batch (at least one request). */
  #takeBatch(): Pending[] {
    const { maxTexts, maxChars } = this.limits;
    let texts = this.#queue[0].texts.length;
    let width = this.#queue[0].width;
    let size = 1;
    for (; size < this.#queue.length; size++) {
      const next = this.#queue[size];
      const nextWidth = Math.max(width, next.width);
      if (texts + next.texts.length > maxTexts || (texts + next.texts.length) * nextWidth > maxChars) break;
      texts += next.texts.length;
      width = nextWidth;
    }
    return this.#queue.splice(0, size);
  }

  /** Predict a batch; if it fails, predict its requests one by one so one bad request fails alone. */
  async #run(batch: Pending[]): Promise<void> {
    try {
      const { runId, predictions } = await this.slot.use((model) => ({
        runId: model.runId,
        predictions: predict(
          batch.flatMap((pending) => pending.texts),
          model.artifacts,
        ),
      }));
      let offset = 0;
      for (const pending of batch) {
        pending.resolve({ runId, predictions: predictions.slice(offset, offset + pending.texts.length) });
        offset += pending.texts.length;
      }
    } catch (error) {
      if (batch.length === 1) batch[0].reject(error);
      else for (const pending of batch) await this.#run([pending]);
    }
  }
}
