import { formatElapsed, formatInstant, formatRelative } from '../core/base/timeFormat';
import { type JobRow, rowKey } from './protocol';

/** Columns the table can sort by. */
export type SortKey = 'name' | 'runs' | 'completed' | 'failed' | 'failureRate' | 'attempts' | 'retries' | 'avgDurationMs' | 'maxDurationMs' | 'lastEndedAt';

export interface SortState {
	key: SortKey;
	/** 1 ascending, -1 descending. */
	dir: 1 | -1;
}

const columns: Array<{ key: SortKey; label: string; numeric: boolean }> = [
	{ key: 'name', label: 'Job', numeric: false },
	{ key: 'runs', label: 'Runs', numeric: true },
	{ key: 'completed', label: 'Completed', numeric: true },
	{ key: 'failed', label: 'Failed', numeric: true },
	{ key: 'failureRate', label: 'Failure rate', numeric: true },
	{ key: 'attempts', label: 'Attempts', numeric: true },
	{ key: 'retries', label: 'Retries', numeric: true },
	{ key: 'avgDurationMs', label: 'Avg run', numeric: true },
	{ key: 'maxDurationMs', label: 'Longest', numeric: true },
	{ key: 'lastEndedAt', label: 'Last run', numeric: false },
];

/** Names of the sortable keys, for checking a sort restored from the page's state. */
export const sortKeys: readonly SortKey[] = columns.map((c) => c.key);

/**
 * The per-job table: sortable with header buttons (keyboard and screen reader friendly via
 * `aria-sort`), each row with Run and Log buttons. Everything is written with textContent.
 */
export class JobTable {
	private readonly caption: HTMLTableCaptionElement;
	private readonly head: HTMLTableSectionElement;
	private readonly body: HTMLTableSectionElement;
	private rows: readonly JobRow[] = [];
	private now = 0;
	private focus: string | undefined;
	private scrolledTo: string | undefined;

	constructor(
		table: HTMLTableElement,
		private sort: SortState,
		private readonly onSort: (sort: SortState) => void,
		private readonly onAction: (action: 'run' | 'showLog', row: JobRow) => void,
	) {
		const caption = table.createCaption();
		this.caption = caption;
		this.head = table.createTHead();
		this.body = table.createTBody();
		this.renderHead();
	}

	/** `now`: the host's clock when it built the rows, for "2 min ago"; `window`: what the counts cover. */
	update(rows: readonly JobRow[], focus: string | undefined, now: number, window: string): void {
		this.rows = rows;
		this.now = now;
		this.caption.textContent = `Runs per job, last ${window}`;
		this.focus = focus;
		this.renderBody();
	}

	private renderHead(): void {
		const tr = document.createElement('tr');
		for (const column of columns) {
			const th = document.createElement('th');
			th.scope = 'col';
			th.className = column.numeric ? 'num' : '';
			th.setAttribute('aria-sort', this.sort.key === column.key ? (this.sort.dir === 1 ? 'ascending' : 'descending') : 'none');
			const button = document.createElement('button');
			button.type = 'button';
			button.className = 'sort';
			button.textContent = column.label + (this.sort.key === column.key ? (this.sort.dir === 1 ? ' ▲' : ' ▼') : '');
			button.addEventListener('click', () => {
				this.sort = { key: column.key, dir: this.sort.key === column.key ? (this.sort.dir === 1 ? -1 : 1) : column.numeric ? -1 : 1 };
				this.onSort(this.sort);
				this.renderHead();
				this.renderBody();
				(this.head.querySelector(`th:nth-child(${columns.indexOf(column) + 1}) button`) as HTMLButtonElement | null)?.focus();
			});
			th.append(button);
			tr.append(th);
		}
		const actions = document.createElement('th');
		actions.scope = 'col';
		actions.textContent = 'Actions';
		tr.append(actions);
		this.head.replaceChildren(tr);
	}

	private renderBody(): void {
		const sorted = [...this.rows].sort((a, b) => compare(a, b, this.sort.key) * this.sort.dir);
		const multiFolder = new Set(this.rows.map((r) => r.folder)).size > 1;
		const trs = sorted.map((row) => this.renderRow(row, multiFolder));
		if (trs.length === 0) {
			const tr = document.createElement('tr');
			const td = document.createElement('td');
			td.colSpan = columns.length + 1;
			td.textContent = 'No jobs.';
			tr.append(td);
			trs.push(tr);
		}
		this.body.replaceChildren(...trs);
		const focused = this.focus ? this.body.querySelector('tr.focused') : null;
		if (focused && this.scrolledTo !== this.focus) {
			this.scrolledTo = this.focus;
			focused.scrollIntoView({ block: 'nearest' });
		}
	}

	private renderRow(row: JobRow, multiFolder: boolean): HTMLTableRowElement {
		const tr = document.createElement('tr');
		if (rowKey(row) === this.focus) {
			tr.className = 'focused';
			tr.setAttribute('aria-current', 'true');
		}
		const name = document.createElement('th');
		name.scope = 'row';
		name.textContent = multiFolder ? `${row.name} (${row.folder})` : row.name;
		name.title = row.jobId;
		tr.append(name);
		const cells = [
			String(row.runs),
			String(row.completed),
			String(row.failed),
			row.completed + row.failed ? `${(row.failureRate * 100).toFixed(1)}%` : '–',
			String(row.attempts),
			String(row.retries),
			row.runs ? formatElapsed(row.avgDurationMs) : '–',
			row.runs ? formatElapsed(row.maxDurationMs) : '–',
			lastRun(row, this.now),
		];
		cells.forEach((text, i) => {
			const td = document.createElement('td');
			td.textContent = text;
			td.className = columns[i + 1].numeric ? 'num' : '';
			if ((columns[i + 1].key === 'failed' || columns[i + 1].key === 'failureRate') && row.failed > 0) {
				td.classList.add('bad');
			}
			if (columns[i + 1].key === 'lastEndedAt' && row.lastEndedAt !== undefined) {
				td.title = `${formatInstant(row.lastEndedAt)}${row.lastAttempts ? ` · attempt ${row.lastAttempts}` : ''}`;
			}
			tr.append(td);
		});
		const actions = document.createElement('td');
		actions.className = 'actions';
		actions.append(this.button('Run', `Run ${row.name} now`, () => this.onAction('run', row)), this.button('Log', `Show the last log of ${row.name}`, () => this.onAction('showLog', row)));
		tr.append(actions);
		return tr;
	}

	private button(text: string, label: string, onClick: () => void): HTMLButtonElement {
		const button = document.createElement('button');
		button.type = 'button';
		button.textContent = text;
		button.setAttribute('aria-label', label);
		button.addEventListener('click', onClick);
		return button;
	}
}

/** `completed · 2 min ago`, or `–` without runs (the instant and the attempt are in the cell's tooltip). */
function lastRun(row: JobRow, now: number): string {
	return row.lastEndedAt === undefined || !row.lastStatus ? '–' : `${row.lastStatus} · ${formatRelative(row.lastEndedAt, now)}`;
}

function compare(a: JobRow, b: JobRow, key: SortKey): number {
	const x = a[key] ?? '';
	const y = b[key] ?? '';
	if (typeof x === 'number' && typeof y === 'number') {
		return x - y;
	}
	return String(x).localeCompare(String(y));
}
