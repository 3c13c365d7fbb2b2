// Renders media/icon.svg to media/icon.png (128 × 128, what the Marketplace shows), with Debian's
// Chromium through playwright-core as the UI tests use it (test/harness/browser.mjs). Run it after
// changing the SVG: node scripts/renderIcon.mjs
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../test/harness/browser.mjs';

const media = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'media');
const svg = fs.readFileSync(path.join(media, 'icon.svg'), 'utf8');
const browser = await launchBrowser();
try {
	const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
	await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
	await page.locator('svg').screenshot({ path: path.join(media, 'icon.png'), omitBackground: true });
} finally {
	await browser.close();
}
