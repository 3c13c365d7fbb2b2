import { envNamesIgnoreCase, hostPlatform, type TargetPlatform } from './platform';

/**
 * Sets each layer's variables over `base`, later layers winning, as a new object. On Windows a
 * variable replaces the one already there whatever the case of its name: `{ Path: 'x' }` over a
 * host environment with `PATH` gives one `Path`, not a `PATH` and a `Path` (spawn would pass
 * both, and which one a program sees is up to it). Elsewhere names are compared exactly.
 */
export function mergeEnv(
	base: Readonly<Record<string, string | undefined>>,
	layers: ReadonlyArray<Readonly<Record<string, string | undefined>> | undefined>,
	platform: TargetPlatform = hostPlatform(),
): Record<string, string | undefined> {
	const merged: Record<string, string | undefined> = { ...base };
	if (!envNamesIgnoreCase(platform)) {
		for (const layer of layers) {
			Object.assign(merged, layer);
		}
		return merged;
	}
	// Upper-cased name → the names it has in `merged` (a host environment may hold more than one).
	const names = new Map<string, string[]>();
	for (const name of Object.keys(merged)) {
		const folded = name.toUpperCase();
		names.set(folded, [...(names.get(folded) ?? []), name]);
	}
	for (const layer of layers) {
		for (const name of Object.keys(layer ?? {})) {
			const folded = name.toUpperCase();
			for (const existing of names.get(folded) ?? []) {
				delete merged[existing];
			}
			names.set(folded, [name]);
			merged[name] = layer![name];
		}
	}
	return merged;
}
