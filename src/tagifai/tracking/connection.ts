/**
 * Where the tracking database lives and how to talk to it: a tracking URI picks SQLite (one file,
 * no server; the default) or PostgreSQL (shared by a team), and both are driven through one Kysely
 * instance so that the rest of the store has a single code path.
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { logger, storesDir } from "../../config/config.js";
import { TagifaiError } from "../errors.js";
import { assertSupportedNode } from "../runtime.js";
import type { Database } from "./database.js";

/** Which database engine a tracking URI points at. */
export type Backend = "sqlite" | "postgres";

/** A parsed tracking URI. */
export interface TrackingTarget {
  backend: Backend;
  /** SQLite: absolute file path. PostgreSQL: the connection string. */
  location: string;
  /** The URI to show to people: `sqlite:<absolute path>`, or the PostgreSQL URI with its password masked. */
  display: string;
}

/** An open tracking database. */
export interface Connection {
  /** The database engine. */
  readonly backend: Backend;
  readonly db: Kysely<Database>;
  /**
   * Run `work` in one write transaction (committed if it resolves, rolled back if it throws).
   * SQLite takes the database's write lock up front (`BEGIN IMMEDIATE`), so writers queue rather
   * than fail; PostgreSQL additionally takes the advisory lock named `lockName`, if given, to
   * serialize read-modify-write sequences on the same thing.
   */
  write<T>(work: (trx: Kysely<Database>) => Promise<T>, lockName?: string): Promise<T>;
}

const SQLITE_BUSY_TIMEOUT_MS = 10_000;
const POSTGRES_POOL_SIZE = 4;
const URI_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):/;

/** The tracking URI used when none is given: `sqlite:<home>/stores/tracking.db`. */
export function defaultTrackingUri(): string {
  return `sqlite:${join(storesDir(), "tracking.db")}`;
}

/**
 * Parse a tracking URI: `sqlite:/abs/path.db`, `sqlite:relative.db` (from the current folder),
 * a plain file path, or `postgresql://…` / `postgres://…`.
 * @param uri the URI
 * @returns the backend, its location and a printable form
 * @throws TagifaiError TRACKING_ERROR for an empty URI, an unknown scheme or a malformed PostgreSQL URI
 */
export function parseTrackingUri(uri: string): TrackingTarget {
  if (uri.trim() === "") throw new TagifaiError("TRACKING_ERROR", "the tracking URI is empty");
  const scheme = URI_SCHEME.exec(uri)?.[1].toLowerCase();
  if (scheme === undefined || scheme === "sqlite") {
    const location = resolve(scheme === undefined ? uri : uri.slice("sqlite:".length));
    return { backend: "sqlite", location, display: `sqlite:${location}` };
  }
  if (scheme === "postgresql" || scheme === "postgres") {
    return { backend: "postgres", location: uri, display: maskPassword(uri) };
  }
  throw new TagifaiError(
    "TRACKING_ERROR",
    `unsupported tracking URI scheme "${scheme}:" (use sqlite:<path>, a file path, or postgresql://…)`,
  );
}

/**
 * Open the database a target points at (SQLite: creating its folder and file).
 * @param target a parsed tracking URI
 * @returns the connection; close it with `connection.db.destroy()`
 * @throws TagifaiError TRACKING_ERROR if the SQLite file cannot be opened
 */
export function openConnection(target: TrackingTarget): Connection {
  const backend = target.backend;
  const db = backend === "sqlite" ? openSqlite(target) : openPostgres(target);
  const beginStatement = backend === "sqlite" ? "begin immediate" : "begin";
  return {
    backend,
    db,
    write: (work, lockName) =>
      inTransaction(db, beginStatement, async (connection) => {
        if (backend === "postgres" && lockName !== undefined) {
          await sql`select pg_advisory_xact_lock(hashtext(${lockName}))`.execute(connection);
        }
        return work(connection);
      }),
  };
}

/**
 * Run `work` in one transaction on one connection of the pool: the `begin` statement, then commit,
 * or roll back if `work` throws.
 * @param db the database
 * @param begin the statement that opens the transaction, e.g. `begin immediate` (SQLite) or
 *   `begin transaction isolation level repeatable read read only` (a PostgreSQL snapshot)
 * @param work what to do on the transaction's connection
 * @returns what `work` returns
 * @throws what `work` throws, once rolled back
 */
export function inTransaction<T>(
  db: Kysely<Database>,
  begin: string,
  work: (connection: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql.raw(begin).execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      // The original error says what went wrong; a failed rollback (e.g. a dropped
      // connection, which discards the transaction anyway) would only hide it.
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}

/**
 * Describe an error in one line (a refused connection to `localhost` is an AggregateError whose
 * own message is empty).
 * @param error anything thrown
 * @returns its message(s)
 */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(describeError).join("; ");
  }
  return error instanceof Error ? error.message || error.name : String(error);
}

function openSqlite(target: TrackingTarget): Kysely<Database> {
  // Before the driver's addon loads: under an unsupported Node it would crash the process.
  assertSupportedNode();
  let database: BetterSqlite3.Database | undefined;
  try {
    mkdirSync(dirname(target.location), { recursive: true });
    database = new BetterSqlite3(target.location);
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    database.pragma("journal_mode = WAL");
    database.pragma("synchronous = NORMAL");
    database.pragma("foreign_keys = ON");
  } catch (error) {
    database?.close();
    throw new TagifaiError(
      "TRACKING_ERROR",
      `cannot open the SQLite tracking store ${target.location}: ${describeError(error)}`,
      { cause: error },
    );
  }
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
}

/** Read `bigint` columns (epoch-millisecond times, counts) as numbers, like SQLite does. */
const parseBigintAsNumber = ((oid: number, format?: "text" | "binary") =>
  oid === pg.types.builtins.INT8
    ? Number
    : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;

function openPostgres(target: TrackingTarget): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: target.location,
    max: POSTGRES_POOL_SIZE,
    types: { getTypeParser: parseBigintAsNumber },
  });
  pool.on("error", (error) =>
    logger.warn({ err: error, uri: target.display }, "idle PostgreSQL client failed"),
  );
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

function maskPassword(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    // The URI is not echoed: it may hold a password.
    throw new TagifaiError("TRACKING_ERROR", "malformed PostgreSQL tracking URI (expected postgresql://…)");
  }
  if (url.password !== "") url.password = "****";
  return url.toString();
}
