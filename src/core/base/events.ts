import type { IDisposable } from './disposable';

/**
 * A subscribable event with the same call signature as `vscode.Event`, so an adapter can pass an
 * engine event straight into VS Code APIs.
 */
export type Event<T> = (listener: (e: T) => unknown, thisArgs?: unknown, disposables?: IDisposable[]) => IDisposable;

/** Owns an event and fires it. A throwing listener is reported to `onListenerError`, never to the firer. */
export class Emitter<T> implements IDisposable {
	private listeners: Array<(e: T) => unknown> = [];
	private _event?: Event<T>;
	private disposed = false;

	constructor(private readonly onListenerError: (err: unknown) => void = defaultListenerError) {}

	get event(): Event<T> {
		this._event ??= (listener, thisArgs, disposables) => {
			const bound = thisArgs === undefined ? listener : listener.bind(thisArgs);
			if (!this.disposed) {
				this.listeners = [...this.listeners, bound];
			}
			const subscription = {
				dispose: () => {
					this.listeners = this.listeners.filter((l) => l !== bound);
				},
			};
			disposables?.push(subscription);
			return subscription;
		};
		return this._event;
	}

	/** True when someone listens, so callers can skip building an expensive payload. */
	get hasListeners(): boolean {
		return this.listeners.length > 0;
	}

	fire(value: T): void {
		for (const listener of this.listeners) {
			try {
				listener(value);
			} catch (err) {
				this.onListenerError(err);
			}
		}
	}

	dispose(): void {
		this.disposed = true;
		this.listeners = [];
	}
}

function defaultListenerError(err: unknown): void {
	queueMicrotask(() => {
		throw err;
	});
}
