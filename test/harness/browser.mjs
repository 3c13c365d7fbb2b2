// Launches Debian's Chromium through playwright-core (never a downloaded browser).
import { chromium } from 'playwright-core';
import { BROWSER_MARKER_VAR } from './codeServer.mjs';
import { CHROMIUM } from './provision.mjs';

export const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];

/**
 * @param {{ headless?: boolean }} [options] headless unless WORKSPACE_JOBS_HEADED=1 (needs a display)
 * @returns {Promise<import('playwright-core').Browser>}
 */
export function launchBrowser(options = {}) {
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: options.headless ?? process.env.WORKSPACE_JOBS_HEADED !== '1',
		args: CHROMIUM_ARGS,
		env: { ...process.env, [BROWSER_MARKER_VAR]: String(process.pid) },
		timeout: 60_000,
	});
}
