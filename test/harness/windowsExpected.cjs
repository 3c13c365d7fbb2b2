// Preloaded (`node.exe --require`) into the unit test processes of the Windows stage
// (runWindowsTests.mjs): the tests named in WORKSPACE_JOBS_WINDOWS_EXPECTED (JSON: name →
// { skip | todo: reason }) get that option, so node:test reports them as SKIP or TODO with the
// reason instead of failing the stage. `skip` is for what Wine cannot show (the test would not
// mean anything here); `todo` is for what Windows does not do yet (the test still runs and its
// failure is printed). The list itself, with the reason of each entry, is in runWindowsTests.mjs.
'use strict';
const nodeTest = require('node:test');

const expected = JSON.parse(process.env.WORKSPACE_JOBS_WINDOWS_EXPECTED || '{}');

function wrap(original) {
	return function (name, options, fn) {
		const mark = typeof name === 'string' ? expected[name] : undefined;
		if (!mark) {
			return original.apply(this, arguments);
		}
		if (typeof options === 'function') {
			fn = options;
			options = {};
		}
		return original.call(this, name, { ...options, ...mark }, fn);
	};
}

for (const key of ['test', 'it']) {
	const original = nodeTest[key];
	const wrapped = wrap(original);
	Object.assign(wrapped, original);
	nodeTest[key] = wrapped;
}
