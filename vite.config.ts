/**
 * Vite build of the web dashboard (src/dashboard → dist/dashboard), served by `tagifai serve` at
 * `/dashboard/`. `npx vite --config vite.config.ts` runs it in development against an API on
 * TAGIFAI_API (default http://127.0.0.1:8000).
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const api = process.env.TAGIFAI_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  root: fileURLToPath(new URL("src/dashboard", import.meta.url)),
  base: "/dashboard/",
  build: {
    outDir: fileURLToPath(new URL("dist/dashboard", import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    // The API's path rule: the served model's routes at the root (`^/$` is the health route), the rest under /api.
    proxy: Object.fromEntries(
      ["^/$", "/predict", "/params", "/performance", "/reload", "/api"].map((path) => [path, api]),
    ),
  },
});
