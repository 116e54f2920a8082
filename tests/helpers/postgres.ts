/**
 * A fresh, empty PostgreSQL database for one test file, dropped afterwards. The server is expected
 * on 127.0.0.1:5432 with trust auth (override with TAGIFAI_TEST_POSTGRES_URI, pointing at any
 * database the user may `CREATE DATABASE` from). If it is unreachable, this fails loudly: CI
 * starts the server, so a missing one is a broken setup, not a reason to skip.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

/** Admin connection used to create and drop the test databases. */
export const POSTGRES_ADMIN_URI =
  process.env.TAGIFAI_TEST_POSTGRES_URI ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** A throwaway database: its URI, and how to get rid of it. */
export interface TestDatabase {
  uri: string;
  drop(): Promise<void>;
}

/**
 * Create a database named `tagifai_test_<random hex>`.
 * @returns its URI and a `drop()` that removes it (even with connections still open)
 * @throws Error naming the server and how to start it, if PostgreSQL is unreachable
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `tagifai_test_${randomBytes(6).toString("hex")}`;
  await runAsAdmin(`CREATE DATABASE ${name}`);
  const uri = new URL(POSTGRES_ADMIN_URI);
  uri.pathname = `/${name}`;
  return {
    uri: uri.toString(),
    drop: () => runAsAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function runAsAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URI });
  try {
    await client.connect();
  } catch (error) {
    const reason = error instanceof AggregateError ? error.errors.join("; ") : String(error);
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URI} (${reason}). The tests need it: start it with ` +
        "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` " +
        "or set TAGIFAI_TEST_POSTGRES_URI.",
    );
  }
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Run one SQL statement on a database over its own short-lived connection.
 * @param uri the database
 * @param statement SQL with `$1`… placeholders
 * @param values the placeholders' values
 * @returns the result
 */
export async function queryDatabase(
  uri: string,
  statement: string,
  values: unknown[] = [],
): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  try {
    return await client.query(statement, values);
  } finally {
    await client.end();
  }
}
