import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { metricsPageHtml, newNonce } from '../../../src/extension/metricsPage';
import { repoRoot } from '../../support/paths';

const assets = { cspSource: 'https://file+.vscode-resource.vscode-cdn.net', bundleCss: 'https://x/dist/webview/metrics.css', themeCss: 'https://x/media/metrics.css', script: 'https://x/dist/webview/metrics.js' };

function csp(html: string): Map<string, string> {
	const content = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
	assert.ok(content, 'the page has a CSP meta tag');
	return new Map(content.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values.join(' ')]));
}

test('the CSP denies by default and allows scripts only with the nonce, styles only from the webview', () => {
	const nonce = newNonce();
	const policy = csp(metricsPageHtml(assets, nonce));
	assert.equal(policy.get('default-src'), `'none'`);
	assert.equal(policy.get('script-src'), `'nonce-${nonce}'`);
	assert.equal(policy.get('style-src'), assets.cspSource);
	assert.equal(policy.get('img-src'), `${assets.cspSource} data:`);
	for (const value of policy.values()) {
		assert.doesNotMatch(value, /unsafe-inline|unsafe-eval|\*/);
	}
});

test('the page has one script, with the nonce and a source, and no inline script, style or handler', () => {
	const nonce = newNonce();
	const html = metricsPageHtml(assets, nonce);
	const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
	assert.equal(scripts.length, 1);
	assert.equal(scripts[0][1], ` nonce="${nonce}" src="${assets.script}"`);
	assert.equal(scripts[0][2], '');
	assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i);
});

test('each render gets a fresh 128-bit nonce', () => {
	const nonces = new Set(Array.from({ length: 50 }, newNonce));
	assert.equal(nonces.size, 50);
	for (const nonce of nonces) {
		assert.equal(Buffer.from(nonce, 'base64').length, 16);
	}
});

test('the webview code writes no markup: text goes through textContent', () => {
	const dir = path.join(repoRoot, 'src/webview');
	for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
		const source = fs.readFileSync(path.join(dir, file), 'utf8');
		assert.doesNotMatch(source, /\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|\beval\(|new Function\(|setAttribute\(\s*'style'/, file);
	}
});
