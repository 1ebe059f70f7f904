/**
 * A real headless browser for the web cabinet's tests: Debian's chromium driven by playwright-core
 * (no browser download), a fresh profile per launch. `SCREENSHOTS=1` makes `screenshot()` save the
 * page to docs/screenshots/ (kept in the repository; CI runs do not rewrite them).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { PROJECT_ROOT } from "../../src/paths";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOT_DIR = path.join(PROJECT_ROOT, "docs", "screenshots");

export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync",
];

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab; CSP violations and script errors on it are collected in `problems`. */
  page(options?: { phone?: boolean }): Promise<Page>;
  problems: string[];
  close(): Promise<void>;
}

export async function launchBrowser(options: { colorScheme?: "light" | "dark"; locale?: string } = {}): Promise<TestBrowser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "chromium-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 1,
    colorScheme: options.colorScheme ?? "light",
    locale: options.locale ?? "ru-RU",
  });
  const problems: string[] = [];
  return {
    context,
    problems,
    async page() {
      const page = await context.newPage();
      page.on("console", (message) => {
        // A 403 or 404 page the test asked for is not a problem; a CSP violation or a script error is.
        if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`script: ${error.message}`));
      return page;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as docs/screenshots/<name>.png when SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS !== "1") return;
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
