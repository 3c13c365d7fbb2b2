/**
 * What a job id may be. The id names the job everywhere (dependsOn, the CLI, the history) and
 * is one folder of the state folder (`logs/<id>/`), so it must be a safe single path segment on
 * every platform the file may be checked out on, not only on the one that reads it now.
 */

/** Long enough for any real id; with the log file name after it a path segment stays far below 255 bytes. */
export const maxIdLength = 128;

/** The characters an id may use; the other rules (`idProblem`) come on top. */
export const idCharacters = /^[A-Za-z0-9._-]+$/;

/**
 * Names Windows refuses as a file or folder name whatever follows the first dot (`nul`,
 * `con.backup`, `COM1.x`), in any case. COM0 and LPT0 are on Microsoft's list too.
 */
const windowsDeviceName = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/**
 * The whole rule as one JSON Schema (ECMA-262) pattern, for `schemas/jobs.schema.json`: JSON
 * Schema has no flags, so the device names spell out both cases. `jobIdRules.test.ts` checks that
 * it agrees with `idProblem`.
 */
export const idSchemaPattern =
	'^(?![Cc][Oo][Nn](\\.|$)|[Pp][Rr][Nn](\\.|$)|[Aa][Uu][Xx](\\.|$)|[Nn][Uu][Ll](\\.|$)|[Cc][Oo][Mm][0-9](\\.|$)|[Ll][Pp][Tt][0-9](\\.|$))[A-Za-z0-9._-]{0,127}[A-Za-z0-9_-]$';

/**
 * Why `id` cannot be a job id, phrased to follow the field path, or undefined when it can.
 * `.` and `..` would put the job's logs into or above `logs/`; Windows drops a trailing dot (so
 * `a.` and `a` would share a folder) and refuses device names; a leading dot is allowed.
 */
export function idProblem(id: string): string | undefined {
	if (id === '') {
		return 'must not be empty';
	}
	if (id.length > maxIdLength) {
		return `is ${id.length} characters long; the limit is ${maxIdLength}`;
	}
	const shown = JSON.stringify(id);
	if (!idCharacters.test(id)) {
		return `${shown} may only contain letters, digits, ".", "_" and "-"`;
	}
	if (id === '.' || id === '..') {
		return `${shown} is not allowed: it names a folder, not a job, and the job's run logs would land outside logs/`;
	}
	if (id.endsWith('.')) {
		return `${shown} must not end with "."; Windows drops a trailing dot from file names`;
	}
	const device = windowsDeviceName.exec(id);
	if (device) {
		return `${shown} is not allowed: "${device[1]}" is a device name on Windows, which refuses it as a file name`;
	}
	return undefined;
}

/**
 * The form two ids collide in on a case-insensitive file system (macOS and Windows by default):
 * ids are ASCII, so lower case is enough.
 */
export function idFoldedCase(id: string): string {
	return id.toLowerCase();
}
