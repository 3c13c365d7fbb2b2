/**
 * What an export could not say exactly. Every converter reports through one `FidelityReport`, so
 * the CLI, the VS Code command and the tests read the same lines:
 * `jobs[3].retry: GitHub Actions has no job retry; emitted as a shell loop (approximate)`.
 */

/** `approximate`: the target does something close; `lost`: the target does not do it at all; `note`: a job left out. */
export type Fidelity = 'approximate' | 'lost' | 'note';

/** One job and field that did not map exactly (or one job that was left out). */
export interface FidelityNote {
	/** `jobs[3].retry`, `jobs[3]` for a whole job, `concurrency` for a top-level field. */
	path: string;
	jobId?: string;
	fidelity: Fidelity;
	/** What the target does instead, without the path or the `(fidelity)` suffix. */
	message: string;
}

/** The notes of one export, in the order the converters found them. */
export class FidelityReport {
	readonly notes: FidelityNote[] = [];

	/** A field the target expresses only roughly. */
	approximate(path: string, message: string, jobId?: string): void {
		this.add({ path, jobId, fidelity: 'approximate', message });
	}

	/** A field the target cannot express; the manifest goes without it. */
	lost(path: string, message: string, jobId?: string): void {
		this.add({ path, jobId, fidelity: 'lost', message });
	}

	/** A job that is not exported, and why. */
	leftOut(path: string, message: string, jobId?: string): void {
		this.add({ path, jobId, fidelity: 'note', message });
	}

	/** The notes ordered by job (top-level fields first), each job's in the order found. */
	sorted(): FidelityNote[] {
		const rank = (n: FidelityNote) => Number(/^jobs\[(\d+)\]/.exec(n.path)?.[1] ?? -1);
		return this.notes.map((n, i) => ({ n, i })).sort((a, b) => rank(a.n) - rank(b.n) || a.i - b.i).map((e) => e.n);
	}

	/** True when something was lost: `--strict` exits 3 then. */
	get anyLost(): boolean {
		return this.notes.some((n) => n.fidelity === 'lost');
	}

	private add(note: FidelityNote): void {
		// Two jobs of one workflow may report the same field once each, never twice the same line.
		if (!this.notes.some((n) => n.path === note.path && n.message === note.message)) {
			this.notes.push(note);
		}
	}
}

/** `jobs[3].retry: MESSAGE (approximate)`; a left-out job reads `jobs[0]: left out: disabled`. */
export function formatFidelityNote(note: FidelityNote): string {
	return note.fidelity === 'note' ? `${note.path}: ${note.message}` : `${note.path}: ${note.message} (${note.fidelity})`;
}
