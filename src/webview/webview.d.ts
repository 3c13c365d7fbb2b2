/** The API VS Code injects into a webview (called once per page load). */
interface VsCodeApi<State> {
	postMessage(message: unknown): void;
	getState(): State | undefined;
	setState(state: State): void;
}

declare function acquireVsCodeApi<State = unknown>(): VsCodeApi<State>;

/** esbuild bundles imported CSS into dist/webview/metrics.css. */
declare module '*.css';
