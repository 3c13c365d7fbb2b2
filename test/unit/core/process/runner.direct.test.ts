/**
 * The runner's whole suite again, on the direct path (Node's `spawn`), which is the fallback
 * when the launcher cannot start. Host processes started by the suite inherit the setting.
 */
process.env.WORKSPACE_JOBS_LAUNCHER = '0';
require('./runner.test');
