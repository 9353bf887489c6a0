/**
 * Prints an HTML document to PDF in headless Chromium (playwright-core
 * driving the system's Chromium). The document must be self-contained:
 * every network request from the page is aborted, so styles are inline and
 * images are `data:` URLs.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';

// playwright-core adds about 80 MiB to the process, so it is loaded on the first print only.
const require = createRequire(import.meta.url);

/** Install path of the browser in Debian and Ubuntu's `chromium` package. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** Maximum time to print one PDF, in milliseconds; a monthly recap took about two seconds on the development machine. */
const PRINT_TIMEOUT_MS = 60_000;

const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-extensions',
];

/** Chromium is not installed where it is expected; the message states what to install. */
export class ChromiumMissingError extends Error {
  constructor(readonly path: string) {
    super(
      `PDF export needs Chromium, which was not found at ${path}. ` +
        'Install it (Debian/Ubuntu: apt-get install chromium) or point the server at another Chromium binary; XLSX export works without it.',
    );
    this.name = 'ChromiumMissingError';
  }
}

export function chromiumAvailable(path = DEFAULT_CHROMIUM_PATH): boolean {
  try {
    fs.accessSync(path, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Prints a self-contained HTML document to an A4 PDF and returns its bytes.
 *
 * @example const pdf = await htmlToPdf('<!DOCTYPE html><title>x</title><p>Halo</p>');
 */
export async function htmlToPdf(html: string, options: { chromiumPath?: string; footer?: string } = {}): Promise<Buffer> {
  const executablePath = options.chromiumPath ?? DEFAULT_CHROMIUM_PATH;
  if (!chromiumAvailable(executablePath)) throw new ChromiumMissingError(executablePath);
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: PRINT_TIMEOUT_MS });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    page.setDefaultTimeout(PRINT_TIMEOUT_MS);
    // The document is complete as given: nothing may be fetched while printing.
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load', timeout: PRINT_TIMEOUT_MS });
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      margin: { top: '15mm', bottom: '18mm', left: '12mm', right: '12mm' },
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate:
        '<div style="font-size:8px;width:100%;padding:0 12mm;color:#505a5f;display:flex;justify-content:space-between">' +
        `<span>${escapeHtml(options.footer ?? '')}</span><span><span class="pageNumber"></span>/<span class="totalPages"></span></span></div>`,
    });
    return Buffer.from(pdf);
  } finally {
    await browser.close();
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
