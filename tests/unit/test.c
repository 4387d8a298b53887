/* The runner: forks one process per test and prints PASS/FAIL lines and a summary. */
#define _POSIX_C_SOURCE 200809L
#include "test.h"
#include "policy_build.h"
#include "../sim/sim.h"
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#define TEST_TIMEOUT_S 20

static struct test *head, **tail = &head;
static int result_fd = -1;

void test_register(struct test *t)
{
	*tail = t;
	tail = &t->next;
}

/* In the child: report the failure through the pipe and end the test. */
_Noreturn void test_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	int n = snprintf(msg, sizeof(msg), "%s:%d: ", file, line);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(msg))
		vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (result_fd >= 0 && write(result_fd, msg, strlen(msg)) < 0)
		_exit(3);
	_exit(1);
}

static bool selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return true;
	return false;
}

static bool run_one(const struct test *t, char *msg, size_t msgsize)
{
	int fds[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe(fds)) {
		snprintf(msg, msgsize, "pipe: %s", strerror(errno));
		return false;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(msg, msgsize, "fork: %s", strerror(errno));
		return false;
	}
	if (!pid) {
		close(fds[0]);
		result_fd = fds[1];
		alarm(TEST_TIMEOUT_S);
		sim_reset();
		pb_load_allow_all();
		t->fn();
#ifdef __SANITIZE_ADDRESS__
		if (__lsan_do_recoverable_leak_check())
			test_fail(__FILE__, __LINE__, "memory leaked (LeakSanitizer report above)");
#endif
		fflush(stdout);
		fflush(stderr);
		_exit(0);
	}
	close(fds[1]);
	while ((size_t)got < msgsize - 1 &&
	       (n = read(fds[0], msg + got, msgsize - 1 - (size_t)got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += n;
	}
	msg[got] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(msg, msgsize, "waitpid: %s", strerror(errno));
			return false;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (!got) {
		if (WIFSIGNALED(status))
			snprintf(msg, msgsize, "crashed with signal %d%s", WTERMSIG(status),
				 WTERMSIG(status) == SIGALRM ? " (timeout)" : " (see the report above)");
		else
			snprintf(msg, msgsize, "exited with status %d (see the report above)",
				 WEXITSTATUS(status));
	}
	return false;
}

int main(int argc, char **argv)
{
	unsigned passed = 0, failed = 0;
	char msg[1024];

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (const struct test *t = head; t; t = t->next) {
		if (!selected(t->name, argc, argv))
			continue;
		if (run_one(t, msg, sizeof(msg))) {
			printf("PASS %s\n", t->name);
			passed++;
		} else {
			printf("FAIL %s: %s\n", t->name, msg);
			failed++;
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed || !passed ? 1 : 0;
}
