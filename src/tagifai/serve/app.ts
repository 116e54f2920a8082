/**
 * The API server as a fastify instance: validation by zod, every response in the envelope,
 * OpenAPI docs at `/docs`, the model routes, the tracking, study and data routes the dashboard uses,
 * and the dashboard itself.
 */
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { logger } from "../../config/config.js";
import { TagifaiError } from "../errors.js";
import { getPerformance, loadArtifacts, type StoreOptions } from "../main.js";
import { predict } from "../predict.js";
import { openStore, type TrackingStore } from "../tracking.js";
import { type BatchLimits, PredictionBatcher } from "./batcher.js";
import { registerDashboard } from "./dashboard.js";
import { clientErrorHandler, installErrorHandlers, sendError } from "./envelope.js";
import { type LoadedModel, ModelSlot, type ReloadResult } from "./model.js";
import { registerDataRoutes } from "./routes-data.js";
import { registerModelRoutes } from "./routes-model.js";
import { registerRunRoutes } from "./routes-runs.js";
import { registerStudyRoutes } from "./routes-studies.js";
import { type Limits, resolveLimits } from "./schemas.js";
import { httpTimeoutOptions, resolveTimeouts, type Timeouts } from "./timeouts.js";
import { zodValidatorCompiler } from "./validation.js";

/** How big one model call gets when concurrent requests are batched together. */
const BATCH_LIMITS: BatchLimits = { maxTexts: 64, maxChars: 64 * 500 };

/** Largest request head (request line, URL and headers), in bytes: node's default, 16 KiB. */
const MAX_HEADER_BYTES = 16 * 1024;

/** How to build the app. */
export interface AppOptions extends StoreOptions {
  /** Which run to serve (see `loadArtifacts`); default: the newest finished run, re-resolved on reload. */
  runRef?: string;
  limits?: Partial<Limits>;
  /** How long to wait for clients (see `Timeouts`); default `DEFAULT_TIMEOUTS`. */
  timeouts?: Partial<Timeouts>;
  /** The built dashboard; default `dist/dashboard` of the package. */
  dashboardDir?: string;
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
  const store = await openStore(options.trackingUri);
  const slot = new ModelSlot(() => loadModel(options));
  try {
    await loadFirstModel(slot, options.runRef);
    const app = await createApp({ limits, timeouts }, slot, store, options.dashboardDir);
    return { app, reload: () => slot.reload(), timeouts };
  } catch (error) {
    await slot.close();
    await store.close();
    throw error;
  }
}

/** The fastify instance with every route; closing it releases the model and the store. */
async function createApp(
  { limits, timeouts }: { limits: Limits; timeouts: Timeouts },
  slot: ModelSlot,
  store: TrackingStore,
  dashboardDir: string | undefined,
): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.maxBodyBytes,
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
    await store.close();
  });
  installErrorHandlers(app, limits.maxBodyBytes);

  await app.register(swagger, {
    openapi: {
      info: {
        title: "Tagifai",
        description: "Predict the tags of a machine-learning project from its title and description.",
        version: "0.1.0",
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  registerModelRoutes(app, { slot, batcher: new PredictionBatcher(slot, BATCH_LIMITS), limits });
  registerRunRoutes(app, store);
  registerStudyRoutes(app, store);
  registerDataRoutes(app);
  await registerDashboard(app, dashboardDir);
  return app;
}

/**
 * Load a run with its test performance, ready to serve: one warm-up prediction builds the model's
 * inference caches, so the first requests after a (re)load are not the slow ones.
 */
async function loadModel(options: AppOptions): Promise<LoadedModel> {
  const { runId, ...artifacts } = await loadArtifacts(options.runRef, options);
  try {
    const performance = await getPerformance(runId, options);
    predict(["warm up"], artifacts);
    return { runId, artifacts, performance, loadedAt: new Date() };
  } catch (error) {
    artifacts.model.dispose();
    throw error;
  }
}

async function loadFirstModel(slot: ModelSlot, runRef: string | undefined): Promise<void> {
  try {
    const { runId } = await slot.reload();
    logger.info(`Serving run ${runId}`);
  } catch (error) {
    if (runRef !== undefined || !(error instanceof TagifaiError) || error.code !== "RUN_NOT_FOUND")
      throw error;
    logger.warn(`No model to serve yet (${error.message}): train a run, then POST /reload`);
  }
}
