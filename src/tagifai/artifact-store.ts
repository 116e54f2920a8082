/**
 * Where a run's artifacts live, behind one interface with two backends (one folder each):
 * a local folder (`artifact-store/local`, the default with SQLite tracking) and PostgreSQL
 * (`artifact-store/postgres`, the default whenever tracking is on PostgreSQL, so that a model
 * trained on one machine loads on any other machine sharing the database). `--artifact-uri` /
 * `TAGIFAI_ARTIFACT_URI` choose another: a folder (`PATH` or `file:PATH`) or `postgresql://…`.
 *
 * A run records its artifact URI when it is created, and every reader finds the artifacts from it:
 * a folder `<root>/<runId>`; `tracking-db:<runId>` (in the tracking database itself, whatever host
 * name each machine reaches it by); or `postgresql://user@host:port/db#<runId>` (another PostgreSQL
 * database; its password is never recorded: a reader takes it from a matching `TAGIFAI_ARTIFACT_URI`,
 * else from PGPASSWORD or ~/.pgpass as libpq does).
 *
 * The families keep saving to and loading from a local folder: a store commits the folder they
 * wrote (local: renamed into place; PostgreSQL: uploaded in one transaction), and hands readers a
 * local folder (PostgreSQL: a verified copy in the local cache, see `artifact-store/cache.ts`).
 */
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { modelDir } from "../config/config.js";
import { LocalArtifactStore } from "./artifact-store/local/local-artifacts.js";
import {
  openPostgresArtifactStore,
  PostgresArtifactStore,
} from "./artifact-store/postgres/postgres-artifacts.js";
import { TagifaiError } from "./errors.js";
import { TRACKING_DB_SCHEME } from "./tracking/records.js";
import type { Run, TrackingStore } from "./tracking.js";

/** One file of a run's artifacts. */
export interface ArtifactFile {
  name: string;
  bytes: number;
}

/** A place that holds the artifacts of runs, by run id. */
export interface ArtifactStore {
  /** Where the store is, for messages (never with a password). */
  readonly display: string;
  /**
   * The artifact URI a run whose artifacts go to this store records.
   * @param runId the run
   */
  runUri(runId: string): string;
  /**
   * Save a run's artifacts: `write` fills a fresh local folder, which is then committed as a whole
   * (a reader sees all of the files or none); nothing is left behind if `write` throws or the
   * signal is aborted.
   * @param runId the run
   * @param write writes the files into the folder it is given
   * @param signal checked before the artifacts are committed
   * @throws TagifaiError INVALID_ARTIFACTS if the run already has artifacts here,
   *   ARTIFACT_STORE_ERROR if the store fails; the signal's reason once it is aborted
   */
  save(runId: string, write: (dir: string) => Promise<void>, signal?: AbortSignal): Promise<void>;
  /**
   * A local folder holding a run's artifacts, complete and verified.
   * @param runId the run
   * @returns the folder, or undefined if the store holds no artifacts for the run
   * @throws TagifaiError CHECKSUM_MISMATCH naming the file and the run, ARTIFACT_STORE_ERROR
   */
  fetch(runId: string): Promise<string | undefined>;
  /**
   * The files of a run's artifacts, by name.
   * @param runId the run
   * @returns the files (none if the store holds no artifacts for the run)
   */
  list(runId: string): Promise<ArtifactFile[]>;
  /**
   * Replace one file of a run's saved artifacts, atomically.
   * @param runId the run
   * @param name the file's name
   * @param content its new content
   * @throws TagifaiError INVALID_ARTIFACTS if the run has no artifacts here
   */
  replace(runId: string, name: string, content: string): Promise<void>;
  /**
   * Delete a run's artifacts (and any local copy of them).
   * @param runId the run
   * @returns whether there were any
   */
  delete(runId: string): Promise<boolean>;
  /** Release what the store holds open (a database pool it opened). */
  close(): Promise<void>;
}

const URI_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):/;

/** What an artifact URI (`--artifact-uri`) names. */
export type ArtifactLocation = { backend: "local"; root: string } | { backend: "postgres"; uri: string };

/**
 * Parse an artifact URI: a folder (`PATH`, `file:PATH`, `file:///abs/path`) or `postgresql://…`.
 * @param uri what the user gave
 * @returns the backend and where
 * @throws TagifaiError INVALID_INPUT for an empty URI or an unknown scheme
 */
export function parseArtifactUri(uri: string): ArtifactLocation {
  if (uri.trim() === "") throw new TagifaiError("INVALID_INPUT", "the artifact URI is empty");
  const scheme = URI_SCHEME.exec(uri)?.[1].toLowerCase();
  if (scheme === undefined) return { backend: "local", root: resolve(uri) };
  if (scheme === "file") {
    return { backend: "local", root: resolve(uri.startsWith("file://") ? fileURLToPath(uri) : uri.slice(5)) };
  }
  if (scheme === "postgresql" || scheme === "postgres") return { backend: "postgres", uri };
  throw new TagifaiError(
    "INVALID_INPUT",
    `unsupported artifact URI scheme "${scheme}:" in "${uri}" (use a folder, file:PATH or postgresql://…)`,
  );
}

/**
 * Open the artifact store new runs save to: `artifactUri`, else `TAGIFAI_ARTIFACT_URI`, else the
 * tracking database when it is PostgreSQL, else the local folder `<home>/stores/model`. A PostgreSQL
 * URI naming the tracking database is the tracking database. Opened before a run is created, so an
 * unreachable store fails before any work.
 * @param tracking the open tracking store
 * @param artifactUri the `--artifact-uri` given, if any
 * @returns the store; close it when done
 * @throws TagifaiError INVALID_INPUT (bad URI), ARTIFACT_STORE_ERROR (unreachable)
 */
export async function openArtifactStore(
  tracking: TrackingStore,
  artifactUri?: string,
): Promise<ArtifactStore> {
  const uri = artifactUri ?? process.env.TAGIFAI_ARTIFACT_URI;
  if (uri === undefined) {
    return tracking.database.backend === "postgres"
      ? trackingDbStore(tracking)
      : new LocalArtifactStore(modelDir());
  }
  const location = parseArtifactUri(uri);
  if (location.backend === "local") return new LocalArtifactStore(location.root);
  if (sameDatabase(location.uri, tracking.uri)) return trackingDbStore(tracking);
  return openPostgresArtifactStore(location.uri);
}

/**
 * Check that the artifact store new runs save to can be reached (see `openArtifactStore`), and say
 * what artifact URI each new run records (`CreateRunOptions.artifactRoot`).
 * @param tracking the open tracking store
 * @param artifactUri the `--artifact-uri` given, if any
 * @returns the run id → artifact URI function
 * @throws TagifaiError INVALID_INPUT (bad URI), ARTIFACT_STORE_ERROR (unreachable)
 */
export async function artifactRootFor(
  tracking: TrackingStore,
  artifactUri?: string,
): Promise<(runId: string) => string> {
  const store = await openArtifactStore(tracking, artifactUri);
  await store.close();
  return (runId) => store.runUri(runId);
}

/**
 * Open the artifact store a run recorded (see the module comment).
 * @param tracking the open tracking store
 * @param run the run
 * @returns the store; close it when done
 * @throws TagifaiError INVALID_ARTIFACTS for an artifact URI that does not name the run,
 *   ARTIFACT_STORE_ERROR (unreachable)
 */
export async function openRunArtifactStore(tracking: TrackingStore, run: Run): Promise<ArtifactStore> {
  const uri = run.artifactUri;
  const scheme = URI_SCHEME.exec(uri)?.[1].toLowerCase();
  const named = uri.startsWith(TRACKING_DB_SCHEME)
    ? uri.slice(TRACKING_DB_SCHEME.length)
    : scheme === "postgresql" || scheme === "postgres"
      ? new URL(uri).hash.slice(1)
      : basename(resolve(uri));
  if (named !== run.id) {
    throw new TagifaiError("INVALID_ARTIFACTS", `run ${run.id} records artifacts of another run: ${uri}`);
  }
  if (uri.startsWith(TRACKING_DB_SCHEME)) return trackingDbStore(tracking);
  if (scheme === "postgresql" || scheme === "postgres") {
    const recorded = withoutRunId(uri);
    const configured = process.env.TAGIFAI_ARTIFACT_URI;
    const withPassword =
      configured !== undefined && sameDatabase(configured, recorded) ? configured : recorded;
    return openPostgresArtifactStore(withPassword);
  }
  return new LocalArtifactStore(dirname(resolve(uri)));
}

/**
 * Work with the artifact store a run recorded, closing it afterwards.
 * @param tracking the open tracking store
 * @param run the run
 * @param work what to do with the store
 * @returns what `work` returns
 */
export async function withRunArtifacts<T>(
  tracking: TrackingStore,
  run: Run,
  work: (store: ArtifactStore) => Promise<T>,
): Promise<T> {
  const store = await openRunArtifactStore(tracking, run);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * A local folder holding a run's model and the rest of its artifacts, complete and verified.
 * @param tracking the open tracking store
 * @param run the run
 * @param use what the model is for, in the message about a run without one (e.g. "to export")
 * @returns the folder
 * @throws TagifaiError INVALID_INPUT for a run that is not FINISHED (it has no model),
 *   INVALID_ARTIFACTS for a FINISHED run whose artifacts are gone (deleted elsewhere),
 *   CHECKSUM_MISMATCH, ARTIFACT_STORE_ERROR
 */
export async function fetchRunArtifacts(tracking: TrackingStore, run: Run, use = "to load"): Promise<string> {
  const dir = await withRunArtifacts(tracking, run, (store) => store.fetch(run.id));
  if (dir !== undefined) return dir;
  if (run.status !== "FINISHED") {
    throw new TagifaiError(
      "INVALID_INPUT",
      `Run ${run.id} is ${run.status}: only a FINISHED run has a model ${use}`,
    );
  }
  throw new TagifaiError(
    "INVALID_ARTIFACTS",
    `Run ${run.id} is FINISHED but its artifacts are missing from ${run.artifactUri} (deleted elsewhere?)`,
  );
}

/** The PostgreSQL artifact store in the tracking database (borrowing its connection). */
function trackingDbStore(tracking: TrackingStore): ArtifactStore {
  return new PostgresArtifactStore(tracking.database, {
    display: `the tracking database ${tracking.uri}`,
    runUri: (runId) => `${TRACKING_DB_SCHEME}${runId}`,
  });
}

/** A recorded `postgresql://…#<runId>` without its run id. */
function withoutRunId(uri: string): string {
  const url = new URL(uri);
  url.hash = "";
  return url.toString();
}

/**
 * Whether two PostgreSQL URIs name the same database as the same user (passwords aside).
 * @param a a URI
 * @param b another (a non-PostgreSQL one never matches)
 */
function sameDatabase(a: string, b: string): boolean {
  const key = (uri: string): string | undefined => {
    try {
      const url = new URL(uri);
      if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") return undefined;
      return [url.username, url.hostname, url.port || "5432", url.pathname, url.search].join("\n");
    } catch {
      return undefined;
    }
  };
  const keyA = key(a);
  return keyA !== undefined && keyA === key(b);
}
