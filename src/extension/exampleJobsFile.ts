/**
 * The `.jobs.json` that "Create .jobs.json" writes: JSONC with comments that teach the format.
 * A unit test parses it, so it never drifts from what the engine accepts.
 */
export const exampleJobsFile = `{
	// Workspace Jobs: the shell jobs of this folder and when they run.
	// Comments and trailing commas are allowed; hover a field to see what it does.

	// At most this many jobs run at once; the others wait in a queue (highest "priority" first).
	"concurrency": 2,

	"jobs": [
		{
			// Each job needs a unique "id" and a "command", run in this folder with /bin/sh -c
			// (cmd.exe on Windows); "shell": "bash" or "pwsh" picks another, and "windows",
			// "osx" or "linux": { "command": ... } changes the command on one platform.
			// Without a "schedule" it runs only when you start it: "Run Now" in the Jobs view.
			"id": "hello",
			"name": "Say hello",
			"command": "echo \\"Hello from Workspace Jobs\\""
		},
		{
			// Runs every 30 minutes while VS Code is open; a run taking longer than 5 minutes
			// is killed (with every process it started), and a failed run is retried twice.
			"id": "status",
			"name": "Git status",
			"command": "git status --short",
			"schedule": { "every": "30m" },
			"timeout": "5m",
			"retry": { "retries": 2, "backoff": "exponential", "delay": "10s" }
		},
		{
			// Cron: 09:00 on weekdays. Add "timezone": "Europe/Berlin" to pin a time zone.
			// "enabled": false keeps it defined but never scheduled (enable it in the Jobs view).
			"id": "morning",
			"name": "Morning report",
			"command": "echo \\"Good morning\\"",
			"schedule": { "cron": "0 9 * * 1-5" },
			"enabled": false
		},
		{
			// Runs "hello" first; if that fails, this job is skipped.
			"id": "after-hello",
			"command": "echo done",
			"dependsOn": ["hello"]
		}
	]
}
`;
