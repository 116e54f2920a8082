/**
 * The browser side of `artifact-io.ts`: read a run's saved model from the API's artifact downloads
 * (`GET /api/runs/:id/artifacts` lists them, `GET /api/runs/:id/artifacts/:name` downloads one), so
 * that the model code the server runs loads the same files in the dashboard.
 */
import type { ArtifactReader } from "../tagifai/artifact-io.js";
import { TagifaiError } from "../tagifai/errors.js";
import type { RunArtifactsData } from "../tagifai/serve/contract.js";
import { getData } from "./api.js";

/**
 * Read a run's artifacts over HTTP. The listing (the whole tree, sub-folders included) is fetched
 * once, on first need, and shared by the readers of the run's sub-folders.
 * @param runId the run
 * @returns the reader; errors name the URL of the file that could not be read
 */
export function fetchReader(runId: string): ArtifactReader {
  const base = `/api/runs/${encodeURIComponent(runId)}/artifacts`;
  let listing: Promise<string[]> | undefined;
  const names = () => {
    listing ??= getData<RunArtifactsData>(base).then(({ artifacts }) => artifacts.map((file) => file.name));
    return listing;
  };
  /** The reader of the sub-folder `prefix` (an ensemble's member, e.g. `cnn/`; "" for the run). */
  const reader = (prefix: string): ArtifactReader => {
    const where = (name: string) => `${base}/${encodeURIComponent(prefix + name)}`;
    const download = async (name: string): Promise<Response> => {
      const response = await fetch(where(name)).catch((error: unknown) => {
        throw new TagifaiError("INVALID_ARTIFACTS", `Cannot read ${where(name)}: ${String(error)}`);
      });
      if (!response.ok)
        throw new TagifaiError("INVALID_ARTIFACTS", `Cannot read ${where(name)}: HTTP ${response.status}`);
      return response;
    };
    return {
      where,
      has: async (name) =>
        (await names()).some((file) => file === prefix + name || file.startsWith(`${prefix}${name}/`)),
      async json(name) {
        const text = await (await download(name)).text();
        try {
          return JSON.parse(text);
        } catch (error) {
          throw new TagifaiError(
            "INVALID_ARTIFACTS",
            `${where(name)} is not valid JSON: ${(error as Error).message}`,
          );
        }
      },
      bytes: async (name) => new Uint8Array(await (await download(name)).arrayBuffer()),
      folder: (name) => reader(`${prefix}${name}/`),
    };
  };
  return reader("");
}
