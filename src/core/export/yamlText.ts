/**
 * A small YAML emitter for the exported manifests: plain data only (objects, arrays, strings,
 * numbers, booleans, null). Every string that YAML could read as anything else is written as a
 * JSON string, which is also a valid YAML double-quoted scalar; a multi-line command becomes a
 * `|-` block when that keeps it byte for byte, so the manifests stay readable.
 */

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue | undefined };

/** Words YAML 1.1 or 1.2 reads as booleans or null, in any case. */
const reserved = /^(true|false|yes|no|on|off|y|n|null|~)$/i;
/** Strings safe without quotes: no indicator first, no `: ` or ` #`, nothing numeric-looking. */
const plain = /^[A-Za-z_/$][\w ./$(){}=+@,-]*$/;

/** One value as a YAML document (no `---`), ending with a newline. */
export function toYaml(value: YamlValue): string {
	return `${block(value, '').replace(/^\n/, '')}\n`;
}

/** `key: value` lines; a nested collection starts on the next line, indented two spaces. */
function block(value: YamlValue, indent: string): string {
	if (Array.isArray(value)) {
		if (value.length === 0) {
			return ' []';
		}
		return value.map((item) => `\n${indent}-${isCollection(item) ? block(item, `${indent}  `).replace(/^\n\s*/, ' ') : ` ${scalar(item, `${indent}  `)}`}`).join('');
	}
	if (value !== null && typeof value === 'object') {
		const entries = Object.entries(value).filter((entry): entry is [string, YamlValue] => entry[1] !== undefined);
		if (entries.length === 0) {
			return ' {}';
		}
		return entries.map(([key, item]) => `\n${indent}${keyText(key)}:${isCollection(item) ? block(item, `${indent}  `) : ` ${scalar(item, `${indent}  `)}`}`).join('');
	}
	return ` ${scalar(value, indent)}`;
}

function isCollection(value: YamlValue): value is YamlValue[] | { [key: string]: YamlValue } {
	return value !== null && typeof value === 'object' && (Array.isArray(value) ? value.length > 0 : Object.values(value).some((v) => v !== undefined));
}

function keyText(key: string): string {
	return /^[A-Za-z_][\w.-]*$/.test(key) ? key : JSON.stringify(key);
}

/** A scalar; `indent` is where the lines of a block scalar go. */
function scalar(value: Exclude<YamlValue, YamlValue[] | object> | YamlValue, indent: string): string {
	if (value === null) {
		return 'null';
	}
	if (typeof value === 'number' || typeof value === 'boolean') {
		return String(value);
	}
	if (typeof value !== 'string') {
		// Collections are handled by `block`; an empty one arrives here.
		return Array.isArray(value) ? '[]' : '{}';
	}
	if (value.includes('\n') && fitsBlock(value)) {
		return `|-${value.split('\n').map((line) => (line === '' ? '\n' : `\n${indent}${line}`)).join('')}`;
	}
	if (plain.test(value) && !reserved.test(value) && !value.endsWith(' ') && !/^[\d.+-]/.test(value)) {
		return value;
	}
	return JSON.stringify(value);
}

/** A `|-` block keeps the text exactly when no line has trailing blanks or a stray control character. */
function fitsBlock(text: string): boolean {
	return !/^[ \n]/.test(text) && !text.endsWith('\n') && !/[ \t]\n|[ \t]$/.test(text) && !/[\r\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(text);
}
