/** SVG → PNG by screenshotting the SVG in headless Chromium (playwright-core, optional). */
import { accessSync, constants } from 'node:fs';

/**
 * Chromium flags for a sandbox-less, offline, headless run.
 *
 * @example
 * ```ts
 * await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
 * ```
 */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]);

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds a Chromium executable: `explicit` if given (must exist), else `$FR_CHROMIUM_PATH`, else the
 * usual system paths (`/usr/bin/chromium`, …). Returns `null` when none is found.
 *
 * @example
 * ```ts
 * const chromium = findChromium(); // '/usr/bin/chromium' or null
 * ```
 */
export function findChromium(explicit?: string): string | null {
  if (explicit !== undefined) {
    if (!executable(explicit)) throw new Error(`Chromium not found or not executable at ${explicit}`);
    return explicit;
  }
  const env = process.env['FR_CHROMIUM_PATH'];
  if (env !== undefined && env !== '') {
    if (!executable(env)) throw new Error(`FR_CHROMIUM_PATH=${env} is not an executable`);
    return env;
  }
  return CANDIDATES.find(executable) ?? null;
}

/**
 * Rasterises standalone SVG documents to PNG in one headless Chromium session (device scale 2 for
 * crisp text). Needs the optional peer dependency `playwright-core` and a Chromium executable.
 *
 * @example
 * ```ts
 * const [png] = await svgToPng([renderRocSvg(report)], { executablePath: '/usr/bin/chromium' });
 * ```
 */
export async function svgToPng(svgs: readonly string[], options: { executablePath: string; scale?: number }): Promise<Uint8Array[]> {
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch (err) {
    throw new Error(`PNG export needs the optional peer dependency playwright-core (npm i playwright-core): ${String(err)}`);
  }
  const browser = await playwright.chromium.launch({ executablePath: options.executablePath, args: [...CHROMIUM_ARGS] });
  try {
    const context = await browser.newContext({ deviceScaleFactor: options.scale ?? 2, viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const out: Uint8Array[] = [];
    for (const svg of svgs) {
      await page.setContent(`<!DOCTYPE html><html><body style="margin:0;background:#fff">${svg}</body></html>`);
      const el = page.locator('svg').first();
      out.push(new Uint8Array(await el.screenshot({ type: 'png' })));
    }
    return out;
  } finally {
    await browser.close();
  }
}
