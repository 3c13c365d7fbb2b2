import { randomBytes } from 'node:crypto';

/** What the metrics page refers to: the webview's CSP source and the URIs of its assets. */
export interface MetricsPageAssets {
	/** `webview.cspSource`: the origin the webview serves local resources from. */
	cspSource: string;
	/** `asWebviewUri` of dist/webview/metrics.css, media/metrics.css and dist/webview/metrics.js. */
	bundleCss: string;
	themeCss: string;
	script: string;
}

/** A fresh nonce per render, from the system's random source (not `Math.random`). */
export function newNonce(): string {
	return randomBytes(16).toString('base64');
}

/**
 * The HTML of the metrics webview. The CSP allows nothing by default: styles only from the
 * webview's own origin (no inline style), the one script only with the nonce (no inline or
 * injected script), images from the origin and data: URIs (uPlot's canvas). The page itself has
 * no data in it; everything arrives by postMessage and is written with textContent.
 */
export function metricsPageHtml(assets: MetricsPageAssets, nonce: string): string {
	const csp = [`default-src 'none'`, `style-src ${assets.cspSource}`, `script-src 'nonce-${nonce}'`, `img-src ${assets.cspSource} data:`].join('; ');
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${assets.bundleCss}">
<link rel="stylesheet" href="${assets.themeCss}">
<title>Job Metrics</title>
</head>
<body>
<main id="app" aria-busy="true"><h1>Job Metrics</h1><p role="status">Loading…</p></main>
<script nonce="${nonce}" src="${assets.script}"></script>
</body>
</html>`;
}
