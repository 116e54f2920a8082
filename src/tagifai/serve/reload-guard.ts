/**
 * Who may reload the served model over HTTP. `POST /reload` is off unless a reload token is
 * configured (the TAGIFAI_RELOAD_TOKEN environment variable, or a token file); then a request must
 * carry it as `Authorization: Bearer <token>` (compared in constant time), send JSON, and come from
 * no other origin than the server's own. A web page the user happens to visit can neither know the
 * token nor send JSON to another origin without a CORS preflight, which this server never grants.
 * SIGHUP reloads the model regardless.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import { TagifaiError } from "../errors.js";
import { sendEnvelopedError } from "./envelope.js";

/** The environment variable holding the reload token. */
export const RELOAD_TOKEN_ENV = "TAGIFAI_RELOAD_TOKEN";

/** Shortest reload token accepted: a guessable token is no protection. */
export const MIN_TOKEN_LENGTH = 16;

/** Where the reload token comes from; the first one given wins, then the environment. */
export interface ReloadTokenSource {
  /** The token itself. */
  reloadToken?: string;
  /** A file holding the token (surrounding whitespace ignored). */
  reloadTokenFile?: string;
}

/**
 * The reload token in force: the given token, else the token file's, else TAGIFAI_RELOAD_TOKEN.
 * @param source the token or the file holding it
 * @param env the environment to read TAGIFAI_RELOAD_TOKEN from
 * @returns the token, or undefined when reloading over HTTP stays disabled
 * @throws TagifaiError INVALID_INPUT for an unreadable token file or a token under 16 characters
 */
export function resolveReloadToken(
  source: ReloadTokenSource,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const token =
    source.reloadToken ??
    (source.reloadTokenFile === undefined ? env[RELOAD_TOKEN_ENV] : readTokenFile(source.reloadTokenFile));
  if (token === undefined || token === "") return undefined;
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new TagifaiError(
      "INVALID_INPUT",
      `The reload token must have at least ${MIN_TOKEN_LENGTH} characters; it has ${token.length}`,
    );
  }
  return token;
}

function readTokenFile(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new TagifaiError("INVALID_INPUT", `Cannot read the reload token file ${file} (${reason})`, {
      cause: error,
    });
  }
}

/**
 * The `onRequest` hook of `POST /reload` and the other routes that change the server's state (the
 * registry's alias routes): answers 403 while reloading over HTTP is disabled, 401
 * (with `WWW-Authenticate: Bearer`) without the right token, 403 to a cross-origin caller and 415
 * to a body that is not JSON; lets everything else through.
 * @param token the reload token, or undefined to disable reloading over HTTP
 */
export function reloadGuard(token: string | undefined): onRequestAsyncHookHandler {
  const expected = token === undefined ? undefined : digest(token);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const route = `${request.method} ${request.routeOptions.url}`;
    if (expected === undefined) {
      return sendEnvelopedError(
        request,
        reply,
        403,
        `${route} is disabled: start the server with ${RELOAD_TOKEN_ENV} set or with ` +
          "--reload-token-file, and send the token as Authorization: Bearer <token> (SIGHUP reloads in any case)",
      );
    }
    const presented = /^Bearer +(\S+)\s*$/.exec(request.headers.authorization ?? "")?.[1];
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      reply.header("WWW-Authenticate", "Bearer");
      return sendEnvelopedError(
        request,
        reply,
        401,
        `${route} needs the reload token, sent as Authorization: Bearer <token>`,
      );
    }
    const { origin } = request.headers;
    if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) {
      return sendEnvelopedError(request, reply, 403, `${route} refuses cross-origin requests`);
    }
    if (request.headers["content-type"]?.split(";")[0].trim().toLowerCase() !== "application/json") {
      return sendEnvelopedError(
        request,
        reply,
        415,
        `${route} needs Content-Type: application/json (body {})`,
      );
    }
  };
}

/** Hashing both sides gives equal lengths, as `timingSafeEqual` needs, without revealing the token's. */
function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}
