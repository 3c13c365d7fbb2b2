/**
 * Job ids as names each target accepts. Ids are `[A-Za-z0-9._-]+`; Kubernetes wants DNS-1123
 * labels (lowercase, `-`, at most 63), GitHub job ids start with a letter or `_`, and systemd unit
 * names are escaped the way `systemd-escape` does. A name that had to change gets a short hash of
 * the id, so `Build` and `build` never meet as one name.
 */
import { createHash } from 'node:crypto';

function shortHash(id: string): string {
	return createHash('sha256').update(id).digest('hex').slice(0, 6);
}

/**
 * A DNS-1123 label of at most `max` characters (CronJob names take 52, as the Jobs they create
 * append 11). The id itself when it already is one.
 */
export function dnsLabel(id: string, max = 63): string {
	if (id.length <= max && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(id)) {
		return id;
	}
	const hash = shortHash(id);
	const base = id
		.toLowerCase()
		.replace(/[^a-z0-9-]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, max - hash.length - 1)
		.replace(/-+$/, '');
	return base ? `${base}-${hash}` : `job-${hash}`;
}

/** A GitHub Actions job id: a letter or `_` first, then letters, digits, `-` and `_`. */
export function githubJobId(id: string): string {
	if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(id)) {
		return id;
	}
	return `${/^[A-Za-z_]/.test(id) ? '' : '_'}${id.replace(/[^A-Za-z0-9_-]/g, '_')}_${shortHash(id)}`;
}

/**
 * `systemd-escape` of a string (not a path): `/` as `-`, anything but ASCII letters, digits, `:`,
 * `_` and a `.` that is not first as `\xNN`. Ids hold only `-` and a leading `.` of those.
 */
export function systemdEscape(text: string): string {
	let out = '';
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c === '/') {
			out += '-';
		} else if (/[A-Za-z0-9:_]/.test(c) || (c === '.' && i > 0)) {
			out += c;
		} else {
			for (const byte of Buffer.from(c, 'utf8')) {
				out += `\\x${byte.toString(16).padStart(2, '0')}`;
			}
		}
	}
	return out;
}

/** The unit name (without `.service` or `.timer`) of a job. */
export function systemdUnitName(id: string): string {
	return `workspace-jobs-${systemdEscape(id)}`;
}
