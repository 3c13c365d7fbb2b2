/**
 * A `.pl` file imported as its text: esbuild bundles it with its `text` loader (esbuild.mjs,
 * bench/lib/build.ts), and sources run through tsx get the same from
 * test/harness/textImports.mjs.
 */
declare module '*.pl' {
	const text: string;
	export default text;
}
