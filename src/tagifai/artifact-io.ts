/**
 * How a saved model is read and written, wherever its files live: an {@link ArtifactReader} reads
 * JSON and bytes by artifact name (a local folder in Node, see `folder-io.ts`; the API's artifact
 * downloads in the browser, see the dashboard's `fetch-reader.ts`), an {@link ArtifactWriter} writes
 * them. The model code (families, tokenizer, label encoder) only sees these, so the same code loads a
 * model on the server and in the dashboard, and none of it imports Node's file system.
 */

/** Reads the files of one saved model (or of one member's sub-folder), by name. */
export interface ArtifactReader {
  /**
   * Where a file is, for error messages (a path or a URL).
   * @param name the file's name inside the model's folder
   */
  where(name: string): string;
  /**
   * Whether a file or sub-folder exists.
   * @param name its name inside the model's folder
   */
  has(name: string): Promise<boolean>;
  /**
   * Read and parse a JSON file (unvalidated: check it with a schema).
   * @param name the file's name
   * @throws TagifaiError INVALID_ARTIFACTS naming the file when it is missing, unreadable or not JSON
   */
  json(name: string): Promise<unknown>;
  /**
   * Read a file's bytes.
   * @param name the file's name
   * @throws TagifaiError INVALID_ARTIFACTS naming the file when it is missing or unreadable
   */
  bytes(name: string): Promise<Uint8Array>;
  /**
   * A reader of a sub-folder (an ensemble member's files).
   * @param name the sub-folder's name
   */
  folder(name: string): ArtifactReader;
}

/** Writes the files of one saved model (or of one member's sub-folder), each atomically. */
export interface ArtifactWriter {
  /**
   * Write a value as pretty JSON.
   * @param name the file's name inside the model's folder
   * @param value any JSON-serializable value
   */
  json(name: string, value: unknown): void;
  /**
   * Write bytes.
   * @param name the file's name
   * @param data the content
   */
  bytes(name: string, data: Uint8Array): void;
  /**
   * A writer of a sub-folder (created when written to).
   * @param name the sub-folder's name
   */
  folder(name: string): ArtifactWriter;
}
