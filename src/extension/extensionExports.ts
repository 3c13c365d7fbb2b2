/**
 * What `activate()` returns, free of VS Code so it is unit-tested. Whatever is on it is public:
 * `vscode.extensions.getExtension(id).exports` hands the same object to every extension in the
 * host. So the test hook (testHook.ts, which can switch approval off and reach each engine's
 * `run`) is added only when the extension runs under test (`ExtensionMode.Test`: an extension
 * under development launched with `extensionTestsPath`, as the host suites are), never in an
 * installed extension, and the object is frozen so that no extension can replace a method that
 * others call.
 */

/** The members of `WorkspaceJobsApi` (api.ts, which checks this list against the interface). */
export const publicApiMembers = ['version', 'submit', 'run', 'cancel', 'getStatus', 'onDidStartRun', 'onDidFinishRun'] as const;

/** The name of the test hook on the exports under test. */
export const testHookMember = '_test';

/**
 * The frozen exports: the API alone, or with the test hook when `underTest`. `createHook` is
 * called only under test, so nothing of the hook exists otherwise.
 */
export function extensionExports<Api extends object, Hook>(api: Api, underTest: boolean, createHook: () => Hook): Readonly<Api> | Readonly<Api & { _test: Hook }> {
	return Object.freeze(underTest ? { ...api, [testHookMember]: createHook() } : { ...api });
}
