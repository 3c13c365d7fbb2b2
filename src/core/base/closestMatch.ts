/**
 * "Did you mean" suggestions for misspelt field names, enum values and job ids.
 */

/** Words longer than this get no suggestion: the distance table grows with the square. */
const maxWordLength = 64;

/**
 * The candidate nearest to `word` by edit distance (ignoring case, so `dependson` finds
 * `dependsOn`), or undefined when nothing is close enough to be a plausible typo: at most 2
 * edits, or a third of the word's length for long words. Candidates whose length differs by more
 * than that are skipped without computing a distance, which keeps a file with thousands of ids fast.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
	if (word.length > maxWordLength) {
		return undefined;
	}
	const needle = word.toLowerCase();
	const limit = Math.max(2, Math.floor(word.length / 3));
	let best: string | undefined;
	let bestDistance = limit + 1;
	for (const candidate of candidates) {
		if (candidate === word || Math.abs(candidate.length - word.length) >= bestDistance) {
			continue;
		}
		if (candidate.length > maxWordLength) {
			continue;
		}
		const distance = editDistance(needle, candidate.toLowerCase());
		if (distance < bestDistance) {
			best = candidate;
			bestDistance = distance;
		}
	}
	return best;
}

/** Levenshtein distance (insert, delete, substitute), with two rolling rows. */
export function editDistance(a: string, b: string): number {
	let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
	let current = new Array<number>(b.length + 1);
	for (let i = 1; i <= a.length; i++) {
		current[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
		}
		[previous, current] = [current, previous];
	}
	return previous[b.length];
}
