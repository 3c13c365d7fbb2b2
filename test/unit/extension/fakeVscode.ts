import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { repoRoot } from '../../support/paths';

/**
 * Just enough of the `vscode` module for `activate()` to run in plain Node with no workspace
 * folder open: real `EventEmitter`, `Disposable` and `ExtensionMode`, a configuration that
 * answers defaults, and for everything else a stand-in that accepts any call, construction or
 * property access. It checks nothing about VS Code; it lets a unit test look at what `activate`
 * returns (extensionExports.test.ts).
 */

type Listener = (event: unknown) => void;

class EventEmitter {
	private readonly listeners = new Set<Listener>();
	readonly event = (listener: Listener, thisArg?: unknown, disposables?: Array<{ dispose(): void }>) => {
		const bound: Listener = (e) => listener.call(thisArg, e);
		this.listeners.add(bound);
		const disposable = { dispose: () => this.listeners.delete(bound) };
		disposables?.push(disposable);
		return disposable;
	};
	fire(event?: unknown): void {
		for (const listener of [...this.listeners]) {
			listener(event);
		}
	}
	dispose(): void {
		this.listeners.clear();
	}
}

class Disposable {
	constructor(private readonly callOnDispose: () => void) {}
	static from(...disposables: Array<{ dispose(): unknown }>): Disposable {
		return new Disposable(() => disposables.forEach((d) => d.dispose()));
	}
	dispose(): void {
		this.callOnDispose();
	}
}

/** A value that is any function, constructor or object the code asks for. */
function anything(): unknown {
	return new Proxy(function stand() {}, {
		get(_target, property) {
			if (property === 'then') {
				return undefined;
			}
			if (property === Symbol.iterator) {
				return function* () {};
			}
			if (property === Symbol.toPrimitive) {
				return () => '';
			}
			if (property === 'dispose') {
				return () => undefined;
			}
			return anything();
		},
		set: () => true,
		apply: () => anything(),
		construct: (_target, _args, newTarget) => Reflect.construct(Object, [], newTarget),
	});
}

/** `values`, and `anything()` for every other property. */
export function partial<T extends object>(values: T): T {
	return new Proxy(values, {
		get: (target, property) => (property in target ? (target as Record<PropertyKey, unknown>)[property] : anything()),
	});
}

export const ExtensionMode = { Production: 1, Development: 2, Test: 3 } as const;

/** In-memory `vscode.Memento`. */
export function memento(): { get(key: string, fallback?: unknown): unknown; update(key: string, value: unknown): Promise<void>; keys(): string[] } {
	const values = new Map<string, unknown>();
	return {
		get: (key, fallback) => (values.has(key) ? values.get(key) : fallback),
		update: async (key, value) => {
			values.set(key, value);
		},
		keys: () => [...values.keys()],
	};
}

/** Every top-level name of the real module (from its typings), so `import * as vscode` sees them all. */
function vscodeNames(): string[] {
	const typings = fs.readFileSync(path.join(repoRoot, 'node_modules/@types/vscode/index.d.ts'), 'utf8');
	return [...typings.matchAll(/^\texport (?:namespace|class|enum|const|let|function) (\w+)/gm)].map((m) => m[1]);
}

function fakeModule(): Record<string, unknown> {
	const known: Record<string, unknown> = {
		EventEmitter,
		Disposable,
		ExtensionMode,
		workspace: partial({
			workspaceFolders: undefined,
			isTrusted: true,
			textDocuments: [],
			getConfiguration: () => partial({ get: (_key: string, fallback?: unknown) => fallback, inspect: () => undefined, has: () => false }),
		}),
		window: partial({ visibleTextEditors: [], activeTextEditor: undefined }),
		version: '1.100.0',
	};
	return Object.fromEntries(vscodeNames().map((name) => [name, name in known ? known[name] : anything()]));
}

/** Makes `require('vscode')` return the fake until `restore` is called. */
export function installFakeVscode(): { restore(): void } {
	const loader = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
	const original = loader._load;
	const fake = fakeModule();
	loader._load = function (request: string, ...rest: unknown[]) {
		return request === 'vscode' ? fake : original.call(this, request, ...rest);
	};
	return {
		restore: () => {
			loader._load = original;
		},
	};
}
