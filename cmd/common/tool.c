/* tool: shared behaviour of every nk-<tool> binary. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "text.h"
#include "tool.h"

const char *tool_name = "nk";
void (*tool_version_hook)(void);
int tool_code_in_msgs;

void
tool_init(int argc, char **argv)
{
	(void)argc;
	if (argv[0]) {
		const char *slash = strrchr(argv[0], '/');
		tool_name = slash ? slash + 1 : argv[0];
	}
	signal(SIGPIPE, SIG_IGN);
}

void
tool_msg(const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fflush(stdout);
	/* One line whole, whatever other threads print (nk http -Z). */
	flockfile(stderr);
	fprintf(stderr, "%s: ", tool_name);
	/* Messages quote arguments and servers: nothing in them may act on
	 * the terminal. */
	text_safe(stderr, line);
	fputc('\n', stderr);
	funlockfile(stderr);
}

int
tool_fail(nk_err e, const char *errmsg)
{
	const char *m = errmsg && *errmsg ? errmsg : nk_err_str(e);
	if (tool_code_in_msgs)
		tool_msg("(%d) %s", (int)e, m);
	else
		tool_msg("%s", m);
	return (int)e;
}

int
tool_failf(nk_err e, const char *fmt, ...)
{
	char m[NK_ERR_MSG_LEN * 2];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	return tool_fail(e, m);
}

int
tool_parse_long(const char *s, long min, long max, const char *what, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		tool_msg("%s takes a whole number from %ld to %ld, not '%s'",
		         what, min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

int
tool_parse_secs(const char *s, const char *what, int64_t *ms)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 1e9) {
		tool_msg("%s takes a number of seconds, not '%s'", what, s);
		return -1;
	}
	*ms = (int64_t)(v * 1000.0 + 0.5);
	if (*ms == 0 && v > 0)
		*ms = 1;
	return 0;
}

int
tool_mkstemp(char *tmpl)
{
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return -1;
	mode_t um = umask(0);
	umask(um);
	if (fchmod(fd, 0666 & ~um) != 0) {
		int err = errno;
		close(fd);
		unlink(tmpl);
		errno = err;
		return -1;
	}
	return fd;
}

void
tool_version(void)
{
	printf("%s %s (libnk %s)\n", tool_name, NK_VERSION, nk_version());
	if (tool_version_hook)
		tool_version_hook();
}

int
tool_flush_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE)
			return NK_ERR_WRITE_ERROR;
		tool_msg("writing output: %s", strerror(errno));
		return NK_ERR_WRITE_ERROR;
	}
	return 0;
}

int
tool_write_all(int fd, const void *p, size_t n)
{
	const char *q = p;
	while (n > 0) {
		ssize_t w = write(fd, q, n);
		if (w > 0) {
			q += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else {
			if (w == 0)
				errno = 0;
			return -1;
		}
	}
	return 0;
}
