/**
 * Headers every response carries so that a browser never runs what the API returns as anything
 * else: `X-Content-Type-Options: nosniff` (JSON stays JSON, never sniffed into HTML), and a
 * Content-Security-Policy that lets the dashboard and the API docs load scripts and data from this
 * server only (no inline script, nothing from elsewhere; inline styles allowed), and lets no other
 * site frame them. `'wasm-unsafe-eval'` lets the dashboard compile WebAssembly (tfjs's wasm backend
 * and the CNN's convolution kernel, for in-browser inference); it allows no JavaScript `eval`.
 */
import type { FastifyInstance } from "fastify";

/** The Content-Security-Policy of every response (the dashboard and /docs need nothing more). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  // Swagger UI and the dashboard's charts set style attributes; styles cannot run code.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Add the security headers to every response of `app`.
 * @param app the fastify instance
 */
export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook("onSend", async (_request, reply) => {
    reply.header("X-Content-Type-Options", "nosniff");
    reply.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  });
}
