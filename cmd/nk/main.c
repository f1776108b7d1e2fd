/* nk: the front command. `nk TOOL ARGS...` runs nk-TOOL (git style): next
 * to this executable first, then in the libexec directory, then on PATH. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "nk/defs.h"

/* The Makefile names the versions of the libraries the tools were built
 * with; these are for builds of this file alone (make lint). */
#ifndef NK_BUILT_OPENSSL
#define NK_BUILT_OPENSSL "(unknown)"
#endif
#ifndef NK_BUILT_ZLIB
#define NK_BUILT_ZLIB "(unknown)"
#endif

/* The order `nk help` lists them in; each tool describes itself. */
static const char *const tools[] = {
	"http", "https", "tls", "telnet", "echo", "url", "resolve",
};

static int
valid_name(const char *name)
{
	if (!*name || strlen(name) > 32)
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-'))
			return 0;
	return name[0] != '-';
}

/* dir/nk-NAME into buf, if it fits and is executable. */
static int
try_dir(char *buf, size_t len, const char *dir, size_t dirlen, const char *name)
{
	int n = snprintf(buf, len, "%.*s/nk-%s", (int)dirlen, dir, name);
	return n > 0 && (size_t)n < len && access(buf, X_OK) == 0;
}

/* Writes the path of nk-NAME into buf, or returns 0 if none is found. */
static int
find_tool(const char *name, char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash && try_dir(buf, len, self, (size_t)(slash - self), name))
			return 1;
	}
	if (try_dir(buf, len, NK_LIBEXECDIR, strlen(NK_LIBEXECDIR), name))
		return 1;
	const char *path = getenv("PATH");
	while (path && *path) {
		const char *colon = strchr(path, ':');
		size_t l = colon ? (size_t)(colon - path) : strlen(path);
		if (try_dir(buf, len, l ? path : ".", l ? l : 1, name))
			return 1;
		path = colon ? colon + 1 : NULL;
	}
	return 0;
}

/* Runs `nk-NAME --nk-options` and returns its summary line, or NULL. */
static char *
summary(const char *path, char *buf, size_t len)
{
	int fds[2];
	if (pipe(fds) != 0)
		return NULL;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl(path, path, "--nk-options", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	FILE *f = fdopen(fds[0], "r");
	char *res = NULL;
	if (f && fgets(buf, (int)len, f) && strncmp(buf, "tool\t", 5) == 0) {
		char *tab = strchr(buf + 5, '\t');
		if (tab) {
			res = tab + 1;
			res[strcspn(res, "\n")] = '\0';
		}
	}
	if (f)
		fclose(f);
	else
		close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return res;
}

static void
usage(FILE *out)
{
	fprintf(out, "Usage: nk TOOL [ARGS...]\n"
	             "       nk help TOOL | nk --version\n\nTools:\n");
	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++) {
		char path[PATH_MAX], line[512];
		const char *s = NULL;
		if (find_tool(tools[i], path, sizeof path))
			s = summary(path, line, sizeof line);
		fprintf(out, "  %-9s %s\n", tools[i], s ? s : "(not installed)");
	}
	fprintf(out, "\n'nk TOOL --help' lists a tool's options; "
	             "'man nk-TOOL' tells more.\n");
}

static int
run(const char *name, int argc, char **argv)
{
	char path[PATH_MAX], argv0[64];
	if (!valid_name(name) || !find_tool(name, path, sizeof path)) {
		fprintf(stderr, "nk: '%s' is not an nk tool; 'nk help' lists them\n",
		        name);
		return 2;
	}
	snprintf(argv0, sizeof argv0, "nk-%s", name);
	argv[0] = argv0;
	(void)argc;
	execv(path, argv);
	fprintf(stderr, "nk: cannot run %s: %s\n", path, strerror(errno));
	return 126;
}

int
main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "help") == 0 ||
	    strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		if (argc >= 3 && strcmp(argv[1], "help") == 0) {
			char *args[] = { argv[2], (char *)"--help", NULL };
			return run(argv[2], 2, args);
		}
		usage(stdout);
		return fflush(stdout) == 0 ? 0 : 23;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("nk %s\nbuilt with OpenSSL %s, zlib %s\n", NK_VERSION,
		       NK_BUILT_OPENSSL, NK_BUILT_ZLIB);
		printf("'nk TOOL --version' shows the libraries a tool runs with\n");
		return fflush(stdout) == 0 ? 0 : 23;
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "nk: unknown option %s; 'nk help' lists the tools\n",
		        argv[1]);
		return 2;
	}
	return run(argv[1], argc - 1, argv + 1);
}
