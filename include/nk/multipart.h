/* libnk multipart: multipart/form-data request bodies as curl 7.88 sends
 * them for -F/--form and --form-string, in two pure steps.
 *
 * 1. nk_multipart_parse_arg reads one -F (or --form-string) argument in
 *    curl's syntax into an nk_multipart_part: a value, a file to upload
 *    (name=@file) or a file whose contents are the value (name=<file),
 *    with ;type=, ;filename= and ;headers= (inline or @file).
 * 2. nk_multipart_new encodes an array of parts with a boundary into a
 *    body that the caller takes as a sequence of pieces: bytes the encoder
 *    made (boundaries, part heads, values) and "stream the file of part i"
 *    instructions, so that files go from disk to the socket (read(),
 *    sendfile(), splice()) without the encoder doing any I/O and without a
 *    file ever being held in memory. nk_multipart_read is the same body
 *    pulled into a buffer, with files read through a callback.
 *
 * The encoder is resumable at any byte: a send loop peeks the current
 * piece, sends what it can, and advances by what was sent; nothing is
 * lost or repeated however the body is cut. nk_multipart_rewind starts
 * the body again (a redirect or retry re-sends it).
 *
 * Nothing here opens, stats or reads a file, except through the callbacks
 * the caller passes. An nk_multipart is not shared between threads.
 *
 * Errors: NK_ERR_FAILED_INIT for a malformed argument (curl exits 2), with
 * errmsg "form field: REASON"; NK_ERR_BAD_FUNCTION_ARGUMENT for parts the
 * encoder cannot send or a given boundary that is not usable;
 * NK_ERR_READ_ERROR when a file ends before the size the caller
 * announced; NK_ERR_OUT_OF_MEMORY. A line break in a type or a header,
 * or an empty header line, is refused by both (curl sends them as they
 * are, and they end the part's head early). */
#ifndef NK_MULTIPART_H
#define NK_MULTIPART_H

#include "nk/defs.h"
#include "nk/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nk_multipart_kind {
	NK_MULTIPART_VALUE,        /* name=value: value/value_len */
	NK_MULTIPART_FILE,         /* name=@file: an upload, with a filename */
	NK_MULTIPART_FILE_CONTENT, /* name=<file: the file's bytes as the value */
} nk_multipart_kind;

/* One part. Every pointer is owned by the part (malloc'd, NUL-terminated)
 * and freed by nk_multipart_part_clear; a caller that fills a part by hand
 * gives it memory the same way. */
typedef struct nk_multipart_part {
	nk_multipart_kind kind;
	char *name;        /* NULL: no name ("=value": curl sends none) */
	char *value;       /* VALUE: the bytes (may hold NUL); else NULL */
	size_t value_len;
	char *path;        /* the FILE kinds: the path as given; "-" is
	                    * standard input. "" when the argument named none */
	char *filename;    /* NULL: none. FILE: ;filename= or the path's last
	                    * component; VALUE: ;filename= only */
	char *type;        /* ;type=, as written; NULL: the encoder picks one
	                    * as curl does (a Content-Type: header, else the
	                    * file name's extension) */
	char **headers;    /* extra header lines, without CRLF, in order */
	size_t num_headers;
	/* The FILE kinds: the number of bytes the encoder streams, which the
	 * caller sets (from fstat) before nk_multipart_new; -1 when unknown
	 * (a pipe), and then the body's length is unknown too. The parser
	 * sets -1. */
	int64_t size;
} nk_multipart_part;

/* nk_multipart_parse_arg flags */
#define NK_MULTIPART_LITERAL 1u  /* --form-string: the value is taken as
                                  * is, no @, <, quotes or ;type= */

/* Reads a header file named by ";headers=@path": on success *data is a
 * malloc'd buffer of *len bytes that the parser frees. A file that cannot
 * be read is skipped, as curl skips it with a warning: the callback warns
 * and returns NK_OK with *data NULL. Any error fails the parse. */
typedef nk_err (*nk_multipart_load_fn)(void *ctx, const char *path,
                                       char **data, size_t *len,
                                       char *errmsg);

/* Parses the NUL-terminated -F argument `arg` into *out (which it
 * overwrites; the caller frees it with nk_multipart_part_clear, on
 * failure too). `load` reads header files (NULL: ";headers=@file" is an
 * error). Not supported, refused with NK_ERR_FAILED_INIT: nested parts
 * ("name=(" and "=)"), several files in one field ("name=@a,b") and
 * ";encoder=". */
NK_API nk_err nk_multipart_parse_arg(const char *arg, unsigned flags,
                                     nk_multipart_load_fn load, void *ctx,
                                     nk_multipart_part *out, char *errmsg);

/* Frees what the part owns and zeroes it; NULL is a no-op. */
NK_API void nk_multipart_part_clear(nk_multipart_part *p);

/* The boundary's length: curl's ("-" x 24, then 16 hex digits), so that a
 * body's length is the same as curl's for the same parts. */
#define NK_MULTIPART_BOUNDARY_LEN 40

typedef struct nk_multipart nk_multipart;

/* Encodes `n` parts (n may be 0: the body is only the closing delimiter).
 * The parts are borrowed: they must stay unchanged until nk_multipart_free.
 * `boundary` NULL: a random one (from getrandom(), 64 bits) that occurs in
 * none of the bytes the encoder holds; it is drawn again on a collision.
 * A file's contents cannot be checked without reading it: a given file
 * holds a random boundary with a probability of at most L * 2^-64 for L
 * bytes, whatever the file holds, as long as it was not written knowing
 * the boundary. A boundary given by the caller (1..70 characters of RFC
 * 2046's bchars, not ending in a space) must not occur in those bytes
 * either: NK_ERR_BAD_FUNCTION_ARGUMENT. */
NK_API nk_err nk_multipart_new(const nk_multipart_part *parts, size_t n,
                               const char *boundary, nk_multipart **out,
                               char *errmsg);

/* Frees m; NULL is a no-op. */
NK_API void nk_multipart_free(nk_multipart *m);

/* The boundary in use, NUL-terminated, owned by m. */
NK_API const char *nk_multipart_boundary(const nk_multipart *m);

/* The request's Content-Type value:
 * "multipart/form-data; boundary=BOUNDARY", owned by m. */
NK_API const char *nk_multipart_content_type(const nk_multipart *m);

/* The body's exact length in bytes, or -1 when a file part's size is -1. */
NK_API int64_t nk_multipart_length(const nk_multipart *m);

/* How many body bytes have been taken so far. */
NK_API uint64_t nk_multipart_offset(const nk_multipart *m);

typedef enum nk_multipart_piece_kind {
	NK_MULTIPART_BYTES,  /* send data[0..len) */
	NK_MULTIPART_STREAM, /* send the file of parts[part], from where the
	                      * previous advances left it: `left` bytes, or to
	                      * its end when left is -1 */
	NK_MULTIPART_END,    /* the body is complete */
} nk_multipart_piece_kind;

typedef struct nk_multipart_piece {
	nk_multipart_piece_kind kind;
	const char *data;    /* BYTES: owned by m or the parts, valid until
	                      * the next advance, rewind or free */
	size_t len;          /* BYTES: at least 1 */
	size_t part;         /* STREAM: the index in the parts array */
	int64_t left;        /* STREAM: bytes still to send, or -1 */
} nk_multipart_piece;

/* What comes next, from the current position; peeking twice gives the
 * same piece. An empty value or an empty file (size 0) gives no piece. */
NK_API void nk_multipart_peek(const nk_multipart *m, nk_multipart_piece *pc);

/* Takes `n` bytes of the current piece (n at most len, or at most left
 * for a STREAM of known size); n 0 is allowed. A STREAM of known size
 * moves on by itself once all its bytes are taken. */
NK_API nk_err nk_multipart_advance(nk_multipart *m, size_t n, char *errmsg);

/* The file of the current STREAM piece ended. For a size of -1 that is
 * where the piece ends; for a known size with bytes left it is an error
 * (NK_ERR_READ_ERROR, "file PATH ended after N of M bytes"), since the
 * announced Content-Length can no longer be kept. */
NK_API nk_err nk_multipart_stream_eof(nk_multipart *m, char *errmsg);

/* Reads up to `cap` bytes of a file part into buf: *got 0 at its end. It
 * is called for the parts in order, each from its start (and from the
 * start again after a rewind). */
typedef nk_err (*nk_multipart_read_fn)(void *ctx, size_t part, char *buf,
                                       size_t cap, size_t *got,
                                       char *errmsg);

/* Fills buf with up to `cap` body bytes (fewer only at the end of the
 * body, or when `rd` gave fewer): *got 0 means the body is complete.
 * File bytes come from `rd` (never asked for more than a part has left),
 * whose errors are returned as they are. */
NK_API nk_err nk_multipart_read(nk_multipart *m, char *buf, size_t cap,
                                size_t *got, nk_multipart_read_fn rd,
                                void *ctx, char *errmsg);

/* Back to the first byte of the body. The caller rewinds its files too. */
NK_API void nk_multipart_rewind(nk_multipart *m);

/* The Content-Type curl guesses from a file name's extension (".gif",
 * ".jpg", ".jpeg", ".png", ".svg", ".txt", ".htm", ".html", ".pdf",
 * ".xml", in any case), or NULL. */
NK_API const char *nk_multipart_type_for_name(const char *filename);

#ifdef __cplusplus
}
#endif

#endif
