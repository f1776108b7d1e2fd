/* lines: reading nk-http's files of lines (see lines.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "tool.h"
#include "lines.h"

int
lines_each(FILE *f, lines_fn *fn, void *ctx)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int r = 0;
	while (!r && (n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		r = fn(ctx, line, (size_t)n, ++lineno);
	}
	free(line);
	return r;
}

int
lines_read(const char *path, const char *what, lines_fn *fn, void *ctx)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f)
		return tool_failf(NK_ERR_READ_ERROR, "cannot read %s from %s: %s",
		                  what, path, strerror(errno));
	int r = lines_each(f, fn, ctx);
	if (f != stdin)
		fclose(f);
	return r;
}
