/**
 * What the router gives a page when it renders it.
 */

/** A page's context. */
export interface PageContext {
  /** What follows the page's name in the address, e.g. the run id of `#/runs/<id>`. */
  arg: string | undefined;
  /** Render the page again from fresh data (the Reload buttons). */
  reload: () => void;
}
