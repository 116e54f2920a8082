/**
 * The API server as a fastify instance: validation by zod, every response in the envelope,
 * OpenAPI docs at `/docs`, the model routes, the tracking, study, registry and data routes the dashboard uses,
 * and the dashboard itself.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { logger } from "../../config/config.js";
import { loadArtifactsFromDir, loadPerformanceFromDir } from "../artifacts.js";
import { TagifaiError } from "../errors.js";
import { findRunArtifacts, type StoreOptions } from "../lifecycle.js";
import { predict } from "../predict.js";
import { openStore, type TrackingStore } from "../tracking.js";
import type { Artifacts } from "../train.js";
import { registerApiDocs } from "./api-docs.js";
import { type BatchLimits, PredictionBatcher } from "./batcher.js";
import { type Limits, resolveLimits } from "./contract.js";
import { registerDashboard } from "./dashboard.js";
import { clientErrorHandler, installErrorHandlers, sendEnvelopedError, sendError } from "./envelope.js";
import { type LoadedModel, ModelSlot, type ReloadResult } from "./live-model.js";
import { answerWrongMethods } from "./method-not-allowed.js";
import { type ReloadTokenSource, reloadGuard, resolveReloadToken } from "./reload-guard.js";
import { registerDataRoutes } from "./routes-data.js";
import { registerModelRoutes } from "./routes-model.js";
import { registerModelRegistryRoutes } from "./routes-models.js";
import { registerRunRoutes } from "./routes-runs.js";
import { registerStudyRoutes } from "./routes-studies.js";
import { RunModelCache } from "./run-models.js";
import { addSecurityHeaders } from "./security-headers.js";
import { httpTimeoutOptions, resolveTimeouts, type Timeouts } from "./timeouts.js";
import { zodValidatorCompiler } from "./zod-fastify.js";

/** How big one model call gets when concurrent requests are batched together. */
const BATCH_LIMITS: BatchLimits = { maxTexts: 64, maxChars: 64 * 500 };

/**
 * Largest request head (request line, URL and headers), in bytes: above node's 16 KiB, so that a
 * long URL is parsed and refused with a 414 naming the URL limit rather than a bare 431.
 */
const MAX_HEADER_BYTES = 64 * 1024;

/** Longest URL (path and query) answered, in characters; longer ones get a 414. */
const MAX_URL_LENGTH = 8192;

/**
 * How to build the app. `POST /reload` is enabled only with a reload token (`reloadToken`,
 * `reloadTokenFile`, else the TAGIFAI_RELOAD_TOKEN environment variable).
 */
export interface AppOptions extends StoreOptions, ReloadTokenSource {
  /** Which run to serve (see `resolveRun`); default: the default model (see `resolveDefaultRun`), re-resolved on reload. */
  runRef?: string;
  limits?: Partial<Limits>;
  /** How long to wait for clients (see `Timeouts`); default `DEFAULT_TIMEOUTS`. */
  timeouts?: Partial<Timeouts>;
  /** The built dashboard; default `dist/dashboard` of the package. */
  dashboardDir?: string;
  /**
   * What `POST /reload` does instead of reloading this process's model: a cluster worker asks its
   * primary to roll the reload through every worker (see `serve/cluster.ts`).
   */
  reloadAll?: () => Promise<ReloadResult>;
}

/** The app and the way to swap its model. */
export interface ServeApp {
  app: FastifyInstance;
  /** Load the run again and swap it in (what `POST /reload` does). */
  reload(): Promise<ReloadResult>;
  /** The timeouts in force (the server bounds its shutdown by `shutdownMs`). */
  timeouts: Timeouts;
}

/**
 * Build the API: load the model (a missing run is fine only when no run reference was given —
 * the server then starts without a model until a reload), open the tracking store and register
 * every route. The store and the model are released when the app closes.
 * @param options run reference, tracking URI, limits, dashboard folder
 * @returns the fastify instance (not listening yet) and its reload function
 * @throws TagifaiError when the given run cannot be loaded or a limit is invalid
 */
export async function buildApp(options: AppOptions = {}): Promise<ServeApp> {
  const limits = resolveLimits(options.limits);
  const timeouts = resolveTimeouts(options.timeouts);
  const reloadToken = resolveReloadToken(options);
  const store = await openStore(options.trackingUri);
  const slot = new ModelSlot(() => loadModel(options));
  const runModels = new RunModelCache((runId) => loadModel({ ...options, runRef: runId }));
  try {
    await loadFirstModel(slot, options.runRef);
    const app = await createApp(
      { limits, timeouts, reloadToken, reload: options.reloadAll ?? (() => slot.reload()) },
      { slot, runModels },
      store,
      options.dashboardDir,
    );
    return { app, reload: () => slot.reload(), timeouts };
  } catch (error) {
    await slot.close();
    await store.close();
    throw error;
  }
}

/** The fastify instance with every route; closing it releases the model and the store. */
async function createApp(
  {
    limits,
    timeouts,
    reloadToken,
    reload,
  }: {
    limits: Limits;
    timeouts: Timeouts;
    reloadToken: string | undefined;
    reload: () => Promise<ReloadResult>;
  },
  { slot, runModels }: { slot: ModelSlot; runModels: RunModelCache },
  store: TrackingStore,
  dashboardDir: string | undefined,
): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.maxBodyBytes,
    // `{"__proto__": …}` is valid JSON: drop the key (no prototype pollution) and validate the rest.
    onProtoPoisoning: "remove",
    onConstructorPoisoning: "remove",
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    connectionTimeout: timeouts.idleMs,
    http: { ...httpTimeoutOptions(timeouts), maxHeaderSize: MAX_HEADER_BYTES },
    clientErrorHandler: clientErrorHandler({
      requestMs: timeouts.requestMs,
      maxHeaderBytes: MAX_HEADER_BYTES,
    }),
    frameworkErrors: (error, request, reply) => sendError(error, request, reply, limits.maxBodyBytes),
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  app.addHook("onClose", async () => {
    await slot.close();
    await runModels.close();
    await store.close();
  });
  installErrorHandlers(app, limits.maxBodyBytes);
  addSecurityHeaders(app);
  app.addHook("onRequest", async (request, reply) => {
    if (request.url.length <= MAX_URL_LENGTH) return;
    const message = `The URL has ${request.url.length} characters, over the limit of ${MAX_URL_LENGTH}`;
    return sendEnvelopedError(request, reply, 414, message);
  });
  const addWrongMethodAnswers = answerWrongMethods(app);

  await registerApiDocs(app);

  registerModelRoutes(app, {
    slot,
    runModels,
    store,
    batcher: new PredictionBatcher(slot, BATCH_LIMITS),
    limits,
    reloadToken,
    reload,
  });
  registerRunRoutes(app, store);
  registerStudyRoutes(app, store);
  registerModelRegistryRoutes(app, store, reloadGuard(reloadToken));
  registerDataRoutes(app);
  await registerDashboard(app, dashboardDir);
  addWrongMethodAnswers();
  return app;
}

/**
 * Load a run with its test performance, ready to serve. One smoke prediction must succeed before
 * the model is swapped in (a model giving non-finite probabilities is refused, and a reload keeps
 * the old one); it also builds the model's inference caches, so the first requests after a
 * (re)load are not the slow ones.
 */
async function loadModel(options: AppOptions): Promise<LoadedModel> {
  const { run, dir } = await findRunArtifacts(options.runRef, options);
  const artifacts = await loadArtifactsFromDir(dir);
  try {
    const performance = loadPerformanceFromDir(dir);
    smokePredict(run.id, artifacts);
    return { runId: run.id, artifacts, performance, loadedAt: new Date() };
  } catch (error) {
    artifacts.model.dispose();
    throw error;
  }
}

function smokePredict(runId: string, artifacts: Artifacts): void {
  try {
    predict(["warm up"], artifacts);
  } catch (error) {
    if (!(error instanceof TagifaiError)) throw error;
    throw new TagifaiError(
      error.code,
      `Run ${runId} failed its smoke prediction, so it is not served: ${error.message}`,
      {
        cause: error,
      },
    );
  }
}

async function loadFirstModel(slot: ModelSlot, runRef: string | undefined): Promise<void> {
  try {
    const { runId } = await slot.reload();
    logger.info(`Serving run ${runId}`);
  } catch (error) {
    if (runRef !== undefined || !(error instanceof TagifaiError) || error.code !== "RUN_NOT_FOUND")
      throw error;
    logger.warn(
      `No model to serve yet (${error.message}): train a run, then reload (SIGHUP or POST /reload)`,
    );
  }
}
