/**
 * The Node.js lines Tagifai supports: the maintained LTS lines it is tested on, 22 (from 22.12) and
 * 24. Node 20 reached its end of life in April 2026, and the SQLite driver (better-sqlite3 13, a
 * Node-API addon) crashes on it; better-sqlite3 12, which still ran on Node 20, aborts Node 24
 * processes when the garbage collector frees a statement (`RemoveEnvironmentCleanupHook`,
 * "Assertion failed: (env) != nullptr").
 */
import { TagifaiError } from "./errors.js";

/** The supported lines, as `package.json`'s `engines.node` declares them. */
export const SUPPORTED_NODE = "^22.12.0 || ^24.0.0";

/**
 * Whether a Node.js version is on a supported line.
 * @param version a version such as `process.versions.node` ("22.12.0")
 */
export function isSupportedNode(version: string): boolean {
  const [major, minor] = version.split(".").map(Number);
  return (major === 22 && minor >= 12) || major === 24;
}

/**
 * Refuse to go on under an unsupported Node.js, naming the version and what to use instead.
 * @param version the running version; default `process.versions.node`
 * @throws TagifaiError UNSUPPORTED_RUNTIME
 */
export function assertSupportedNode(version: string = process.versions.node): void {
  if (isSupportedNode(version)) return;
  throw new TagifaiError(
    "UNSUPPORTED_RUNTIME",
    `Tagifai needs Node.js 22.12+ or 24 (${SUPPORTED_NODE}), but this is Node.js v${version}; install a supported one, e.g. run it with \`npx -p node@22 …\``,
  );
}
