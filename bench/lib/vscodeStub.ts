/**
 * Just enough of the `vscode` module to load dist/extension.js and call `activate()` outside
 * VS Code: a few real shapes (Uri, workspace folders, configuration defaults, memento) over a
 * "deep" proxy that answers every other property, call and `new` with another such proxy.
 * Start-up is measured with it; nothing here checks that the extension behaves correctly.
 */
import * as path from 'node:path';

/** Any member, call or construction returns another deep stub; iteration is empty. */
export function deepStub(): unknown {
	const cache = new Map<PropertyKey, unknown>();
	const target = function stub(): void {};
	return new Proxy(target, {
		get(t, key) {
			if (key === 'then') {
				return undefined;
			}
			if (key === Symbol.iterator) {
				return function* empty() {};
			}
			if (key === Symbol.toPrimitive) {
				return () => '';
			}
			if (key === 'prototype') {
				return t.prototype;
			}
			if (!cache.has(key)) {
				cache.set(key, deepStub());
			}
			return cache.get(key);
		},
		set(_t, key, value) {
			cache.set(key, value);
			return true;
		},
		apply: () => deepStub(),
		construct: () => deepStub() as object,
	});
}

export interface StubUri {
	scheme: string;
	fsPath: string;
	path: string;
	toString(): string;
	with(change: { path?: string }): StubUri;
}

function uriFile(fsPath: string): StubUri {
	return {
		scheme: 'file',
		fsPath,
		path: fsPath,
		toString: () => `file://${fsPath}`,
		with: (change) => uriFile(change.path ?? fsPath),
	};
}

/** Overlays `real` on a deep stub: listed members are real, the rest are stubs. */
function partial(real: Record<string, unknown>): unknown {
	const rest = deepStub() as Record<PropertyKey, unknown>;
	return new Proxy(real, {
		get: (t, key) => (key in t ? t[key as string] : rest[key]),
		has: () => true,
	});
}

/** A Memento that starts empty and keeps what is written. */
function memento(): unknown {
	const values = new Map<string, unknown>();
	return {
		get: (key: string, fallback?: unknown) => (values.has(key) ? values.get(key) : fallback),
		update: async (key: string, value: unknown) => void values.set(key, value),
		keys: () => [...values.keys()],
		setKeysForSync: () => undefined,
	};
}

/**
 * The module object to hand out for `require('vscode')`, with the given folders open. A bundle's
 * `import * as vscode` copies the module's own property names once, so every top-level name the
 * extension uses (`names`, e.g. scanned from its sources) must exist up front.
 */
export function createVscodeStub(folders: string[], names: readonly string[]): unknown {
	const configuration = partial({
		get: (_key: string, fallback?: unknown) => fallback,
		has: () => false,
		inspect: () => undefined,
		update: async () => undefined,
	});
	const workspace = partial({
		workspaceFolders: folders.length ? folders.map((dir, index) => ({ uri: uriFile(dir), name: path.basename(dir), index })) : undefined,
		isTrusted: true,
		getConfiguration: () => configuration,
	});
	const Uri = partial({ file: uriFile, joinPath: (base: StubUri, ...parts: string[]) => uriFile(path.join(base.fsPath, ...parts)), parse: (text: string) => uriFile(text.replace(/^file:\/\//, '')) });
	const members: Record<string, unknown> = Object.fromEntries(names.map((name) => [name, deepStub()]));
	return partial({ ...members, workspace, Uri });
}

/** Top-level `vscode.X` names used in TypeScript sources. */
export function vscodeNamesIn(sources: readonly string[]): string[] {
	const names = new Set<string>();
	for (const text of sources) {
		for (const match of text.matchAll(/\bvscode\.([A-Za-z_$][\w$]*)/g)) {
			names.add(match[1]);
		}
	}
	return [...names];
}

/** A minimal `ExtensionContext`. */
export function createContext(extensionPath: string): unknown {
	return partial({
		subscriptions: [],
		extensionPath,
		extensionUri: uriFile(extensionPath),
		globalState: memento(),
		workspaceState: memento(),
		globalStorageUri: uriFile(path.join(extensionPath, '.global-storage')),
		storageUri: uriFile(path.join(extensionPath, '.storage')),
		logUri: uriFile(path.join(extensionPath, '.logs')),
		asAbsolutePath: (p: string) => path.join(extensionPath, p),
	});
}
