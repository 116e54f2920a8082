/**
 * The dashboard's client of the Tagifai API: every answer comes in the envelope; errors surface
 * as `ApiError`s carrying the server's message and the HTTP status. (An empty store or a missing
 * dataset is a 200 with nothing in it, never a 404: a page asks before it fetches.)
 */
import type { Envelope } from "../tagifai/serve/envelope.js";

/** A failed API call: the server's message and the HTTP status. */
export class ApiError extends Error {
  /**
   * @param message the server's message
   * @param status the HTTP status (0 when the server could not be reached)
   */
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * GET an API path and return the envelope's data.
 * @param path e.g. `/api/runs?limit=50`
 */
export function getData<T>(path: string): Promise<T> {
  return request<T>(path, { method: "GET" });
}

/**
 * POST JSON to an API path and return the envelope's data.
 * @param path e.g. `/predict`
 * @param body the JSON body
 */
export function postData<T>(path: string, body: unknown): Promise<T> {
  return request<T>(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/**
 * Send a JSON request that changes something on the server (e.g. an alias), with the admin token
 * if the user gave one; the server also requires same-origin JSON, which `fetch` from the
 * dashboard is.
 * @param method POST or DELETE
 * @param path e.g. `/api/models/tagifai/aliases`
 * @param body the JSON body (`{}` when there is nothing to say)
 * @param token the server's token, sent as `Authorization: Bearer`
 */
export function changeData<T>(
  method: "POST" | "DELETE",
  path: string,
  body: unknown,
  token: string,
): Promise<T> {
  return request<T>(path, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token === "" ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
}

async function request<T>(path: string, init: RequestInit): Promise<T> {
  const response = await fetch(path, init);
  const envelope = (await response.json().catch(() => null)) as Envelope<T> | null;
  if (!response.ok || envelope === null) {
    throw new ApiError(
      envelope?.message ?? `${init.method} ${path} failed: HTTP ${response.status}`,
      response.status,
    );
  }
  return envelope.data;
}
