/**
 * Start a worker thread on one of this package's modules, whether it runs from its TypeScript
 * source (tests, `node --import tsx`) or from the built JavaScript (dist/).
 */
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * The URL of a worker program next to a module, with the module's own extension (`.ts` when run
 * from source, `.js` when built).
 * @param name the program's file name without extension, e.g. `"predict-worker"` (it may start with `../`)
 * @param moduleUrl the `import.meta.url` of the module next to it
 * @returns the program's URL
 */
export function workerEntry(name: string, moduleUrl: string): URL {
  return new URL(`./${name}${extname(fileURLToPath(moduleUrl))}`, moduleUrl);
}

/**
 * A worker thread running a worker program. From source (`.ts`) the thread first registers the
 * TypeScript loader (tsx): a worker thread does not inherit the loader of `node --import tsx`.
 * @param entry the program (see `workerEntry`)
 * @param options the worker's options (`eval` is set here when needed)
 * @returns the started worker
 */
export function startWorkerThread(entry: URL, options: WorkerOptions): Worker {
  if (!entry.pathname.endsWith(".ts")) return new Worker(entry, options);
  const loader = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const program = `import(${loader}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(program, { ...options, eval: true });
}
