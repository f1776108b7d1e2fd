/* strv: nk-http's growable array of strings, for the lists its options
 * build (URLs, -o names, headers, uploads, strings to free at exit).
 * The array borrows its strings: freeing it frees the array alone.
 * Running out of memory ends the program (exit 27): the lists are built
 * while the options are read, before any transfer has started.
 *
 * Defined here, inline, so that a static analyser sees where a string
 * put in one goes (else every strdup added to a list reads as a leak). */
#ifndef NK_HTTP_STRV_H
#define NK_HTTP_STRV_H

#include <stddef.h>
#include <stdlib.h>
#include "tool.h"

struct strv {
	const char **v;
	size_t n, cap;
};

/* Appends s (which may be NULL or any marker pointer). */
static inline void
strv_add(struct strv *a, const char *s)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		const char **v = realloc(a->v, cap * sizeof *v);
		if (!v)
			exit(tool_fail(NK_ERR_OUT_OF_MEMORY, NULL));
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = s;
}

/* Frees the array, not the strings; a is an empty strv afterwards. */
static inline void
strv_free(struct strv *a)
{
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

#endif
