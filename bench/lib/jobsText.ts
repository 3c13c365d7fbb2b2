/** Generated `.jobs.json` text for the memory and start-up scenarios: a realistic mix of fields. */
export function jobsFileText(count: number): string {
	const jobs = Array.from({ length: count }, (_, i) => {
		const schedule =
			i % 3 === 0 ? `{ "cron": "${i % 60} ${i % 24} * * *" }` : i % 3 === 1 ? `{ "every": "${5 + (i % 55)}m" }` : `{ "cron": "*/${1 + (i % 30)} * * * *", "timezone": "Europe/Berlin" }`;
		const deps = i % 10 === 9 ? `, "dependsOn": ["job-${i - 1}"]` : '';
		return `\t\t// job ${i}\n\t\t{ "id": "job-${i}", "name": "Job ${i}", "command": "echo job ${i} && sleep 0", "schedule": ${schedule}, "timeout": "10m", "retry": { "retries": 2, "backoff": "exponential", "delay": "5s" }, "env": { "JOB_INDEX": "${i}" }${deps} }`;
	});
	return `{\n\t"concurrency": 4,\n\t"jobs": [\n${jobs.join(',\n')}\n\t]\n}\n`;
}
