/**
 * 405 Method Not Allowed for a known path asked with a method it does not answer (`PUT /predict`),
 * with an `Allow` header listing the methods it does answer (RFC 9110 §15.5.6); an unknown path
 * stays a 404. Fastify's router only knows "no route", so every route's path gets a route for each
 * method it lacks, answering 405 in the envelope.
 */
import type { FastifyInstance, HTTPMethods } from "fastify";
import { sendEnvelopedError } from "./envelope.js";

/** The methods a path can be asked with that get a 405 when the path does not answer them. */
const METHODS: readonly HTTPMethods[] = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

/**
 * Start recording the path of every route registered from now on; call the function returned once
 * every route is registered to add the 405 answers.
 * @param app the fastify instance, before its routes are registered
 * @returns adds, for every recorded path, a 405 route for each method the path lacks
 */
export function answerWrongMethods(app: FastifyInstance): () => void {
  const paths = new Set<string>();
  app.addHook("onRoute", (route) => {
    paths.add(route.url);
  });
  return () => {
    for (const url of [...paths]) {
      // Asked of the router too: a plugin's prefixed route may answer `/docs/` as well as `/docs`.
      const answers = (method: HTTPMethods) => app.hasRoute({ url, method });
      const allowed = METHODS.filter(answers);
      const missing = METHODS.filter((method) => !answers(method));
      if (missing.length === 0) continue;
      const allow = allowed.join(", ");
      app.route({
        method: missing,
        url,
        schema: { hide: true },
        handler: (request, reply) => {
          reply.header("Allow", allow);
          const path = request.url.split("?")[0];
          return sendEnvelopedError(
            request,
            reply,
            405,
            `${request.method} is not allowed on ${path}; allowed: ${allow}`,
          );
        },
      });
    }
  };
}
