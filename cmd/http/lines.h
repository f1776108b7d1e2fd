/* lines: the files nk-http reads a line at a time (-H @FILE, --url
 * @FILE, config files), each line handed over without its ending. */
#ifndef NK_HTTP_LINES_H
#define NK_HTTP_LINES_H

#include <stddef.h>
#include <stdio.h>

/* Called with each line (NUL-terminated; it may hold a NUL of its own
 * before len), its length and its 1-based number. A nonzero answer stops
 * the reading and is returned. */
typedef int lines_fn(void *ctx, char *line, size_t len, size_t lineno);

/* Each line of f, without its ending (LF, CRLF, or any run of CR and LF
 * at its end), up to the end of f, a read error (for the caller's
 * ferror) or fn's nonzero answer. Returns that answer, or 0. */
int lines_each(FILE *f, lines_fn *fn, void *ctx);

/* The same for the file at path ("-": stdin). One that cannot be opened
 * is reported as "cannot read WHAT from PATH: why" and returns
 * NK_ERR_READ_ERROR (26). */
int lines_read(const char *path, const char *what, lines_fn *fn,
               void *ctx);

#endif
