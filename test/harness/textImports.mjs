// Gives sources run through tsx the text imports that esbuild's `text` loader gives the bundles
// (esbuild.mjs: `loader: { '.pl': 'text' }`): `import source from './launcher.pl'` is the file's
// content as a string. Load it beside tsx:
//   node --import tsx --import ./test/harness/textImports.mjs file.ts
// tsx runs this repository's .ts files as CommonJS, whose `require` asks the extension table
// (Node 20 has no hook for it other than that table); an ES module (a .mts test host) that
// imports such a file directly goes through the load hook in textImportHooks.mjs.
import * as fs from 'node:fs';
import Module, { register } from 'node:module';

export const textExtensions = ['.pl'];

for (const extension of textExtensions) {
	Module._extensions[extension] = (module, filename) => {
		module.exports = fs.readFileSync(filename, 'utf8');
	};
}
register('./textImportHooks.mjs', import.meta.url, { data: { textExtensions } });
