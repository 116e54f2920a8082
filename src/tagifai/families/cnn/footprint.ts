/**
 * The CNN's memory estimate (see `ModelFamily.estimateMemory`), from the shapes model.ts builds:
 * embeddings `[V, D]`, conv kernels `[f, D, F]` for f = 1..maxF, fc1 `[F·maxF, H]`, fc2 `[H, C]`.
 * Training holds each weight six times over (the variable, the initial value it is copied from, its
 * gradient, Adam's two moments and the best epoch's copy). A vocabulary of at most
 * {@link LOOKUP_MAX_VOCAB} tokens convolves through lookup tables `[V, Σ_f f·F]` (a tensor with its
 * gradient, plus the inference cache and the kernel's copy in its own wasm memory); a larger one
 * densely, materializing the embedded batch `[B, L, D]` and every conv output `[B, L, F]` with their
 * gradients. Loaded without tfjs, so that estimating stays cheap.
 */
import type { DataShape, MemoryTerm } from "../../family.js";
import type { CnnParams } from "./hyperparameters.js";

/** Vocabularies up to this size use lookup tables when a model's `convPath` is "auto" (or unset). */
export const LOOKUP_MAX_VOCAB = 1024;

const FLOAT = 4;
/** Tokens besides the data's: padding and unknown. */
const RESERVED_TOKENS = 2;
/** Copies of every weight while training (see the module comment). */
const WEIGHT_COPIES = 6;

/**
 * Estimate the CNN's peak training memory.
 * @param config the `cnn` params section
 * @param data the texts' shape
 * @returns the parts, keyed by `cnn.*` params
 */
export function estimateCnnMemory(config: CnnParams, data: DataShape): MemoryTerm[] {
  const { embedding_dim: D, num_filters: F, max_filter_size: maxF, hidden_dim: H, batch_size: B } = config;
  const V = RESERVED_TOKENS + (config.char_level ? data.distinctChars : data.distinctWords);
  const L = Math.max(maxF, config.char_level ? data.maxChars : data.maxWords);
  const blocks = (maxF * (maxF + 1)) / 2;
  const pooled = F * maxF;
  const key = (...names: (keyof CnnParams)[]) => names.map((name) => `cnn.${name}`);
  const weights = (what: string, count: number, keys: string[]): MemoryTerm => ({
    what: `${what} (×${WEIGHT_COPIES}: weights, initial values, gradients, Adam moments, best epoch)`,
    bytes: WEIGHT_COPIES * FLOAT * count,
    keys,
    tensors: true,
  });
  const terms: MemoryTerm[] = [
    weights("embeddings", V * D, key("embedding_dim", "char_level")),
    weights("conv kernels", blocks * D * F + pooled, key("num_filters", "embedding_dim", "max_filter_size")),
    weights("fc1", pooled * H + H, key("num_filters", "max_filter_size", "hidden_dim")),
    weights("fc2", H * data.classes + data.classes, key("hidden_dim")),
    {
      what: "activations of a batch (with their gradients)",
      bytes: 2 * FLOAT * B * (pooled + H + data.classes),
      keys: key("batch_size", "num_filters", "max_filter_size", "hidden_dim"),
      tensors: true,
    },
    {
      what: "token sequences",
      bytes: 8 * (config.char_level ? data.totalChars : data.totalWords) + 4 * B * L,
      keys: [...key("char_level", "batch_size"), "subset"],
      tensors: false,
    },
  ];
  const tableBytes = FLOAT * V * blocks * F;
  if (V <= LOOKUP_MAX_VOCAB)
    terms.push(
      {
        what: "conv lookup tables and their gradient",
        bytes: 2 * tableBytes,
        keys: key("num_filters", "max_filter_size", "char_level"),
        tensors: true,
      },
      {
        what: "conv lookup tables' inference cache and kernel copy",
        bytes: 2 * tableBytes,
        keys: key("num_filters", "max_filter_size", "char_level"),
        tensors: false,
      },
    );
  else
    terms.push({
      what: "embedded batch and conv outputs (with their gradients)",
      bytes: 2 * FLOAT * B * L * (D + pooled),
      keys: key("batch_size", "embedding_dim", "num_filters", "max_filter_size"),
      tensors: true,
    });
  return terms;
}
