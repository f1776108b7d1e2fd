/* libnk buf: a growable byte string with a size cap.
 *
 * The one buffer of libnk and its tools. Bytes are always followed by a
 * NUL (once anything was added), so p reads as a C string when the bytes
 * hold no NUL. Errors stick: the first failed append (out of memory, or
 * past max bytes) sets err and every later append does nothing, so a
 * builder checks once, at the end. The buffer owns p; nk_buf_take hands
 * it over. A zeroed nk_buf is empty, with no cap but SIZE_MAX / 2. */
#ifndef NK_BUF_H
#define NK_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include "nk/defs.h"
#include "nk/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nk_buf {
	char *p;        /* NULL until something is added */
	size_t len;     /* bytes held, not counting the NUL */
	size_t cap;     /* bytes allocated */
	size_t max;     /* most bytes it may hold; 0: no cap */
	nk_err err;     /* 0, NK_ERR_OUT_OF_MEMORY, or NK_ERR_FILESIZE_EXCEEDED
	                   (past max) */
} nk_buf;

/* An empty buffer that holds at most max bytes (0: no cap). */
#define NK_BUF_INIT(max) { NULL, 0, 0, (max), (nk_err)0 }

/* Appends n bytes of s (s may be NULL when n is 0). 0 on success, -1 when
 * it failed now or earlier (see err); nothing is added then. */
NK_API int nk_buf_add(nk_buf *b, const void *s, size_t n);
NK_API int nk_buf_addc(nk_buf *b, char c);
NK_API int nk_buf_adds(nk_buf *b, const char *s);
NK_API int nk_buf_printf(nk_buf *b, const char *fmt, ...) NK_PRINTF(2, 3);
NK_API int nk_buf_vprintf(nk_buf *b, const char *fmt, va_list ap)
	NK_PRINTF(2, 0);

/* Makes room for n more bytes in one allocation, so that a builder that
 * knows about how much it will add grows once. 0, or -1 as an append
 * fails (the error sticks). */
NK_API int nk_buf_reserve(nk_buf *b, size_t n);

/* The bytes as a C string: "" for an empty buffer, never NULL. */
NK_API const char *nk_buf_str(const nk_buf *b);

/* Empties b, keeping its memory, its cap and its error. */
NK_API void nk_buf_clear(nk_buf *b);

/* Drops the last n bytes (all of them when n > len). */
NK_API void nk_buf_cut(nk_buf *b, size_t n);

/* Hands the bytes to the caller (free() them), NUL-terminated: "" in
 * fresh memory for an empty buffer. NULL when out of memory or when b
 * holds an error; b is empty afterwards either way, with err cleared. */
NK_API char *nk_buf_take(nk_buf *b);

/* Frees the memory; b is a zeroed buffer with the same cap afterwards. */
NK_API void nk_buf_free(nk_buf *b);

#ifdef __cplusplus
}
#endif

#endif
