/*
 * jobHost.c: runs one job's shell inside a Windows Job Object that dies with this process.
 *
 * Node cannot reach a job's grandchildren on Windows: child.kill() ends the direct child only,
 * and libuv's own kill-on-close job lets the children of its children break away silently
 * (JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK). This program owns a job with
 * JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE and no breakaway: the shell is created suspended, put into
 * the job before it runs a single instruction, then resumed, so everything it starts is in the
 * job too. Only this process holds the job's handle, so whenever it ends (it exits, the runner
 * kills it, or libuv's job takes it because the Node host died) Windows kills the whole tree.
 *
 * Command line (the runner spawns it with windowsVerbatimArguments):
 *   <name without spaces> <the shell's command line, passed to CreateProcessW unchanged>
 * The shell's command line starts with the shell's absolute path (quoted when it has spaces),
 * which is also given to CreateProcessW as the program (lpApplicationName): with none, Windows
 * would search for the first word in this program's folder and the current folder before PATH.
 * A first word that is not an absolute path is refused (ERROR_BAD_PATHNAME, step "program").
 * The shell inherits this program's environment, working folder, stdout and stderr; its stdin
 * is NUL (this program's stdin is the runner's control pipe and is not inherited).
 *
 * Protocol (src/core/process/windows/windowsStart.ts reads it):
 *   stdout  before any output of the job, one header line: "\x01wjh <shell pid>\n" once the
 *           shell is in the job (it is resumed right after), or "\x01wjh !<win32 error>
 *           <step>\n" when it could not be started; then the exit code is START_FAILED.
 *   stdin   any byte, or its end (the runner is gone): terminate the job now. The shell's exit
 *           code (TERMINATED) is still relayed.
 *   exit    the shell's exit code, once nothing of the job runs any more (bounded).
 *
 * The job's private console (the runner spawns this hidden, so Windows gives it one without a
 * window) is switched to UTF-8 (code page 65001), the encoding the runner decodes: cmd's own
 * output and programs that write in the console's code page then arrive as UTF-8.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

/* Exit code when the shell could not be started (the header line says why). */
#define START_FAILED 0xC0DE0001u
/* Exit code of every process of a job the runner ends, as `taskkill /F` gives. */
#define TERMINATED 1u
/* How long to wait for the job's processes to be gone after TerminateJobObject. */
#define EMPTY_WAIT_MS 5000
#define HEADER_MAX 64

static HANDLE job;

static void write_all(HANDLE out, const char *text, DWORD length)
{
	DWORD written;
	while (length > 0 && WriteFile(out, text, length, &written, NULL) && written > 0) {
		text += written;
		length -= written;
	}
}

static DWORD decimal(char *to, DWORD value)
{
	char digits[12];
	DWORD n = 0, i;
	do {
		digits[n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value > 0);
	for (i = 0; i < n; i++) {
		to[i] = digits[n - 1 - i];
	}
	return n;
}

/* Writes the header line: "\x01wjh <value>\n", or "\x01wjh !<error> <step>\n". */
static void header(HANDLE out, const char *failedStep, DWORD value)
{
	char line[HEADER_MAX];
	DWORD n = 0;
	const char *prefix = "\001wjh ";
	while (*prefix) {
		line[n++] = *prefix++;
	}
	if (failedStep) {
		line[n++] = '!';
	}
	n += decimal(line + n, value);
	if (failedStep) {
		line[n++] = ' ';
		while (*failedStep && n < HEADER_MAX - 1) {
			line[n++] = *failedStep++;
		}
	}
	line[n++] = '\n';
	write_all(out, line, n);
}

/* The runner's control pipe: a byte or its end terminates the job. */
static DWORD WINAPI watch_control(LPVOID input)
{
	char byte;
	DWORD got;
	ReadFile((HANDLE)input, &byte, 1, &got, NULL);
	TerminateJobObject(job, TERMINATED);
	return 0;
}

/* The command line after this program's own name (a first token without spaces or quotes). */
static wchar_t *child_command_line(void)
{
	wchar_t *line = GetCommandLineW();
	while (*line && *line != L' ' && *line != L'\t') {
		line++;
	}
	if (*line) {
		line++;
	}
	return line;
}

/*
 * The program: the command line's first word (CreateProcessW's own rule: up to the closing quote
 * when it starts with one, else up to a space or tab) into `to`; FALSE unless it is an absolute
 * path (a drive and a backslash, or \\server\share).
 */
static BOOL program_path(const wchar_t *line, wchar_t *to, DWORD size)
{
	wchar_t end = L' ';
	DWORD n = 0;
	if (*line == L'"') {
		end = L'"';
		line++;
	}
	while (*line && *line != end && !(end == L' ' && *line == L'\t') && n < size - 1) {
		to[n++] = *line++;
	}
	to[n] = 0;
	if (*line && *line != end && *line != L'\t') {
		return FALSE;
	}
	return (n >= 3 && ((to[0] >= L'A' && to[0] <= L'Z') || (to[0] >= L'a' && to[0] <= L'z')) && to[1] == L':' && (to[2] == L'\\' || to[2] == L'/'))
		|| (n >= 3 && (to[0] == L'\\' || to[0] == L'/') && (to[1] == L'\\' || to[1] == L'/'));
}

static void wait_job_empty(void)
{
	JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info;
	DWORD waited = 0, delay = 1;
	while (waited < EMPTY_WAIT_MS && QueryInformationJobObject(job, JobObjectBasicAccountingInformation, &info, sizeof info, NULL) && info.ActiveProcesses > 0) {
		Sleep(delay);
		waited += delay;
		delay = delay < 20 ? delay * 2 : 20;
	}
}

/*
 * Switches the console to UTF-8 only when it is ours alone: a console shared with other
 * processes (a terminal the host runs in) keeps its code page, the user's setting.
 */
static void use_utf8_console(void)
{
	DWORD attached[2];
	if (GetConsoleProcessList(attached, 2) == 1) {
		SetConsoleCP(CP_UTF8);
		SetConsoleOutputCP(CP_UTF8);
	}
}

static UINT fail(HANDLE out, const char *step)
{
	header(out, step, GetLastError());
	return START_FAILED;
}

static UINT run(void)
{
	HANDLE input = GetStdHandle(STD_INPUT_HANDLE);
	HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
	HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
	SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
	JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits;
	STARTUPINFOW startup;
	PROCESS_INFORMATION child;
	HANDLE nul, control;
	DWORD code = START_FAILED;
	static wchar_t program[32768];
	wchar_t *line = child_command_line();

	job = CreateJobObjectW(NULL, NULL);
	if (!job) {
		return fail(out, "CreateJobObject");
	}
	ZeroMemory(&limits, sizeof limits);
	limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
	if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits)) {
		return fail(out, "SetInformationJobObject");
	}
	/* The control pipe stays ours; the job's own stdio is inherited. */
	SetHandleInformation(input, HANDLE_FLAG_INHERIT, 0);
	SetHandleInformation(out, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
	SetHandleInformation(err, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
	nul = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_EXISTING, 0, NULL);
	use_utf8_console();

	ZeroMemory(&startup, sizeof startup);
	startup.cb = sizeof startup;
	startup.dwFlags = STARTF_USESTDHANDLES;
	startup.hStdInput = nul;
	startup.hStdOutput = out;
	startup.hStdError = err;
	if (!program_path(line, program, sizeof program / sizeof program[0])) {
		SetLastError(ERROR_BAD_PATHNAME);
		return fail(out, "program");
	}
	if (!CreateProcessW(program, line, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &startup, &child)) {
		return fail(out, "CreateProcess");
	}
	if (!AssignProcessToJobObject(job, child.hProcess)) {
		UINT failed = fail(out, "AssignProcessToJobObject");
		TerminateProcess(child.hProcess, START_FAILED);
		return failed;
	}
	header(out, NULL, child.dwProcessId);
	/* Without this thread only the runner's kill of this process can end the job early. */
	control = CreateThread(NULL, 0, watch_control, input, 0, NULL);
	if (control) {
		CloseHandle(control);
	}
	ResumeThread(child.hThread);
	CloseHandle(child.hThread);
	if (nul != INVALID_HANDLE_VALUE) {
		CloseHandle(nul);
	}
	WaitForSingleObject(child.hProcess, INFINITE);
	GetExitCodeProcess(child.hProcess, &code);
	/* Whatever the shell left running ends with it, as on POSIX. */
	TerminateJobObject(job, TERMINATED);
	wait_job_empty();
	return code;
}

int main(void)
{
	ExitProcess(run());
	return 0;
}
