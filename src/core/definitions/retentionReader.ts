import type { Node } from 'jsonc-parser';
import type { RetentionOptions } from '../model';
import { parseSize, retentionBounds } from '../records/retention';
import { readNumber, readObject, type Scope, typeName } from './json/jsonReader';

/** Fields of the top-level `retention` object. */
export const knownRetentionFields = ['runs', 'days', 'size'] as const;

/**
 * Reads `.jobs.json`'s `retention: { runs?, days?, size? }`. A wrong value is an error at its
 * field and that limit keeps its default; the jobs are not affected.
 */
export function readRetention(node: Node, scope: Scope): RetentionOptions | undefined {
	if (node.type !== 'object') {
		scope.error(node, 'retention', `must be an object such as { "runs": 100, "days": 30, "size": "256MB" }, got ${typeName(node)}`);
		return undefined;
	}
	const fields = readObject(node, 'retention', scope, knownRetentionFields);
	const retention: RetentionOptions = {};
	const runs = fields.get('runs');
	if (runs) {
		retention.runs = readNumber(runs.value, 'retention.runs', scope, retentionBounds.runs);
	}
	const days = fields.get('days');
	if (days) {
		retention.days = readNumber(days.value, 'retention.days', scope, retentionBounds.days);
	}
	const size = fields.get('size');
	if (size) {
		const node = size.value;
		const value: unknown = node.type === 'object' ? {} : node.type === 'array' ? [] : node.value;
		const result = parseSize(value);
		if (result.ok) {
			retention.size = result.bytes;
		} else {
			scope.error(node, 'retention.size', result.message);
		}
	}
	for (const key of knownRetentionFields) {
		if (retention[key] === undefined) {
			delete retention[key];
		}
	}
	return retention;
}
