/* libnk http: HTTP/1.1 message framing without sockets (RFC 9110, 9112).
 *
 * Four pieces, each a pure function of the bytes it is given:
 *   - the request serializer: a request head from an nk_http_request;
 *   - the response parser: incremental and zero-copy, it finds the status
 *     line and header fields in the caller's buffer;
 *   - the body framer: decides how the body is delimited (RFC 9112 §6.3)
 *     and walks it (Content-Length, chunked, close), returning the spans of
 *     body data inside the caller's buffer;
 *   - the content decoder: gzip / deflate / br / zstd / identity
 *     (Content-Encoding and Transfer-Encoding codings other than
 *     chunked), streaming, constant memory.
 *
 * Nothing here blocks, prints or reads the environment. Views (pointer,
 * length) point into the caller's buffer and are valid as long as it is.
 *
 * The intended read loop (error handling shortened; `buf` holds `len`
 * bytes received so far, `cap` its size; out(ctx, data, n, err) writes):
 *
 *	nk_http_request_build(&rq, &head, &headlen, err);  send it (and body)
 *	for (;;) {                                 // one response per pass
 *		struct nk_http_parser p = { 0 };       // limits: 0 = defaults
 *		struct nk_http_response res = { .headers = hdrs,
 *		                                .max_headers = NK_ARRAY_LEN(hdrs) };
 *		while (!(e = nk_http_parse_response(&p, buf, len, &res, err))
 *		       && res.head_len == 0) {          // need more
 *			n = read(buf + len, cap - len);    // grow buf when full
 *			if (n == 0)
 *				return nk_http_parse_eof(&p, len, err); // 52 or 8
 *			len += n;
 *		}
 *		if (e) return e;                       // 8, 56
 *		show(buf, res.head_len);
 *		if (nk_http_is_interim(&res)) {        // 100, 103: skip it
 *			memmove(buf, buf + res.head_len, len -= res.head_len);
 *			continue;
 *		}
 *		struct nk_http_body b = { 0 };
 *		e = nk_http_body_init(&b, method, &res, err);   // 8, 61
 *		if (b.mode == NK_HTTP_BODY_TUNNEL) stop: the rest is not HTTP
 *		nk_decoder_new(&dec, err);             // (or only when needed)
 *		nk_decoder_add_response(dec, &res, NK_DECODE_TRANSFER |
 *		                        (compressed ? NK_DECODE_CONTENT : 0), err);
 *		// header views point into buf: done with them, drop the head
 *		memmove(buf, buf + res.head_len, len -= res.head_len);
 *		for (;;) {
 *			q = buf; left = len;
 *			while (left > 0 && !b.done) {
 *				e = nk_http_body_feed(&b, q, left, &used, &d, &dn, err);
 *				if (dn) e = nk_decoder_write(dec, d, dn, out, ctx, err);
 *				q += used; left -= used;
 *			}
 *			memmove(buf, q, len = left);       // the next response's bytes
 *			if (b.done) break;
 *			n = read(buf + len, cap - len);
 *			if (n == 0) {
 *				e = nk_http_body_eof(&b, err); // 18, or done (CLOSE)
 *				break;
 *			}
 *			len += n;
 *		}
 *		e = nk_decoder_finish(dec, out, ctx, err);     // 61 if cut short
 *		if (!b.keep_alive) close the connection (len should be 0 then);
 *		else send the next request and loop: buf[0..len) is its start.
 *	}
 */
#ifndef NK_HTTP_H
#define NK_HTTP_H

#include "nk/defs.h"
#include "nk/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Request head                                                        */
/* ------------------------------------------------------------------ */

/* The largest request head nk_http_request_build will produce. */
#define NK_HTTP_MAX_REQUEST (1024 * 1024)

/* What to send. Zero-initialise, then set what you need; every string is
 * borrowed for the duration of the call only. */
struct nk_http_request {
	const char *method;          /* NULL: "GET"; must be an RFC 9110 token */
	const char *target;          /* request-target: "/p?q", "*", or an
	                                absolute URL for a proxy; required */
	const char *host;            /* Host value "name[:port]" ("[::1]:8080");
	                                NULL: no Host (HTTP/1.0, or a user
	                                "Host:" header gives it) */
	int http10;                  /* nonzero: an HTTP/1.0 request line */
	const char *user_agent;      /* NULL: "nk/" NK_VERSION */
	const char *userpass;        /* "user:password" -> Authorization: Basic */
	const char *authorization;   /* the whole Authorization value ("Digest
	                                ...", "Bearer ..."); wins over
	                                userpass */
	const char *range;           /* "0-499" -> Range: bytes=0-499 */
	int64_t resume_from;         /* > 0 and no range: Range: bytes=N- */
	const char *accept_encoding; /* Accept-Encoding value, e.g. "gzip, deflate" */
	const char *referer;         /* Referer value */
	int has_body;                /* nonzero: send Content-Length: body_len */
	int64_t body_len;
	const char *const *headers;  /* user header lines, curl -H syntax: */
	size_t nheaders;             /*   "Name: value" adds or replaces,
	                                  "Name:" removes a default header,
	                                  "Name;" sends "Name:" (empty value) */
	int chunked;                 /* Transfer-Encoding: chunked (a body of
	                                unknown length; has_body unset) */
	const char *content_type;    /* the body's Content-Type value */
	int expect_continue;         /* Expect: 100-continue */
	const char *accept;          /* Accept value; NULL: any type */
	const char *proxy_userpass;  /* "user:password" -> Proxy-Authorization:
	                                Basic, right after Host (curl's place) */
	const char *proxy_authorization; /* the whole Proxy-Authorization
	                                value ("Digest ..."), made by the
	                                caller: sent instead of
	                                proxy_userpass's Basic, same place */
	int proxy_keepalive;         /* Proxy-Connection: Keep-Alive, after
	                                Referer: what curl sends an HTTP proxy */
};

/* Serializes a request head, ending with the empty line:
 *
 *	METHOD SP target SP HTTP/1.1 CRLF
 *	Host, Proxy-Authorization, Authorization, Range, User-Agent,
 *	Accept: * / *, Accept-Encoding, Referer, Proxy-Connection,
 *	Transfer-Encoding (the defaults, those that apply,
 *	in this order), the user headers in order, then Content-Length
 *	(has_body), Content-Type, Expect, as curl 7.88 orders them.
 *
 * A user header naming a default (case-insensitively) suppresses it: it is
 * sent at the user header's own place, except Host, which stays first (as
 * curl does). "Name:" suppresses a default and sends nothing; "Name;" sends
 * the header with an empty value. Several user headers of one name are all
 * sent, except Host: the first user Host decides (sent, or removed), as
 * two Host fields make a request invalid.
 *
 * Validation, so that no CR, LF or NUL reaches the wire: the method and
 * each header name must be tokens; header values (user, User-Agent,
 * Referer, Range, Accept-Encoding) may not hold CR, LF, NUL or any control
 * byte but HTAB. A refused method or header is NK_ERR_FAILED_INIT; a
 * refused target or Host (which come from the URL) is
 * NK_ERR_URL_MALFORMAT; errmsg names the field and shows the bad byte
 * escaped (\r, \n, \0, \xNN). A user header line with neither ':' nor ';'
 * is NK_ERR_FAILED_INIT. A head over NK_HTTP_MAX_REQUEST is
 * NK_ERR_FAILED_INIT; an HTTP/1.1 request without host, or without target,
 * is NK_ERR_BAD_FUNCTION_ARGUMENT; NK_ERR_OUT_OF_MEMORY.
 *
 * On success *out is a NUL-terminated malloc'd string the caller frees
 * with free(), and *outlen its length. On failure *out is NULL. */
NK_API nk_err nk_http_request_build(const struct nk_http_request *rq,
                                    char **out, size_t *outlen, char *errmsg);

/* A date as curl_getdate(3) reads it: the HTTP-date forms of RFC 9110
 * §5.6.7 (IMF-fixdate, RFC 850, asctime) and curl's free forms ("19 Oct
 * 2023 12:00:00", "Oct 19 2023", "20231019 12:00 +0200", ...): a weekday,
 * a month name, a day, a year, HH:MM[:SS], a zone name or +HHMM, in any
 * order, the time and zone optional (midnight GMT). Returns the seconds
 * since the epoch, or -1 for text that is no date. */
NK_API int64_t nk_http_date_parse(const char *date);

/* "Thu, 19 Oct 2023 12:00:00 GMT" (IMF-fixdate) for time t. */
#define NK_HTTP_DATE_LEN 64
NK_API void nk_http_date_format(int64_t t, char out[NK_HTTP_DATE_LEN]);

/* 1 if s[0..len) is a non-empty RFC 9110 token (tchar only), else 0. */
NK_API int nk_http_is_token(const char *s, size_t len);

/* ------------------------------------------------------------------ */
/* Response head                                                       */
/* ------------------------------------------------------------------ */

#define NK_HTTP_MAX_LINE    (100 * 1024)  /* one header line (curl's) */
#define NK_HTTP_MAX_HEAD    (300 * 1024)  /* the whole head (curl's) */
#define NK_HTTP_MAX_HEADERS 1000          /* a sensible header array size */

/* A header field: views into the caller's buffer. Names keep their case;
 * values have leading and trailing SP/HTAB removed. */
struct nk_http_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* Parser state for one response head. Zero it before the first call for
 * each response (also after an interim 1xx). The caller may set the
 * limits first; 0 means the default. Fields starting with _ are private. */
struct nk_http_parser {
	size_t max_line;   /* bytes in one line, without its CRLF/LF;
	                      0: NK_HTTP_MAX_LINE */
	size_t max_head;   /* bytes in the whole head, with the final empty
	                      line; 0: NK_HTTP_MAX_HEAD */
	size_t _pos;       /* bytes scanned so far */
	size_t _line;      /* where the current line starts */
	int _state;
};

/* The parsed head. The caller sets `headers` (an array) and `max_headers`
 * (its capacity); the parser fills the rest. */
struct nk_http_response {
	struct nk_http_header *headers;
	size_t max_headers;
	size_t num_headers;      /* out: header fields in headers[] */
	int minor_version;       /* out: x of HTTP/1.x: 0, 1 (or 2..9, which
	                            are handled as 1.1) */
	int status;              /* out: 100..999 */
	const char *reason;      /* out: reason phrase (may be empty) */
	size_t reason_len;
	size_t head_len;         /* out: bytes of the head, with the empty
	                            line; 0 while incomplete */
	int folded;              /* out: obs-fold lines were unfolded */
};

/* Parses a response head from buf[0..len): the bytes received so far on
 * this response, starting at its first byte. Call it again with the same
 * bytes plus more after each read (the buffer may move between calls); work
 * already done is not repeated, so the cost stays linear. The result is the
 * same however the bytes were split across calls.
 *
 * Returns NK_OK with res->head_len == 0 when more bytes are needed, NK_OK
 * with res->head_len > 0 when the head is complete (buf[head_len..len) is
 * the start of the body, or of the next message); otherwise:
 *   NK_ERR_WEIRD_SERVER_REPLY: a reply not starting "HTTP/1.x" (checked
 *     as each of its first 8 bytes arrives), a status line not
 *     "HTTP/1.x NNN[ reason]" with NNN in 100..999 (checked when it is
 *     whole), whitespace before a colon, a name that is not a token, an
 *     empty name, a line with no colon, a NUL or a bare CR anywhere in the
 *     head, whitespace before the first header;
 *   NK_ERR_RECV_ERROR: a line longer than max_line, a head longer than
 *     max_head, more header fields than max_headers ("response header line
 *     longer than 102400 bytes").
 *
 * Accepted: LF-only line ends, any reason phrase text (obs-text too),
 * HTTP/1.0, control bytes other than NUL and CR in values and the reason
 * (a tool escapes them when it prints). obs-fold (RFC 9112 §5.2): a line
 * starting with SP/HTAB continues the previous field; the parser
 * overwrites the line end before it (CR LF, or LF) with SP in the caller's
 * buffer, so the value view stays one run of bytes ("a\r\n b" becomes
 * "a   b"), and sets res->folded. That is the only write into buf, done
 * once, when the whole head has arrived. After an error, do not call
 * again for this response. */
NK_API nk_err nk_http_parse_response(struct nk_http_parser *p, char *buf,
                                     size_t len, struct nk_http_response *res,
                                     char *errmsg);

/* The connection closed before the head was complete, with `len` bytes of
 * it received: NK_ERR_GOT_NOTHING ("empty reply from server") if len is 0,
 * else NK_ERR_WEIRD_SERVER_REPLY. Always returns an error. */
NK_API nk_err nk_http_parse_eof(const struct nk_http_parser *p, size_t len,
                                char *errmsg);

/* 1 for an interim response the caller skips to read the final one (1xx
 * other than 101 Switching Protocols), else 0. */
NK_API int nk_http_is_interim(const struct nk_http_response *res);

/* Finds the next header named `name` (case-insensitive). Start with
 * *iter = 0; each call continues after the previous match. NULL when
 * there are no more. For the first match only, iter may be NULL. */
NK_API const struct nk_http_header *
nk_http_header_find(const struct nk_http_response *res, const char *name,
                    size_t *iter);

/* Walks a comma-separated list (RFC 9110 §5.6.1) in [*p, end): skips
 * empty elements and OWS, sets [*elem, *elem_len) to the next element up
 * to any ';' (parameters dropped, trailing OWS trimmed) and advances *p.
 * Returns 1, or 0 when the list is exhausted. Quoted strings are not
 * interpreted (fine for Connection, Transfer-Encoding, Content-Encoding). */
NK_API int nk_http_list_next(const char **p, const char *end,
                             const char **elem, size_t *elem_len);

/* 1 if any `name` header's list holds `token` (case-insensitive), e.g.
 * ("Connection", "close"). */
NK_API int nk_http_has_token(const struct nk_http_response *res,
                             const char *name, const char *token);

/* The media type of the first Content-Type ("text/html", without
 * parameters) and its charset parameter (quotes removed), as views. Returns
 * 0 when there is no Content-Type; *charset is NULL when it has no charset.
 * Either out pair may be NULL. */
NK_API int nk_http_content_type(const struct nk_http_response *res,
                                const char **type, size_t *type_len,
                                const char **charset, size_t *charset_len);

/* ------------------------------------------------------------------ */
/* Body framing                                                        */
/* ------------------------------------------------------------------ */

enum nk_http_body_mode {
	NK_HTTP_BODY_NONE = 0, /* no body: HEAD, 1xx, 204, 304 */
	NK_HTTP_BODY_LENGTH,   /* exactly `length` bytes (Content-Length);
	                          done at once when 0 */
	NK_HTTP_BODY_CHUNKED,  /* Transfer-Encoding ending in chunked */
	NK_HTTP_BODY_CLOSE,    /* until the server closes the connection */
	NK_HTTP_BODY_TUNNEL,   /* 101, or 2xx to CONNECT: no longer HTTP */
};

/* Body state. Zero it (the limits may be set before nk_http_body_init,
 * which keeps them). Fields starting with _ are private. */
struct nk_http_body {
	size_t max_line;     /* chunk-size line (with extensions) and each
	                        trailer line; 0: NK_HTTP_MAX_LINE */
	size_t max_trailer;  /* the whole trailer section; 0: NK_HTTP_MAX_HEAD */
	char *trailer_buf;   /* optional: the trailer lines are copied here as
	                        received (without the empty line that ends
	                        them), up to trailer_cap bytes, for a caller
	                        that shows them */
	size_t trailer_cap;

	/* set by nk_http_body_init */
	enum nk_http_body_mode mode;
	int64_t length;      /* NK_HTTP_BODY_LENGTH: Content-Length, else -1 */
	int keep_alive;      /* the connection may carry the next request once
	                        the body is done: HTTP/1.1 without "Connection:
	                        close", HTTP/1.0 only with "Connection:
	                        keep-alive", never for CLOSE or TUNNEL, nor with
	                        both Transfer-Encoding and Content-Length */
	int te_and_cl;       /* both were present: Transfer-Encoding won */
	int te_codings;      /* transfer codings other than chunked to undo
	                        (nk_decoder_add_response NK_DECODE_TRANSFER) */

	/* updated by nk_http_body_feed */
	int done;            /* the whole body (and trailers) has been read */
	uint64_t received;   /* body data bytes returned so far */
	size_t trailers;     /* trailer fields seen (not returned as data) */
	size_t trailer_len;  /* bytes copied to trailer_buf */

	int _state;
	int _err;
	uint64_t _left;
	size_t _line;
	size_t _total;
};

/* Decides how the body of `res` is delimited, by RFC 9112 §6.3 in order,
 * given the request method (NULL means GET):
 *   1. HEAD, 1xx, 204, 304: no body (and 2xx to CONNECT, 101: TUNNEL);
 *   2. Transfer-Encoding: chunked last -> CHUNKED; otherwise CLOSE. chunked
 *      twice is NK_ERR_WEIRD_SERVER_REPLY. Codings other than chunked,
 *      gzip, x-gzip, deflate, identity are NK_ERR_BAD_CONTENT_ENCODING.
 *      A Content-Length alongside is ignored and te_and_cl set;
 *   3. Content-Length: 1*DIGIT without sign or inner space, at most
 *      INT64_MAX; a comma list or several fields are fine when every value
 *      is the same; different or invalid values are
 *      NK_ERR_WEIRD_SERVER_REPLY. LENGTH;
 *   4. otherwise CLOSE.
 * Only reads res (not buf beyond the header views). */
NK_API nk_err nk_http_body_init(struct nk_http_body *b, const char *method,
                                const struct nk_http_response *res,
                                char *errmsg);

/* Walks body bytes in[0..len) (the bytes after the head, then each read).
 * Consumes *used bytes (> 0 whenever len > 0 and the body is not done) and
 * returns at most one span of body data [*data, *data + *data_len) inside
 * in (*data_len may be 0: framing only). Call it again on the rest until
 * len bytes are used or b->done; the bytes left over once done belong to
 * the next response. Concatenated spans are the same whatever the split.
 *
 * Chunked: sizes in hex of any case, extensions ignored, trailers checked
 * like headers and counted, LF-only line ends accepted.
 * Errors: NK_ERR_WEIRD_SERVER_REPLY (bad or overflowing chunk size, chunk
 * data not followed by CRLF, malformed trailer), NK_ERR_RECV_ERROR (chunk
 * line or trailers over their limits). Errors are sticky. Feeding a done
 * body (or TUNNEL) consumes nothing and returns NK_OK. */
NK_API nk_err nk_http_body_feed(struct nk_http_body *b, const char *in,
                                size_t len, size_t *used, const char **data,
                                size_t *data_len, char *errmsg);

/* The connection closed (EOF). NK_OK if the body is complete (a CLOSE body
 * completes here: done is set), NK_ERR_PARTIAL_FILE if it ended early
 * ("transfer closed with 12 bytes remaining to read", or before the last
 * chunk). */
NK_API nk_err nk_http_body_eof(struct nk_http_body *b, char *errmsg);

/* ------------------------------------------------------------------ */
/* Content decoding                                                    */
/* ------------------------------------------------------------------ */

typedef struct nk_decoder nk_decoder;

/* Where decoded bytes go. Return NK_OK to go on; any error (for example
 * NK_ERR_FILESIZE_EXCEEDED or NK_ERR_WRITE_ERROR, with a message written
 * into errmsg) stops decoding and is returned by the nk_decoder call. len
 * is never 0; data is only valid during the call. */
typedef nk_err (*nk_decode_out)(void *ctx, const char *data, size_t len,
                                char *errmsg);

/* A decoder with no codings (it passes bytes through). Free with
 * nk_decoder_free. Errors: NK_ERR_OUT_OF_MEMORY. */
NK_API nk_err nk_decoder_new(nk_decoder **out, char *errmsg);

/* Adds one coding, in the order the sender applied them (the order of the
 * header); decoding undoes them last first. Known: gzip, x-gzip, deflate
 * (zlib-wrapped or raw, detected), br, zstd, identity and "none"
 * (ignored); case-insensitive.
 * Others are NK_ERR_BAD_CONTENT_ENCODING ("unsupported content encoding
 * \"lzma\""). Only before the first nk_decoder_write. */
NK_API nk_err nk_decoder_add(nk_decoder *d, const char *coding, size_t len,
                             char *errmsg);

/* Adds every element of a comma-separated list, as nk_decoder_add. */
NK_API nk_err nk_decoder_add_list(nk_decoder *d, const char *list,
                                  size_t len, char *errmsg);

#define NK_DECODE_TRANSFER 0x1u /* Transfer-Encoding codings but chunked */
#define NK_DECODE_CONTENT  0x2u /* Content-Encoding codings */

/* Adds the codings of a response's headers, transfer codings after content
 * codings (the order a sender applies them). */
NK_API nk_err nk_decoder_add_response(nk_decoder *d,
                                      const struct nk_http_response *res,
                                      unsigned flags, char *errmsg);

/* 1 if the decoder has a coding to undo (not just identity), else 0. */
NK_API int nk_decoder_active(const nk_decoder *d);

/* Decodes in[0..len) and hands the output to out(ctx, ...) in pieces of
 * at most 16 KiB. Memory stays constant whatever the ratio. A gzip body
 * may hold several members, one after the other (RFC 1952 §2.2). Output
 * produced before a corruption is detected is handed out first, so the
 * output never depends on how the input was split (except br: libbrotli
 * drops what it decoded in the call that found the data broken; the error
 * does not depend on the split).
 * Errors: NK_ERR_BAD_CONTENT_ENCODING (corrupt data, data after the end of
 * a deflate or br stream, a zstd window over 8 MiB), whatever out
 * returned, NK_ERR_OUT_OF_MEMORY. Errors
 * are sticky: later calls return the same code. */
NK_API nk_err nk_decoder_write(nk_decoder *d, const void *in, size_t len,
                               nk_decode_out out, void *ctx, char *errmsg);

/* The body ended: flushes what is left. NK_ERR_BAD_CONTENT_ENCODING if a
 * compressed stream stopped short of its end (an empty body is fine). */
NK_API nk_err nk_decoder_finish(nk_decoder *d, nk_decode_out out, void *ctx,
                                char *errmsg);

/* Bytes given to nk_decoder_write, and bytes handed to out, so far. */
NK_API uint64_t nk_decoder_bytes_in(const nk_decoder *d);
NK_API uint64_t nk_decoder_bytes_out(const nk_decoder *d);

/* Frees; NULL is a no-op. */
NK_API void nk_decoder_free(nk_decoder *d);

#ifdef __cplusplus
}
#endif

#endif
