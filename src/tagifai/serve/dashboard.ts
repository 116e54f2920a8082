/**
 * The web dashboard: the Vite build of `src/dashboard`, served at `/dashboard/` from the same
 * process as the API. The build lives in `dist/dashboard` of the package, both when running from
 * source (tsx) and when installed.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { PACKAGE_DIR } from "../../config/config.js";
import { envelope } from "./envelope.js";

/** Where `npm run build` puts the dashboard. */
const DASHBOARD_DIR = join(PACKAGE_DIR, "dist", "dashboard");

/**
 * Serve the built dashboard under `/dashboard/` (`/dashboard` redirects there); if it was not
 * built, answer `/dashboard` with a 503 that says how to build it.
 * @param app the fastify instance
 * @param dir the built dashboard (holding index.html)
 */
export async function registerDashboard(app: FastifyInstance, dir: string = DASHBOARD_DIR): Promise<void> {
  const hidden = { schema: { hide: true } };
  if (existsSync(join(dir, "index.html"))) {
    await app.register(fastifyStatic, { root: dir, prefix: "/dashboard/" });
    app.get("/dashboard", hidden, (_, reply) => reply.redirect("/dashboard/"));
    return;
  }
  const message = `The dashboard is not built: run \`npm run build\` (or \`npm run build:dashboard\`) in ${PACKAGE_DIR}`;
  app.log.warn(message);
  const notBuilt = (request: FastifyRequest, reply: FastifyReply) =>
    reply.status(503).send(envelope(request, 503, message, null));
  app.get("/dashboard", hidden, notBuilt);
  app.get("/dashboard/*", hidden, notBuilt);
}
