import type { Node, NodeType } from 'jsonc-parser';

/**
 * A value from `JSON.parse` seen through jsonc-parser's `Node` shape, so the readers of
 * `jobReader.ts` run unchanged on either parser. Children are made on each access and not kept:
 * a job's nodes become garbage once the job is read, so 10,000 jobs never hold a full tree.
 *
 * Positions are unknown (offset 0, length 0) except where the caller gives them: this path is
 * only taken while no diagnostic is reported, and the readers use positions only for
 * diagnostics and for each job's `source` (the elements of the jobs array).
 */
export class ValueNode implements Node {
	readonly type: NodeType;
	readonly value: unknown;
	readonly length = 0;

	/** `elementOffsets`: where the elements of this array start, or of the arrays that are members of this object. */
	constructor(
		private readonly raw: unknown,
		readonly offset = 0,
		private readonly elementOffsets?: readonly number[],
	) {
		this.type = typeOf(raw);
		this.value = this.type === 'object' || this.type === 'array' ? undefined : raw;
	}

	get children(): Node[] | undefined {
		const raw = this.raw;
		if (this.type === 'array') {
			const offsets = this.elementOffsets;
			return (raw as unknown[]).map((item, index) => new ValueNode(item, offsets?.[index] ?? 0));
		}
		if (this.type !== 'object') {
			return undefined;
		}
		const record = raw as Record<string, unknown>;
		return Object.keys(record).map((key) => {
			const member = record[key];
			return propertyNode(key, new ValueNode(member, 0, Array.isArray(member) ? this.elementOffsets : undefined));
		});
	}
}

function propertyNode(key: string, value: Node): Node {
	return { type: 'property', offset: 0, length: 0, children: [new ValueNode(key), value] };
}

function typeOf(value: unknown): NodeType {
	if (value === null) {
		return 'null';
	}
	if (Array.isArray(value)) {
		return 'array';
	}
	return typeof value as 'string' | 'number' | 'boolean' | 'object';
}
