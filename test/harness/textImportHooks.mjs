// The module-customization hooks of textImports.mjs (they run on Node's loader thread): an ES
// import of a text file gives a module whose default export is the file's content.
import * as fs from 'node:fs';

let extensions = [];

export function initialize(data) {
	extensions = data.textExtensions;
}

export async function load(url, context, nextLoad) {
	if (url.startsWith('file:') && extensions.some((extension) => new URL(url).pathname.endsWith(extension))) {
		const text = fs.readFileSync(new URL(url), 'utf8');
		return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
	}
	return nextLoad(url, context);
}
