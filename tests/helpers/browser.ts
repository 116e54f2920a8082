/**
 * Test helper for the dashboard's browser tests: build the dashboard, launch headless Chromium
 * (playwright-core, /usr/bin/chromium or CHROMIUM_PATH) with a page that records every page error,
 * console error, failed request and HTTP error, and read what a download button saves.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { PACKAGE_DIR } from "../../src/config/config.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Build the dashboard from the current sources (a few seconds). */
export function buildDashboard(): void {
  const vite = join(PACKAGE_DIR, "node_modules", "vite", "bin", "vite.js");
  execFileSync(process.execPath, [vite, "build", "--config", "vite.config.ts", "--logLevel", "error"], {
    cwd: PACKAGE_DIR,
  });
}

/** A launched browser, its first page, and what went wrong in that page. */
export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Page errors, console errors, failed requests and HTTP errors (status ≥ 400), in order. */
  errors: string[];
}

/**
 * Launch headless Chromium in a fresh profile, recording its page's errors.
 * @returns the browser (close `context` when done)
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "chromium-profile-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1200, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  recordErrors(page, errors);
  return { context, page, errors };
}

/**
 * Push onto `errors` every page error, console error, failed request and HTTP error answer of a page.
 * @param page the page to watch
 * @param errors where its errors go, in order
 */
export function recordErrors(page: Page, errors: string[]): void {
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("requestfailed", (request) => errors.push(`request failed: ${request.url()}`));
  page.on("response", (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()}: ${response.url()}`);
  });
}

/**
 * Click a download button and return the downloaded file's text.
 * @param page the page
 * @param button a selector of the button
 */
export async function downloaded(page: Page, button: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
  return readFileSync(await download.path(), "utf8");
}
