// The metrics panel in code-server, as a user sees it, on test/fixtures/metrics: a flaky job
// that passes on its 2nd attempt every time, a failing job and a 5 s heartbeat, all scheduled.
// The panel counts runs, not attempts (the flaky job has a failure rate of 0 and as many retries
// as runs), its numbers equal what history holds, its charts draw at the 15 min scale with
// legends that show values without hovering, its table cells do not wrap, and after
// "Developer: Reload Window" it shows the same runs again, from history. Writes the README's
// media/screenshots/metrics.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { expectVisible, openViewContainer, runCommand, waitForWorkbench, withWorkbench } from '../harness/ui.mjs';
import { cardValue, expectChartDrawn, metricsFrame, saveForReadme, shot } from './jobsUi.mjs';


/** Runs, attempts and retries per job, counted straight from history.jsonl (independently of src/core/records/runStats.ts). */
function countHistory(stateRoot) {
	const files = fs.readdirSync(stateRoot, { recursive: true }).filter((f) => path.basename(String(f)) === 'history.jsonl');
	const records = files.flatMap((f) =>
		fs
			.readFileSync(path.join(stateRoot, String(f)), 'utf8')
			.split('\n')
			.filter((line) => line.trim())
			.flatMap((line) => {
				try {
					return [JSON.parse(line)];
				} catch {
					return []; // a line being written
				}
			}),
	);
	const jobs = {};
	const last = new Map();
	for (const r of records) {
		const job = (jobs[r.jobId] ??= { runs: 0, completed: 0, failed: 0, attempts: 0, retries: 0 });
		if (r.status === 'skipped' || r.status === 'missed') {
			continue;
		}
		job.attempts++;
		job.retries += r.attempt > 1 ? 1 : 0;
		const key = `${r.jobId} ${r.runId}`;
		if (!last.has(key) || last.get(key).attempt < r.attempt) {
			last.set(key, r);
		}
	}
	for (const r of last.values()) {
		if (!r.willRetry) {
			jobs[r.jobId].runs++;
			if (r.status === 'completed' || r.status === 'failed') {
				jobs[r.jobId][r.status]++;
			}
		}
	}
	return jobs;
}

/** The fixture's jobs and their names, in the order rows are compared. */
const names = { flaky: 'Flaky tests', lint: 'Lint', heartbeat: 'Heartbeat' };

const rate = (failed, completed) => `${((completed + failed ? failed / (completed + failed) : 0) * 100).toFixed(1)}%`;

/** What the cards and the table should show for these counts. */
function expectedView(jobs) {
	const sum = (key) => Object.values(jobs).reduce((n, j) => n + j[key], 0);
	const cards = {
		Runs: String(sum('runs')),
		Completed: String(sum('completed')),
		Failed: String(sum('failed')),
		'Failure rate': rate(sum('failed'), sum('completed')),
		Attempts: String(sum('attempts')),
		Retries: String(sum('retries')),
	};
	const rows = Object.fromEntries(
		Object.keys(names).map((id) => [id, jobs[id] ?? { runs: 0, completed: 0, failed: 0, attempts: 0, retries: 0 }]).map(([id, j]) => [id, [j.runs, j.completed, j.failed].map(String).concat(j.completed + j.failed ? rate(j.failed, j.completed) : '–', String(j.attempts), String(j.retries))]),
	);
	return { cards, rows };
}

/** What the panel shows: the cards of `expectedView` and the first six cells of each job's row. */
async function shownView(frame) {
	const cards = {};
	for (const label of ['Runs', 'Completed', 'Failed', 'Failure rate', 'Attempts', 'Retries']) {
		cards[label] = await cardValue(frame, label);
	}
	const rows = {};
	for (const [id, name] of Object.entries(names)) {
		const row = frame.locator('table.jobs tbody tr', { has: frame.locator('th', { hasText: name }) });
		rows[id] = (await row.locator('td').allInnerTexts()).slice(0, 6).map((t) => t.trim());
	}
	return { cards, rows };
}

/**
 * Waits until the panel shows exactly what history holds (runs keep finishing, so both are read
 * again until they agree at one moment); returns the counts.
 */
async function expectPanelMatchesHistory(frame, stateRoot, timeout = 20_000) {
	const deadline = Date.now() + timeout;
	let shown;
	let wanted;
	while (Date.now() < deadline) {
		const jobs = countHistory(stateRoot);
		wanted = expectedView(jobs);
		shown = await shownView(frame);
		if (JSON.stringify(shown) === JSON.stringify(wanted) && JSON.stringify(countHistory(stateRoot)) === JSON.stringify(jobs)) {
			return jobs;
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`the metrics panel shows ${JSON.stringify(shown)}, history holds ${JSON.stringify(wanted)}`);
}

/** Fails unless every text cell of the jobs table is one line (no wrapping). */
async function expectCellsOneLine(frame) {
	const wrapped = await frame.locator('table.jobs').evaluate((table) =>
		[...table.querySelectorAll('th, td:not(.actions)')].flatMap((cell) => {
			const range = document.createRange();
			range.selectNodeContents(cell);
			const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
			return lines.size > 1 ? [cell.textContent] : [];
		}),
	);
	assert.deepEqual(wrapped, [], 'cells of the jobs table that wrap');
	// At this window size it also fits without scrolling sideways (a narrow panel scrolls instead of wrapping).
	const { table, box } = await frame.locator('.table-scroll').evaluate((el) => ({ table: el.scrollWidth, box: el.clientWidth }));
	assert.ok(table <= box, `the jobs table is ${table} px wide in a ${box} px panel`);
}

async function openPanel(page) {
	const frame = metricsFrame(page);
	await expectVisible(page.locator('.tabs-container .tab', { hasText: 'Job Metrics' }), 'the "Job Metrics" editor tab', 30_000);
	await expectVisible(frame.locator('main[aria-busy="false"]'), 'the metrics page filled by the extension', 30_000);
	return frame;
}

test('the metrics panel counts runs, not attempts, draws at a short scale and keeps its numbers over a reload', { timeout: 240_000 }, () => {
	const stateRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'wj-metrics-ui-'));
	return withWorkbench(
		{ fixture: 'metrics', label: 'metrics', settings: { 'workspaceJobs.requireApproval': false, 'workspaceJobs.notifications': 'never' }, env: { WORKSPACE_JOBS_STATE_DIR: stateRoot } },
		async ({ page }) => {
			await openViewContainer(page, 'Workspace Jobs');
			await runCommand(page, 'Workspace Jobs: Show Metrics');
			let frame = await openPanel(page);

			// Wait for three runs of the flaky job (six attempts) and two of the failing one.
			const deadline = Date.now() + 90_000;
			while (!((countHistory(stateRoot).flaky?.runs ?? 0) >= 3 && (countHistory(stateRoot).lint?.runs ?? 0) >= 2)) {
				assert.ok(Date.now() < deadline, `too few runs in history: ${JSON.stringify(countHistory(stateRoot))}`);
				await new Promise((resolve) => setTimeout(resolve, 500));
			}
			const before = await expectPanelMatchesHistory(frame, stateRoot);
			const flaky = (await shownView(frame)).rows.flaky;
			// Every flaky run passed on its 2nd attempt: no failed run, and one retry per run.
			assert.equal(flaky[2], '0');
			assert.equal(flaky[3], '0.0%');
			assert.equal(flaky[5], flaky[0]);
			assert.ok(Number(flaky[4]) >= 2 * Number(flaky[0]));
			assert.equal(before.lint.failed, before.lint.runs);

			// The charts: the 15 min window (the data is a minute old), drawn, with values in the legends.
			await expectVisible(frame.locator('#chart-runs figcaption', { hasText: 'Runs ended per 30 s, last 15 min' }), 'the runs chart at the 15 min scale');
			await expectChartDrawn(frame.locator('#chart-runs'), 'the runs-ended chart', { aboveZero: true });
			await expectChartDrawn(frame.locator('#chart-busy'), 'the running-at-once chart', { aboveZero: true });
			const legend = frame.locator('#chart-runs .legend');
			assert.match(await legend.innerText(), /Completed \d+\s+Failed [1-9]\d*\s+Retries [1-9]\d*\s+last 15 min/);
			assert.match(await frame.locator('#chart-busy .legend').innerText(), /Peak running [1-9]/);
			// Hovering shows one bucket's values and its time span, in 24-hour local time.
			const box = await frame.locator('#chart-runs .uplot .u-over').boundingBox();
			await page.mouse.move(box.x + box.width - 8, box.y + box.height / 2);
			await expectVisible(legend.locator('.when', { hasText: /^\d\d:\d\d:\d\d–\d\d:\d\d:\d\d$/ }), 'the hovered bucket in the legend');
			await page.mouse.move(box.x + box.width / 2, box.y - 60);
			await expectVisible(legend.locator('.when', { hasText: 'last 15 min' }), 'the legend back to the window');

			// One time format (the tree's): `21:35:50` today, never `12/1/2026, 9:35:50 PM` or `9:30pm`.
			const since = await frame.locator('.since').innerText();
			assert.match(since, /^Runs in the last 15 min, from history: oldest \d\d:\d\d:\d\d \(\d+ (s|min) ago\) · updated \d\d:\d\d:\d\d$/);
			assert.doesNotMatch(await frame.locator('main').innerText(), /\b(AM|PM|am|pm)\b/);
			await expectCellsOneLine(frame);
			const file = await shot(page, 'metrics-01-panel', { settle: 800 });
			saveForReadme(file, 'metrics.png');

			// Reload the window: the panel comes back (its serializer) with the runs from history.
			// (With the Explorer in front, so waitForWorkbench finds it after the reload.)
			await openViewContainer(page, 'Explorer');
			await runCommand(page, 'Developer: Reload Window');
			await waitForWorkbench(page);
			frame = await openPanel(page);
			const after = await expectPanelMatchesHistory(frame, stateRoot);
			assert.ok(after.flaky.runs >= before.flaky.runs && after.lint.runs >= before.lint.runs, 'runs from before the reload are still counted');
			await expectChartDrawn(frame.locator('#chart-runs'), 'the runs-ended chart after the reload', { aboveZero: true });
			await shot(page, 'metrics-02-after-reload', { settle: 800 });

			// Pause, and let the attempts in flight end before the workbench closes: a job still
			// running then would outlive code-server's process group for a moment.
			await runCommand(page, 'Workspace Jobs: Pause Scheduler');
			for (let quiet = 0; quiet < 4; quiet = (await cardValue(frame, 'Running now')) === '0' ? quiet + 1 : 0) {
				await new Promise((resolve) => setTimeout(resolve, 250));
			}
		},
	).finally(() => fs.rmSync(stateRoot, { recursive: true, force: true }));
});
