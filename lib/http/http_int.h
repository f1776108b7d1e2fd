/* http internals shared by the files of lib/http and by lib/fetch; never
 * installed. tokens.c owns the lexical rules, escape.c how bytes show in
 * a message, http_req.c the Authorization value, http_body.c the splice
 * accounting. No function here fails but nk_http_basic (NULL) and
 * nk_http_check_value. */
#ifndef NK_HTTP_INT_H
#define NK_HTTP_INT_H

#include <stddef.h>
#include "nk/http.h"

/* RFC 9110 §5.6.2 tchar, indexed by byte (tokens.c). */
extern const unsigned char nk_http_tchar[256];

/* How many bytes of s[0..len) from the start are tchar: where a name that
 * is not a token goes wrong. */
size_t nk_http_token_len(const char *s, size_t len);

/* OWS = *( SP / HTAB ) (RFC 9110 §5.6.3). */
static inline int
nk_http_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Writes s[0..len) (escape.c) into out (NUL-terminated, at most outsz bytes) with
 * every byte that is not printable ASCII escaped as \r, \n, \t, \0 or
 * \xNN, and "..." when it had to be cut, for error messages. */
void nk_http_escape(char *out, size_t outsz, const char *s, size_t len);

/* The escaped form of one byte ("\r", "\x01", "a"), NUL-terminated; a
 * space, invisible on its own in a message, is "\x20". */
void nk_http_escape_byte(char out[5], unsigned char c);

/* Case-insensitive ASCII comparison of s[0..len) with the C string lit
 * (tokens.c). */
int nk_http_eq(const char *s, size_t len, const char *lit);

/* prefix, "Basic " and the base64 of userpass (RFC 7617), as one
 * NUL-terminated string: the value of an Authorization field (prefix ""),
 * or a whole "Proxy-Authorization: " line. NULL when out of memory or
 * longer than NK_HTTP_MAX_REQUEST. Caller frees. */
char *nk_http_basic(const char *prefix, const char *userpass);

/* code, "refused WHAT \"...\": control byte \r at offset N", when
 * v[0..len) holds a byte a field value may not (CR, LF, NUL, another
 * control byte but HTAB, DEL: RFC 9110 §5.5); NK_OK otherwise. The one
 * check of every value nk puts in a header (http_req.c, auth*.c). */
nk_err nk_http_check_value(const char *what, const char *v, size_t len,
                           nk_err code, char *errmsg);

/* Body bytes that need no framing work, whatever they are: what is left
 * of a Content-Length body, UINT64_MAX for one that ends at EOF, 0
 * otherwise (chunked, or done). A caller may move that many bytes past
 * the framer (splice) and account for them with nk_http_body_passed. */
uint64_t nk_http_body_raw_left(const struct nk_http_body *b);

/* n bytes (at most nk_http_body_raw_left) went by. */
void nk_http_body_passed(struct nk_http_body *b, uint64_t n);

/* One content coding's streaming decoder, beneath nk_decoder (decode.c):
 * decode_zlib.c owns gzip and deflate, decode_br.c br, decode_zstd.c
 * zstd. step reads from *in (advancing *in and *inlen) into
 * out[0..*outlen), setting *outlen to what it wrote; a full out may mean
 * more output is pending without more input. It returns NK_CODEC_MORE,
 * NK_CODEC_END when a stream (gzip member, zstd frame, the br or deflate
 * stream) ended with all its output written, NK_CODEC_NOMEM, or
 * NK_CODEC_BROKEN with *why a message for "broken <coding> data: ...".
 * open returns NULL when out of memory. */
enum { NK_CODEC_MORE, NK_CODEC_END, NK_CODEC_BROKEN, NK_CODEC_NOMEM };

struct nk_codec {
	const char *name;            /* as in messages: "gzip", "br" */
	int again;                   /* another stream may follow the end */
	void *(*open)(void);
	int (*step)(void *st, const unsigned char **in, size_t *inlen,
	            unsigned char *out, size_t *outlen, const char **why);
	int (*reset)(void *st);      /* for the next stream: 0, or -1 */
	void (*close)(void *st);
};

extern const struct nk_codec nk_codec_gzip, nk_codec_deflate, nk_codec_br,
                             nk_codec_zstd;

/* The largest zstd window nk decodes, 8 MiB: RFC 9659 §3 has HTTP senders
 * keep to it, and it bounds what one response can make a decoder hold. */
#define NK_ZSTD_WINDOW_LOG_MAX 23

#endif
