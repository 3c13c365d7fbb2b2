// Page helpers for the Workspace Jobs UI tests (test/ui/jobs.test.mjs): the Jobs tree, its
// context menus, the status bar item and the metrics webview. Generic workbench helpers live in
// test/harness/ui.mjs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../harness/provision.mjs';
import { expectVisible, openViewContainer, screenshot } from '../harness/ui.mjs';

const SIDEBAR = '#workbench\\.parts\\.sidebar';

/** The extension's status bar item (id: <extension id>.<item id>). */
export const STATUS_ITEM = '#workbench\\.parts\\.statusbar [id="workspace-jobs.workspace-jobs.workspaceJobs.status"]';

/**
 * What a job row shows in each state (src/extension/jobPresenter.ts): the codicon of its icon
 * and a pattern of its accessible label ("<name> <description>").
 */
const STATES = {
	idle: { icon: 'circle-large-outline', label: /^(?!.*(\b(running|queued|waiting|canceled)\b|[✓✗]))/ },
	running: { icon: 'sync', label: /\brunning\b/ },
	pending: { icon: 'watch', label: /\bwaiting for\b/ },
	completed: { icon: 'pass', label: /✓ (just now|\d+ min ago)/ },
	failed: { icon: 'error', label: /✗ (just now|\d+ min ago)/ },
	canceled: { icon: 'circle-slash', label: /\bcanceled (just now|\d+ min ago)/ },
};

/**
 * Opens the Workspace Jobs container from the activity bar, waits for the Jobs tree and widens
 * the side bar so that the rows' descriptions (state, schedule, last run) are readable.
 */
export async function openJobsView(page, { width = 520 } = {}) {
	await openViewContainer(page, 'Workspace Jobs');
	await expectVisible(page.locator(`${SIDEBAR} .composite.title`, { hasText: /Workspace Jobs/i }), 'the Workspace Jobs view title');
	await expectVisible(page.locator(`${SIDEBAR} .customview-tree`), 'the Jobs tree', 30_000);
	await resizeSideBar(page, width);
}

/**
 * A screenshot without a hover in it: the mouse moves to an empty spot of the activity bar. It
 * passes over the status bar's left corner first, where ui.mjs's openCommandPalette clicks to
 * focus the workbench: leaving that item hides the hover the click left behind.
 */
export async function shot(page, name, options) {
	const status = await page.locator('#workbench\\.parts\\.statusbar').boundingBox();
	const bar = await page.locator('#workbench\\.parts\\.activitybar').boundingBox();
	if (status && bar) {
		await page.mouse.move(status.x + 5, status.y + 5);
		await page.mouse.move(bar.x + bar.width / 2, bar.y + bar.height * 0.7, { steps: 3 });
	}
	return screenshot(page, name, options);
}

/** Copies a screenshot to media/screenshots/NAME, where the README shows it. */
export function saveForReadme(file, name) {
	const dir = path.join(ROOT, 'media', 'screenshots');
	fs.mkdirSync(dir, { recursive: true });
	fs.copyFileSync(file, path.join(dir, name));
}

/** The accessible label of the extension's status bar item (its text and tooltip). */
export async function statusItemLabel(page) {
	const item = await expectVisible(page.locator(STATUS_ITEM), 'the Workspace Jobs status bar item');
	return (await item.getAttribute('aria-label')) ?? '';
}

/**
 * Fails unless a uPlot chart has drawn series: some of its canvas pixels have saturated colors
 * (series use the theme's chart colors; axes, grid and tick labels are gray or black).
 * `aboveZero`: some of them lie in the upper half of the canvas, i.e. a value above the baseline
 * was plotted (the y axis runs from 0 to at least 1). Returns the counts.
 */
export async function expectChartDrawn(chart, what, { aboveZero = false } = {}) {
	const canvas = await expectVisible(chart.locator('.uplot canvas'), what);
	const counts = await canvas.evaluate((c) => {
		const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
		let all = 0;
		let upper = 0;
		for (let i = 0; i < data.length; i += 4) {
			const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
			if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 80) {
				all++;
				if (i / 4 / c.width < c.height / 2) {
					upper++;
				}
			}
		}
		return { all, upper };
	});
	if (counts.all < 5) {
		throw new Error(`missing surface: ${what} has no series drawn (${counts.all} colored pixels)`);
	}
	if (aboveZero && counts.upper < 5) {
		throw new Error(`missing surface: ${what} plots nothing above zero (${counts.upper} colored pixels in its upper half)`);
	}
	return counts;
}

/** The top-level tree row of a job, by its exact name. */
export function jobRow(page, name) {
	return page
		.locator(`${SIDEBAR} .monaco-list-row[aria-level="1"]`)
		.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) });
}

/** Waits until the row of job `name` shows `state` (icon and description); fails with the row's actual look. */
export async function expectJobState(page, name, state, timeout = 15_000) {
	const look = STATES[state];
	const row = jobRow(page, name);
	await expectVisible(row, `the job "${name}" in the Jobs tree`, timeout);
	const deadline = Date.now() + timeout;
	let actual = '';
	while (Date.now() < deadline) {
		const { label, icon } = await row
			.first()
			.evaluate((el) => ({
				label: el.getAttribute('aria-label') ?? '',
				icon: el.querySelector('.custom-view-tree-node-item-icon')?.className ?? '',
			}))
			.catch(() => ({ label: '', icon: '' }));
		actual = `icon "${icon}", label "${label}"`;
		if (icon.split(/\s+/).includes(`codicon-${look.icon}`) && look.label.test(label.slice(name.length))) {
			return row.first();
		}
		await page.waitForTimeout(100);
	}
	throw new Error(`missing surface: the job "${name}" shown as ${state} in the Jobs tree (now: ${actual})`);
}

/** The message VS Code shows above a tree view (TreeView.message). */
export function treeMessage(page, text) {
	return page.locator(`${SIDEBAR} .tree-explorer-viewlet-tree-view > .message`, text ? { hasText: text } : undefined);
}

/** Right-clicks `target` and clicks the context menu item titled `title`. */
export async function clickContextMenu(page, target, title) {
	await expectVisible(target, `the tree row for the "${title}" context menu`);
	await target.first().click({ button: 'right' });
	const item = page.locator('.monaco-menu .action-item:not(.disabled) .action-label', { hasText: new RegExp(`^${escapeRegExp(title)}$`) });
	await expectVisible(item, `"${title}" in the context menu`);
	// A menu item listens for mouseup only 100 ms after it is rendered (so the release of the right
	// button that opened the menu does not pick an item): a click before that is ignored.
	await page.waitForTimeout(250);
	await item.first().click();
	try {
		await page.locator('.monaco-menu').waitFor({ state: 'hidden', timeout: 5_000 });
	} catch {
		throw new Error(`the context menu stayed open after clicking "${title}": the click did not reach the item`);
	}
}

/** Drags the side bar's edge so that it is `width` pixels wide (tree descriptions are then readable). */
export async function resizeSideBar(page, width) {
	const box = await page.locator(SIDEBAR).boundingBox();
	if (!box) {
		throw new Error('missing surface: the side bar');
	}
	const y = box.y + box.height / 2;
	await page.mouse.move(box.x + box.width - 1, y);
	await page.mouse.down();
	await page.mouse.move(box.x + width - 1, y, { steps: 5 });
	await page.mouse.up();
}

/** The document inside the metrics webview (iframe.webview > iframe#active-frame). */
export function metricsFrame(page) {
	return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/** The value shown on a totals card of the metrics page, by its label. */
export async function cardValue(frame, label) {
	const card = frame.locator('dl.cards .card', { has: frame.locator('dt', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) });
	await expectVisible(card, `the "${label}" card on the metrics page`);
	return (await card.locator('dd').innerText()).trim();
}

/** Waits until the totals cards show these values (the panel updates live), else fails with what they show. */
export async function expectCards(frame, expected, timeout = 10_000) {
	const deadline = Date.now() + timeout;
	let actual = {};
	while (true) {
		actual = {};
		for (const label of Object.keys(expected)) {
			actual[label] = await cardValue(frame, label);
		}
		if (Object.keys(expected).every((label) => actual[label] === expected[label])) {
			return actual;
		}
		if (Date.now() > deadline) {
			throw new Error(`the metrics cards show ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

function escapeRegExp(text) {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
