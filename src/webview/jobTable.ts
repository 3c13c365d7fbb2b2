import { formatDuration } from '../core/base/duration';
import { type JobRow, rowKey } from './protocol';

/** Columns the table can sort by. */
export type SortKey = 'name' | 'runs' | 'completed' | 'failed' | 'retries' | 'avgDurationMs' | 'maxDurationMs' | 'lastEndedAt';

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
	{ key: 'retries', label: 'Retries', numeric: true },
	{ key: 'avgDurationMs', label: 'Avg', numeric: true },
	{ key: 'maxDurationMs', label: 'Max', numeric: true },
	{ key: 'lastEndedAt', label: 'Last run', numeric: false },
];

/**
 * The per-job table: sortable with header buttons (keyboard and screen reader friendly via
 * `aria-sort`), each row with Run and Log buttons. Everything is written with textContent.
 */
export class JobTable {
	private readonly head: HTMLTableSectionElement;
	private readonly body: HTMLTableSectionElement;
	private rows: readonly JobRow[] = [];
	private focus: string | undefined;
	private scrolledTo: string | undefined;

	constructor(
		table: HTMLTableElement,
		private sort: SortState,
		private readonly onSort: (sort: SortState) => void,
		private readonly onAction: (action: 'run' | 'showLog', row: JobRow) => void,
	) {
		const caption = table.createCaption();
		caption.textContent = 'Runs per job since the scheduler started';
		this.head = table.createTHead();
		this.body = table.createTBody();
		this.renderHead();
	}

	update(rows: readonly JobRow[], focus: string | undefined): void {
		this.rows = rows;
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
			td.textContent = 'No runs yet.';
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
			String(row.retries),
			formatDuration(row.avgDurationMs),
			formatDuration(row.maxDurationMs),
			row.lastEndedAt ? `${row.lastStatus ?? ''} ${new Date(row.lastEndedAt).toLocaleTimeString()}`.trim() : '–',
		];
		cells.forEach((text, i) => {
			const td = document.createElement('td');
			td.textContent = text;
			td.className = columns[i + 1].numeric ? 'num' : '';
			if (i === 2 && row.failed > 0) {
				td.classList.add('bad');
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

function compare(a: JobRow, b: JobRow, key: SortKey): number {
	const x = a[key] ?? '';
	const y = b[key] ?? '';
	if (typeof x === 'number' && typeof y === 'number') {
		return x - y;
	}
	return String(x).localeCompare(String(y));
}
