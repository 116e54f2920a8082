/**
 * Where batch predictions go: a stream (stdout), or a file written to a temp file beside it and
 * renamed into place only when every prediction is written, so that an error or an abort never
 * leaves a half-written output. An output file that exists is refused unless it may be replaced.
 */
import { once } from "node:events";
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Writable } from "node:stream";
import { TagifaiError } from "../errors.js";

/** An output being written. */
export interface OutputTarget {
  /** The stream to write to. */
  stream: Writable;
  /**
   * Write text, waiting while the stream's buffer is full (backpressure).
   * @param text what to write
   */
  write(text: string): Promise<void>;
  /** Finish: flush, and for a file rename the temp file into place. */
  commit(): Promise<void>;
  /** Give up: for a file, remove the temp file (the destination is left as it was). */
  discard(): Promise<void>;
}

/**
 * Open the output.
 * @param target a file path, or a stream (e.g. stdout: written as it goes, never closed)
 * @param force replace an existing file
 * @returns the output
 * @throws TagifaiError INVALID_INPUT when the file exists and `force` is not set
 */
export function openOutput(target: string | Writable, force: boolean): OutputTarget {
  if (typeof target !== "string")
    return streamOutput(
      target,
      async () => {},
      async () => {},
    );
  if (existsSync(target) && !force)
    throw new TagifaiError(
      "INVALID_INPUT",
      `output file ${target} already exists: choose another --output or pass --force to replace it`,
    );
  mkdirSync(dirname(target), { recursive: true });
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  const stream = createWriteStream(temp, { flags: "wx" });
  return streamOutput(
    stream,
    async () => {
      stream.end();
      await once(stream, "finish");
      renameSync(temp, target);
    },
    async () => {
      // Destroyed before its file was opened, the stream still opens (creates) it, then closes; a
      // write cut short may emit an error first, which is no news here.
      if (!stream.closed) await new Promise<void>((closed) => stream.once("close", () => closed()).destroy());
      rmSync(temp, { force: true });
    },
  );
}

function streamOutput(
  stream: Writable,
  commit: () => Promise<void>,
  discard: () => Promise<void>,
): OutputTarget {
  let failure: Error | undefined;
  stream.on("error", (error) => {
    failure = error;
  });
  const check = () => {
    if (failure)
      throw new TagifaiError("INVALID_INPUT", `cannot write the output: ${failure.message}`, {
        cause: failure,
      });
  };
  return {
    stream,
    async write(text) {
      check();
      if (text === "" || stream.write(text)) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          stream.off("drain", done);
          stream.off("error", done);
          stream.off("close", done);
          resolve();
        };
        stream.on("drain", done).on("error", done).on("close", done);
      });
      check();
    },
    async commit() {
      check();
      await commit();
    },
    discard,
  };
}
