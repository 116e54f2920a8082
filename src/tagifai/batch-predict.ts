/**
 * Batch prediction: the records of a CSV, JSON or JSONL input streamed through a run's model in
 * batches and written as JSONL or CSV predictions, in input order (see `batch/format.ts`).
 *
 * Memory stays flat whatever the input's length: the input is read only as fast as batches are
 * predicted and written — at most `2 × threads` batches are in flight, and writing waits while the
 * output's buffer is full (backpressure). A record that cannot be read or has no text is reported
 * with its line and then skipped (counted in the result) or fatal, as `onError` says; it is never
 * dropped silently. An output file is written to a temp file renamed into place at the end, so an
 * error or an abort leaves nothing half-written (see `batch/output.ts`).
 */
import { createReadStream, statSync } from "node:fs";
import { extname } from "node:path";
import type { Readable, Writable } from "node:stream";
import { logger } from "../config/config.js";
import { checkpoint } from "./abort.js";
import { type OutputFormat, type OutputLayout, outputHeader } from "./batch/format.js";
import { openOutput } from "./batch/output-target.js";
import { type BatchPredictor, inProcessPredictor, threadPredictor } from "./batch/predictors.js";
import type { DatasetFormat, InputFields } from "./data/dataset.js";
import { recordInput } from "./data/dataset.js";
import { isStreamedProblem, type StreamedItem, streamRecords } from "./data/record-stream.js";
import type { Device } from "./device.js";
import { TagifaiError } from "./errors.js";
import { findRunArtifacts, type StoreOptions } from "./lifecycle.js";
import { MAX_TEXT_LENGTH } from "./predict.js";

export type { OutputFormat } from "./batch/format.js";

/** What to do with a record that cannot be read or has no text: skip it (and count it), or stop. */
export type OnRecordError = "skip" | "fail";

/** How far batch prediction has got. */
export interface BatchProgress {
  /** Records predicted and written. */
  predicted: number;
  /** Records skipped (see `OnRecordError`). */
  skipped: number;
  /** Bytes of the input read so far, and its size when it is a file. */
  bytesRead: number;
  totalBytes: number | undefined;
}

/** What `batchPredict` needs. */
export interface BatchPredictOptions extends StoreOptions {
  /** A file, or a stream of bytes (e.g. stdin: then `inputFormat` is needed). */
  input: string | Readable;
  /** Default: the file's extension (`.csv`, `.json`, `.jsonl`). */
  inputFormat?: DatasetFormat;
  /** A file (written to a temp file, renamed into place at the end), or a stream (e.g. stdout). */
  output: string | Writable;
  /** Default: `csv` for a `.csv` file, else `jsonl`. */
  outputFormat?: OutputFormat;
  /** Replace an output file that exists (else it is refused). */
  force?: boolean;
  /** The fields joined into each record's text, and the optional id field (default: the position). */
  fields: InputFields;
  /** Which run's model (see `resolveRun`); default as every model command. */
  runRef?: string;
  /** Device of the worker threads; default wasm. In-process prediction uses the device already set. */
  device?: Device;
  /** Write every tag's probability too. */
  probabilities?: boolean;
  /** Default `fail`. */
  onError?: OnRecordError;
  /**
   * Worker threads, each holding the model; 0 (the default) predicts in this thread. On 2 cores the
   * worker threads were slower than this thread for both the CNN (whose convolution already uses a
   * helper thread) and the linear model (`npm run bench:predict`): use them on more cores.
   */
  threads?: number;
  /** Texts per model call; default 256. */
  batchSize?: number;
  /** Told after every batch written. */
  onProgress?: (progress: BatchProgress) => void;
  /** Stops reading and predicting; the output file is then not written. */
  signal?: AbortSignal;
}

/** What `batchPredict` did. */
export interface BatchPredictResult {
  runId: string;
  /** Records predicted and written. */
  predicted: number;
  /** Records skipped, each logged with its line. */
  skipped: number;
}

/** Texts per model call when not given. */
const DEFAULT_BATCH_SIZE = 256;

/** Longest record read, in characters: a text longer than MAX_TEXT_LENGTH is refused anyway. */
const MAX_RECORD_CHARS = 4 * MAX_TEXT_LENGTH;

const INPUT_FORMATS: Record<string, DatasetFormat> = { ".csv": "csv", ".json": "json", ".jsonl": "jsonl" };

/**
 * Predict the tags of every record of an input, writing them in input order.
 * @param options input and output, their formats, fields, run, threads, error policy, signal
 * @returns the run used and the counts of records predicted and skipped
 * @throws TagifaiError INVALID_INPUT (output file exists without `force`, unknown input format),
 *   INVALID_DATA (a bad record with `onError: "fail"`, naming its line; an unreadable CSV header or a
 *   JSON input that is not an array), DATA_NOT_FOUND (no input file), those of `resolveRun` and of
 *   loading the model; the signal's reason once it is aborted
 */
export async function batchPredict(options: BatchPredictOptions): Promise<BatchPredictResult> {
  const source = typeof options.input === "string" ? options.input : "stdin";
  const inputFormat = options.inputFormat ?? formatOf(options.input);
  const layout: OutputLayout = {
    format:
      options.outputFormat ??
      (typeof options.output === "string" && extname(options.output).toLowerCase() === ".csv"
        ? "csv"
        : "jsonl"),
    probabilities: options.probabilities ?? false,
  };
  const input = openInput(options.input);
  const output = openOutput(options.output, options.force ?? false);
  let predictor: BatchPredictor | undefined;
  const stop = () => void predictor?.close();
  options.signal?.addEventListener("abort", stop);
  try {
    const { run, dir } = await findRunArtifacts(options.runRef, options);
    await checkpoint(options.signal);
    const threads = options.threads ?? 0;
    const setup = { artifactDir: dir, device: options.device ?? "wasm", layout };
    predictor = threads === 0 ? await inProcessPredictor(setup) : await threadPredictor(setup, threads);
    await checkpoint(options.signal);
    const counts = await pipeline(predictor, input, output, {
      ...options,
      source,
      inputFormat,
      header: outputHeader(layout),
      threads: Math.max(1, threads),
    });
    await output.commit();
    return { runId: run.id, ...counts };
  } catch (error) {
    await output.discard();
    options.signal?.throwIfAborted();
    throw error;
  } finally {
    options.signal?.removeEventListener("abort", stop);
    input.stream.destroy();
    await predictor?.close();
  }
}

/** The input's format from its file extension. */
function formatOf(input: string | Readable): DatasetFormat {
  const format = typeof input === "string" ? INPUT_FORMATS[extname(input).toLowerCase()] : undefined;
  if (format !== undefined) return format;
  throw new TagifaiError(
    "INVALID_INPUT",
    typeof input === "string"
      ? `cannot tell the format of ${input}: expected a .csv, .json or .jsonl file, or give the input format`
      : "reading from a stream (stdin) needs the input format: csv, json or jsonl",
  );
}

/** An input being read: its stream, its chunks as read, how much was read and its size (a file). */
interface InputSource {
  stream: Readable;
  chunks: AsyncIterable<Uint8Array | string>;
  bytesRead(): number;
  totalBytes: number | undefined;
}

/** Open the input (a file, or a stream such as stdin). */
function openInput(input: string | Readable): InputSource {
  let totalBytes: number | undefined;
  if (typeof input === "string")
    try {
      totalBytes = statSync(input).size;
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new TagifaiError("DATA_NOT_FOUND", `cannot read ${input} (${reason})`);
    }
  const stream = typeof input === "string" ? createReadStream(input, { highWaterMark: 256 * 1024 }) : input;
  let bytes = 0;
  async function* chunks(): AsyncGenerator<Uint8Array | string> {
    for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
      bytes += chunk.length;
      yield chunk;
    }
  }
  return { stream, chunks: chunks(), bytesRead: () => bytes, totalBytes };
}

/** The read → batch → predict → write loop, at most `2 × threads` batches in flight. */
async function pipeline(
  predictor: BatchPredictor,
  input: InputSource,
  output: ReturnType<typeof openOutput>,
  options: BatchPredictOptions & {
    source: string;
    inputFormat: DatasetFormat;
    header: string;
    threads: number;
  },
): Promise<{ predicted: number; skipped: number }> {
  const { source, fields, signal } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const inFlight: { size: number; lines: Promise<string> }[] = [];
  let ids: (string | number)[] = [];
  let texts: string[] = [];
  let predicted = 0;
  let skipped = 0;

  const reject = (line: number, problem: string) => {
    const message = `${source} line ${line}: ${problem}`;
    if (options.onError !== "skip")
      throw new TagifaiError("INVALID_DATA", `${message} (--on-error skip skips such records)`);
    skipped++;
    logger.warn(`${message}: skipped`);
  };
  const writeOldest = async () => {
    const batch = inFlight.shift()!;
    await output.write(await batch.lines);
    predicted += batch.size;
    options.onProgress?.({ predicted, skipped, bytesRead: input.bytesRead(), totalBytes: input.totalBytes });
  };
  const send = async () => {
    const lines = predictor.predict(ids, texts);
    lines.catch(() => {}); // awaited in order by writeOldest; this keeps a failure from going unhandled first
    inFlight.push({ size: ids.length, lines });
    ids = [];
    texts = [];
    while (inFlight.length >= 2 * options.threads) await writeOldest();
  };
  const take = (item: StreamedItem) => {
    if (isStreamedProblem(item)) return reject(item.line, item.problem);
    const record = recordInput(item.value, item.index, fields);
    if (typeof record === "string") return reject(item.line, record);
    if (record.text.length > MAX_TEXT_LENGTH)
      return reject(
        item.line,
        `the text has ${record.text.length} characters; the limit is ${MAX_TEXT_LENGTH}`,
      );
    ids.push(record.id);
    texts.push(record.text);
  };

  await output.write(options.header);
  const records = streamRecords(input.chunks, options.inputFormat, {
    source,
    maxRecordChars: MAX_RECORD_CHARS,
  });
  for await (const items of records) {
    for (const item of items) {
      take(item);
      if (texts.length >= batchSize) await send();
    }
    signal?.throwIfAborted();
  }
  if (texts.length > 0) await send();
  while (inFlight.length > 0) await writeOldest();
  return { predicted, skipped };
}
