/* multipart internals, never installed: what multipart_arg.c (the -F
 * syntax) uses of multipart.c (the encoder), and the encoder's seam for
 * the unit tests, the source of random boundaries, so a test can make the
 * first one collide and see it drawn again. */
#ifndef NK_MULTIPART_INT_H
#define NK_MULTIPART_INT_H

#include <stddef.h>
#include "nk/multipart.h"

/* Fills buf with n random bytes; 0 on success. */
typedef int (*nk_multipart_rng_fn)(unsigned char *buf, size_t n);

/* The generator nk_multipart_new uses; NULL restores getrandom(). */
void nk_multipart_set_rng(nk_multipart_rng_fn fn);

/* 1 when p's type or headers would break its head: an empty header line,
 * or a CR or LF in the type or a header. nk_multipart_new refuses such a
 * part; the -F reader refuses the argument. */
int nk_multipart_breaks_lines(const nk_multipart_part *p);

/* Says "form field: out of memory" in errmsg; NK_ERR_OUT_OF_MEMORY. */
nk_err nk_multipart_oom(char *errmsg);

#endif
