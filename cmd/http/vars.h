/* vars: curl's --variable and the {{name}} expansion of --expand-OPTION
 * (curl 8.3 on): variables set from text, a file or the environment, and
 * the functions trim, json, url, b64 and 64dec. */
#ifndef NK_HTTP_VARS_H
#define NK_HTTP_VARS_H

#include <stddef.h>

struct var {
	char *name;
	char *val;
	size_t len;           /* a file's content may hold NUL bytes */
};

struct vars {
	struct var *v;
	size_t n;
};

/* --variable ARG: NAME=TEXT, NAME@FILE (- for stdin), %NAME from the
 * environment (an error when unset), %NAME=TEXT or %NAME@FILE with a
 * default. A later one replaces an earlier one of the same name. A bad
 * name or form is warned about and skipped, as curl does. 0, or an
 * exit status after a one-line message: 2 for an unset %NAME, 26 for a
 * file that cannot be read. */
int vars_set(struct vars *vs, const char *arg);

/* Expands {{name}} and {{name:fn:fn...}} in `in`; "\{{" stands for "{{".
 * *out: a malloc'd result, or NULL when nothing was expanded (curl then
 * uses `in` as it is, backslash and all). An unknown variable expands to
 * nothing. 0, or 2 after a one-line message (an unknown function, a NUL
 * byte in the result), or 27 out of memory. */
int vars_expand(const struct vars *vs, const char *in, char **out);

void vars_free(struct vars *vs);

#endif
