/** Anything that holds a resource until it is disposed; the same shape as `vscode.Disposable`. */
export interface IDisposable {
	dispose(): void;
}

/** Wraps a function as a disposable that runs it at most once. */
export function toDisposable(fn: () => void): IDisposable {
	let done = false;
	return {
		dispose() {
			if (!done) {
				done = true;
				fn();
			}
		},
	};
}

/** Disposes every item, collecting errors so one bad item does not stop the others. */
export function disposeAll(items: Iterable<IDisposable>): void {
	const errors: unknown[] = [];
	for (const item of items) {
		try {
			item.dispose();
		} catch (err) {
			errors.push(err);
		}
	}
	if (errors.length === 1) {
		throw errors[0];
	}
	if (errors.length > 1) {
		throw new AggregateError(errors, 'Several disposables failed');
	}
}

/**
 * Base for classes that own resources. `_register` disposes late arrivals at once, and
 * `dispose` runs only once.
 */
export abstract class Disposable implements IDisposable {
	private _isDisposed = false;
	private readonly _disposables = new Set<IDisposable>();

	protected get isDisposed(): boolean {
		return this._isDisposed;
	}

	protected _register<T extends IDisposable>(item: T): T {
		if (this._isDisposed) {
			item.dispose();
		} else {
			this._disposables.add(item);
		}
		return item;
	}

	dispose(): void {
		if (this._isDisposed) {
			return;
		}
		this._isDisposed = true;
		const items = [...this._disposables];
		this._disposables.clear();
		disposeAll(items);
	}
}
