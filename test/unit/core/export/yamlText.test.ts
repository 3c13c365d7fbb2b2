import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { dnsLabel, githubJobId, systemdEscape } from '../../../../src/core/export/targetNames';
import { toYaml } from '../../../../src/core/export/yamlText';

test('every string reads back exactly, quoted only where YAML would read it otherwise', () => {
	const strings = ['plain', 'on', 'No', 'null', '~', '1.5', '-x', '- x', 'a: b', 'a #b', '#c', '*/15 * * * *', '@daily', 'tab\tin', ' lead', 'trail ', 'two\nlines', 'end\n', 'a\n\nb', ' x\ny', 'cr\r\nlf', '{{x}}', '[a]', "it's", '"q"', '\\', '\u2028', '', 'ünï'];
	const value = { strings, nested: [{ a: 1, b: [true, null, []], c: {} }], 'key with space': 'v', 'app.kubernetes.io/x': 'y' };
	assert.deepEqual(parse(toYaml(value)), value);
	assert.match(toYaml({ run: 'one\ntwo' }), /^run: \|-\n {2}one\n {2}two\n$/);
	assert.equal(toYaml({ a: 'on' }), 'a: "on"\n');
});

test('names are valid for each target and differ when ids differ only in case', () => {
	for (const id of ['Build', 'build', 'a.b', '-x-', '9lives', 'x'.repeat(80)]) {
		assert.match(dnsLabel(id, 52), /^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/);
		assert.match(githubJobId(id), /^[A-Za-z_][A-Za-z0-9_-]*$/);
	}
	assert.notEqual(dnsLabel('Build'), dnsLabel('build'));
	assert.equal(dnsLabel('nightly'), 'nightly');
	assert.equal(systemdEscape('weekday-morning'), 'weekday\\x2dmorning');
	assert.equal(systemdEscape('.hidden.x'), '\\x2ehidden.x');
});
