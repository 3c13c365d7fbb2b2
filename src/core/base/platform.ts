/**
 * The platforms a `.jobs.json` can be read for. The reader, the env merge and the path rules take
 * one as a parameter, so a file can be checked on Linux as Windows would read it
 * (`workspace-jobs validate --platform win32`); `hostPlatform()` is the one place the engine asks
 * which platform it runs on for them.
 */

/** `process.platform` names: Windows, macOS and Linux (every other POSIX system reads as Linux). */
export type TargetPlatform = 'win32' | 'darwin' | 'linux';

export const targetPlatforms: readonly TargetPlatform[] = ['win32', 'darwin', 'linux'];

/** The platform this process runs on; FreeBSD and the other POSIX systems count as `linux`, as VS Code's tasks count them. */
export function hostPlatform(): TargetPlatform {
	return process.platform === 'win32' || process.platform === 'darwin' ? process.platform : 'linux';
}

/** Other names people write for the three, for "did you mean". */
const platformAliases: Readonly<Record<string, TargetPlatform>> = {
	windows: 'win32',
	win: 'win32',
	win64: 'win32',
	macos: 'darwin',
	mac: 'darwin',
	osx: 'darwin',
	posix: 'linux',
	unix: 'linux',
};

/** `value` as a platform, or an error message naming the three (and the one meant, for an alias). */
export function parsePlatform(value: string): TargetPlatform | { message: string } {
	if ((targetPlatforms as readonly string[]).includes(value)) {
		return value as TargetPlatform;
	}
	const meant = platformAliases[value.toLowerCase()] ?? targetPlatforms.find((p) => p === value.toLowerCase());
	const hint = meant ? ` (did you mean "${meant}"?)` : '';
	return { message: `must be one of ${targetPlatforms.join(', ')}, got "${value}"${hint}` };
}

/** Windows compares environment variable names without case: `Path` and `PATH` are one variable. */
export function envNamesIgnoreCase(platform: TargetPlatform): boolean {
	return platform === 'win32';
}
