/**
 * Test helper: one fresh tracking store per `describe` block, on a given backend, opened before its
 * tests and closed and removed after them.
 */
import { afterAll, beforeAll } from "vitest";
import { openStore, type TrackingStore } from "../../src/tagifai/tracking.js";
import type { FreshStore, TrackingBackend } from "../fixtures/tracking/harness.js";

/** The store of a `describe` block (read `store` and `uri` inside tests or hooks, not at collection). */
export interface SharedStore {
  /** The open store. */
  readonly store: TrackingStore;
  /** Its URI, for raw SQL through `backend.query`. */
  readonly uri: string;
  /** A name no other test of the block uses: `label-1`, `label-2`, ... */
  unique(label: string): string;
}

/**
 * Register `beforeAll`/`afterAll` hooks in the current `describe` block that make a fresh store on
 * `backend`, open it, and afterwards close and remove it.
 * @param backend the database engine
 * @returns the block's store, its URI and a unique-name maker
 */
export function useFreshStore(backend: TrackingBackend): SharedStore {
  let fresh: FreshStore | undefined;
  let store: TrackingStore | undefined;
  let counter = 0;

  beforeAll(async () => {
    fresh = await backend.freshStore();
    store = await openStore(fresh.uri);
  });

  afterAll(async () => {
    await store?.close();
    await fresh?.cleanup();
  });

  return {
    get store() {
      if (!store) throw new Error("the store is opened in beforeAll: use it inside tests");
      return store;
    },
    get uri() {
      if (!fresh) throw new Error("the store is made in beforeAll: use its URI inside tests");
      return fresh.uri;
    },
    unique: (label) => `${label}-${++counter}`,
  };
}
