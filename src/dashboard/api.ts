/**
 * The dashboard's client of the Tagifai API: every answer comes in the envelope; errors surface
 * as exceptions carrying the server's message.
 */
import type { Envelope } from "../tagifai/serve/envelope.js";

/**
 * GET an API path and return the envelope's data.
 * @param path e.g. `/runs?limit=50`
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

async function request<T>(path: string, init: RequestInit): Promise<T> {
  const response = await fetch(path, init);
  const envelope = (await response.json().catch(() => null)) as Envelope<T> | null;
  if (!response.ok || envelope === null) {
    throw new Error(envelope?.message ?? `${init.method} ${path} failed: HTTP ${response.status}`);
  }
  return envelope.data;
}
