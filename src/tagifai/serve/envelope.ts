/**
 * The response envelope of the original FastAPI app — `{message, method, status-code, timestamp,
 * url, data}` — for successes and failures alike, and the error handlers that put every failure
 * (validation, malformed body, unknown route, TagifaiError, bug) into it with the right status.
 */
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ErrorCode } from "../errors.js";
import { TagifaiError } from "../errors.js";

/** What every response body looks like. */
export interface Envelope<T> {
  message: string;
  method: string;
  "status-code": number;
  timestamp: string;
  url: string;
  data: T;
}

/** HTTP status of each TagifaiError code: the caller's mistakes are 4xx, the server's are 5xx. */
const STATUS_BY_CODE: Record<ErrorCode, number> = {
  INVALID_INPUT: 422,
  INVALID_RUN_ID: 422,
  INVALID_PARAMS: 422,
  RUN_NOT_FOUND: 404,
  EXPERIMENT_NOT_FOUND: 404,
  MODEL_NOT_FOUND: 404,
  DATA_NOT_FOUND: 404,
  INVALID_DATA: 500,
  INVALID_ARTIFACTS: 500,
  DOWNLOAD_FAILED: 502,
  CHECKSUM_MISMATCH: 502,
  SCHEMA_TOO_NEW: 500,
  TRACKING_ERROR: 500,
  // The artifact store holding the model cannot be reached: unavailable, maybe for a moment.
  ARTIFACT_STORE_ERROR: 503,
  STUDY_NOT_FOUND: 404,
  STUDY_ERROR: 500,
  // The model cannot answer (its output is not a probability): unavailable, not a bug of the server.
  INVALID_MODEL_OUTPUT: 503,
  // Training diverged with the params given (e.g. a learning rate far too high).
  NON_FINITE_LOSS: 422,
  // An experiment whose runs are registered model versions is not deleted without force.
  MODEL_REGISTERED: 409,
  // The model did not pass enough behavioral tests.
  TESTS_FAILED: 422,
  // The serving processes themselves failed (workers dying in a loop).
  SERVER_FAILED: 500,
  // The server runs on a Node.js it does not support.
  UNSUPPORTED_RUNTIME: 500,
};

/**
 * Wrap response data in the envelope. `url` is the request's path and query as the client sent
 * them: never the Host header, which the client controls too and which would be echoed as-is.
 * @param request the request being answered
 * @param statusCode the HTTP status
 * @param message what happened ("OK", or what is wrong)
 * @param data the payload (null for errors)
 */
export function envelope<T>(
  request: FastifyRequest,
  statusCode: number,
  message: string,
  data: T,
): Envelope<T> {
  return envelopeOf(request.method, request.url, statusCode, message, data);
}

function envelopeOf<T>(
  method: string,
  url: string,
  statusCode: number,
  message: string,
  data: T,
): Envelope<T> {
  return { message, method, "status-code": statusCode, timestamp: new Date().toISOString(), url, data };
}

/**
 * Answer 200 with `data` in the envelope.
 * @param request the request being answered
 * @param data the payload
 */
export function ok<T>(request: FastifyRequest, data: T): Envelope<T> {
  return envelope(request, 200, "OK", data);
}

/**
 * Answer a failure with an enveloped error (`data: null`): TagifaiErrors by their code, fastify's
 * own 4xx (bad JSON, body too large, wrong media type, bad URL) by theirs, and anything else a
 * logged 500 that reveals nothing internal. Used as the error handler and for fastify's
 * `frameworkErrors` (errors raised before routing).
 * @param error what went wrong
 * @param request the request being answered
 * @param reply its reply
 * @param maxBodyBytes the body limit, named in the 413 message
 */
export function sendError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
  maxBodyBytes: number,
) {
  const { status, message } = describeError(error, maxBodyBytes);
  // The log keeps the full message (paths included); the client gets `message`.
  if (status >= 500) request.log.error({ err: error }, "request failed");
  return sendEnvelopedError(request, reply, status, message);
}

/**
 * Make every failure an enveloped error (see `sendError`), unknown routes included (404).
 * @param app the fastify instance
 * @param maxBodyBytes the body limit, named in the 413 message
 */
export function installErrorHandlers(app: FastifyInstance, maxBodyBytes: number): void {
  app.setErrorHandler((error: FastifyError, request, reply) =>
    sendError(error, request, reply, maxBodyBytes),
  );
  app.setNotFoundHandler((request, reply) =>
    sendEnvelopedError(request, reply, 404, `No route ${request.method} ${request.url.split("?")[0]}`),
  );
}

/**
 * Answer `status` with an enveloped error (`data: null`).
 * @param request the request being answered
 * @param reply its reply
 * @param status the HTTP status
 * @param message what is wrong
 * @returns the reply, sent
 */
export function sendEnvelopedError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
): FastifyReply {
  return reply.status(status).send(envelope(request, status, message, null));
}

/**
 * An absolute file path (`/…/stores/model/…/label_encoder.json`, `C:\…`) standing alone or after
 * `:` (as in `sqlite:/…`), not the path of a URL (`http://host/…`).
 */
const ABSOLUTE_PATH =
  /(?<=^|[\s"'`(=:])(?:[A-Za-z]:)?[\\/](?![\\/])(?:[^\s\\/"'`()]+[\\/])+([^\s\\/"'`()]*)/g;

/**
 * A message fit for a client: every absolute path cut down to its last part (`…/label_encoder.json`),
 * so errors name the file without revealing where the server keeps it.
 * @param message a message that may name server files
 */
export function withoutServerPaths(message: string): string {
  return message.replace(ABSOLUTE_PATH, "…/$1");
}

function describeError(error: FastifyError, maxBodyBytes: number): { status: number; message: string } {
  if (error instanceof TagifaiError) {
    return { status: STATUS_BY_CODE[error.code], message: withoutServerPaths(error.message) };
  }
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    return { status: 413, message: `Request body is larger than the limit of ${maxBodyBytes} bytes` };
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return { status, message: error.message };
  return { status: 500, message: "Internal server error" };
}

/** What node reports on a connection before (or instead of) a request reaching fastify. */
interface ClientError extends Error {
  code?: string;
}

/**
 * Fastify's `clientErrorHandler`: a request that arrives too slowly (408), whose headers are too
 * large (431) or that is not HTTP (400) gets an enveloped error written straight to its socket,
 * which is then closed. The envelope names the request's method and path when node has parsed them.
 * @param limits the request timeout and header size, named in the messages
 * @returns the handler
 */
export function clientErrorHandler(limits: {
  requestMs: number;
  maxHeaderBytes: number;
}): (error: ClientError, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === "ECONNRESET" || socket.destroyed) return;
    const [status, message] =
      error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, `The request did not arrive within ${limits.requestMs} ms`]
        : error.code === "HPE_HEADER_OVERFLOW"
          ? [
              431,
              `Request headers (URL included) are larger than the limit of ${limits.maxHeaderBytes} bytes`,
            ]
          : [400, "Malformed HTTP request"];
    // The response node set up for a request whose headers it had parsed (a slow body's request).
    const response = (socket as Socket & { _httpMessage?: ServerResponse & { req?: IncomingMessage } })
      ._httpMessage;
    if (socket.writable && response?.headersSent !== true) {
      const request = response?.req;
      const body = JSON.stringify(
        envelopeOf(request?.method ?? "", request?.url ?? "", status, message, null),
      );
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  };
}
