/** What the start-up scenario loads as "the core": the engine facade and the jobs file reader. */
export { Engine } from '../../src/core/engine/engine';
export { parseJobsText } from '../../src/core/definitions/jobsFile';
