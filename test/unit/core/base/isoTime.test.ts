import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoTime } from '../../../../src/core/base/isoTime';

test('isoTime formats exactly as toISOString, within a second, across seconds and out of order', () => {
	const base = Date.parse('2026-11-24T19:08:15.000Z');
	const instants = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 500, -1, -1000, -999, 86_399_999, 0.7, 1234.9].map((d) => base + d);
	instants.push(0, -1, 951782400000 - 1, 951782400000, 253402300799999, 253402300800000, -62167219200001);
	for (const ms of instants) {
		assert.equal(isoTime(ms), new Date(Math.floor(ms)).toISOString(), String(ms));
	}
});
