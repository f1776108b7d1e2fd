/* multipart.c's seam for the unit tests: the source of random boundaries,
 * so a test can make the first one collide and see it drawn again. */
#ifndef NK_MULTIPART_INT_H
#define NK_MULTIPART_INT_H

#include <stddef.h>

/* Fills buf with n random bytes; 0 on success. */
typedef int (*nk_multipart_rng_fn)(unsigned char *buf, size_t n);

/* The generator nk_multipart_new uses; NULL restores getrandom(). */
void nk_multipart_set_rng(nk_multipart_rng_fn fn);

#endif
