/* url_int: what the URL layer's files share inside libnk.
 *
 *   url_api.c        the public API: parse entries, getters, decode
 *   url_parse.c      the basic URL parser, one function per state
 *   url_record.c     the record it fills: parts, path segments
 *   url_input.c      input clean-up, and error positions in the raw input
 *   url_serialize.c  the parsed record to an nk_url (href and every part)
 *   url_percent.c    percent-encode sets, percent-decoding
 *   url_host.c       the host parser: domains, IPv4, IPv6, opaque hosts
 *   url_idna.c       UTS #46 ToASCII (libidn2's mapping, libunistring's
 *                    NFC and properties); url_punycode.c; url_u32.c
 *
 * Buffers are nk_bufs capped at URL_MAX_OUTPUT; a failed append (out of
 * memory, or past the cap) fails the whole parse as out of memory. */
#ifndef NK_URL_INT_H
#define NK_URL_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "nk/buf.h"
#include "nk/url.h"

/* Outputs grow at most to this many bytes; percent-encoding can triple
 * NK_URL_MAX_INPUT. */
#define URL_MAX_OUTPUT (4 * NK_URL_MAX_INPUT)

/* A growable array of code points, for IDNA. Appends fail (-1) when out
 * of memory or past URL_MAX_OUTPUT code points; p is then kept. */
struct u32buf {
	uint32_t *p;
	size_t len, cap;
};

int u32_put(struct u32buf *b, uint32_t c);
void u32_free(struct u32buf *b);

/* ---- the URL record ---- */

/* The strings of an nk_url, by index: the API's parts, then what the
 * library's own callers read. */
enum {
	S_HREF, S_ORIGIN, S_PROTOCOL, S_USERNAME, S_PASSWORD, S_HOST,
	S_HOSTNAME, S_PORT, S_PATHNAME, S_SEARCH, S_HASH,
	S_SCHEME, S_QUERY, S_FRAGMENT, S_TARGET, S_CONNECT, S_COUNT
};

/* All strings live in one block after the fields, at offsets: a parse
 * or a copy is one allocation. */
struct nk_url {
	size_t memlen;
	size_t off[S_COUNT];
	nk_url_host_kind host_kind;
	int port;           /* -1: null */
	int default_port;   /* -1: none */
	int special;
	int opaque_path;
	size_t nseg;        /* path segments when not opaque */
	int has_query, has_fragment;
	char mem[];
};

static inline const char *
url_str(const nk_url *u, int i)
{
	return u->mem + u->off[i];
}

/* The record while parsing. The path is kept serialized ("/a/b"): segments
 * never hold a literal '/', so appending and popping are simple. A part
 * that never held a byte has p NULL: read it with nk_buf_str. */
struct url_rec {
	nk_buf scheme, user, pass, host, path, query, frag;
	nk_url_host_kind host_kind;
	int port;
	int opaque_path;
	size_t nseg;
	int has_query, has_frag;
	int special, default_port;
};

/* url_record.c. The int functions return 0, or -1 when out of memory. */
void url_rec_init(struct url_rec *r);
void url_rec_free(struct url_rec *r);
/* Replaces b's bytes; an empty string allocates nothing. */
int url_set_buf(nk_buf *b, const char *s, size_t n);
int url_set_str(nk_buf *b, const char *s);
/* Sets the scheme, and with it special and default_port. */
int url_set_scheme(struct url_rec *r, const char *s, size_t n);
int url_rec_is_file(const struct url_rec *r);
int url_base_is_file(const nk_url *base);   /* base may be NULL */
/* What a relative reference inherits from its base. */
int url_copy_authority(struct url_rec *r, const nk_url *base);
int url_copy_path(struct url_rec *r, const nk_url *base);
int url_copy_query(struct url_rec *r, const nk_url *base);
/* Path segments. */
int url_path_append(struct url_rec *r, const char *seg, size_t n);
void url_path_shorten(struct url_rec *r);
int url_is_single_dot(const char *seg, size_t n);
int url_is_double_dot(const char *seg, size_t n);
/* Windows drive letters: "C:" or "C|"; normalized, "C:" only; "starts
 * with" one, followed by the end or one of / \ ? #. */
int url_is_drive(const char *s, size_t n);
int url_is_normalized_drive(const char *s, size_t n);
int url_starts_with_drive(const char *s, size_t n);
/* The first segment of a non-empty path, and its length in *n. */
const char *url_first_segment(const char *path, size_t len, size_t *n);
/* 1 and the default port (or -1) for a special scheme, else 0 and -1. */
int url_scheme_special(const char *s, size_t len, int *port);

/* Where a parse failed: reason (static) at offset `at` of the cleaned
 * input, or nomem. */
struct url_parse_err {
	const char *reason;
	size_t at;
	int nomem;
};

/* The basic URL parser over cleaned input (url_clean_input), against base
 * (may be NULL). 0, or -1 with *e set. */
int url_basic_parse(const char *in, size_t len, const nk_url *base,
                    struct url_rec *r, struct url_parse_err *e);

/* The nk_url for a parsed record; blob_origin is the origin of a blob:
 * URL's inner URL, or NULL for every other URL. NK_ERR_OUT_OF_MEMORY or
 * NK_OK. */
nk_err url_freeze(const struct url_rec *r, const char *blob_origin,
                  nk_url **out);

/* ---- input ---- */

/* Strips leading and trailing C0 controls and spaces, and tabs and
 * newlines anywhere, and turns invalid UTF-8 into U+FFFD, appending to
 * out. */
int url_clean_input(const char *in, size_t len, nk_buf *out);

/* The 1-based character position in the raw input of offset q of the
 * cleaned input. */
size_t url_raw_position(const char *in, size_t len, size_t q);

/* ---- percent-encoding ---- */

/* Each ASCII byte's membership: a bit per set. C0 controls, DEL and all
 * non-ASCII bytes are in every set. */
enum {
	PE_C0 = 1 << 0,
	PE_FRAGMENT = 1 << 1,
	PE_QUERY = 1 << 2,
	PE_SPECIAL_QUERY = 1 << 3,
	PE_PATH = 1 << 4,
	PE_USERINFO = 1 << 5,
	PE_ALL = 0xff,
};

extern const unsigned char url_pe_sets[128];

/* nk_buf_add's and nk_buf_addc's fast paths, inline: the parser and the
 * serializer append a URL in many small pieces, and a call into core for
 * each cost the URL micro-benchmark about 10%. Growing, the cap and the
 * errors stay nk_buf's. */
static inline int
url_add(nk_buf *b, const void *s, size_t n)
{
	/* cap > len once anything was added (the NUL); max 0 (no cap) wraps
	 * to "room enough". */
	if (n < b->cap - b->len && n <= b->max - b->len && !b->err) {
		if (n)
			memcpy(b->p + b->len, s, n);
		b->len += n;
		b->p[b->len] = '\0';
		return 0;
	}
	return nk_buf_add(b, s, n);
}

static inline int
url_addc(nk_buf *b, char c)
{
	return url_add(b, &c, 1);
}

/* Appends c, percent-encoded when it is in set. Inline: the parser
 * appends nearly every byte of a URL through it. */
static inline int
url_pe_add(nk_buf *b, unsigned char c, int set)
{
	static const char hex[] = "0123456789ABCDEF";
	if (c >= 0x80 || (url_pe_sets[c] & set)) {
		char e[3] = { '%', hex[c >> 4], hex[c & 15] };
		return url_add(b, e, 3);
	}
	return url_addc(b, (char)c);
}

static inline int
url_is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int
url_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* url_pe_add for each of s[0..n), faster. */
int url_pe_add_run(nk_buf *b, const char *s, size_t n, int set);

/* The value of hex digit c, or -1. */
static inline int
url_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decodes in[0..len) into out: "%XX" with two hex digits is the
 * byte, anything else stays as it is. */
int url_percent_decode(const char *in, size_t len, nk_buf *out);

/* ---- hosts ---- */

/* Host parsing results. On failure *reason is a static string and *at the
 * byte offset inside the host input that it is about. */
enum {
	URL_OK = 0,
	URL_FAIL = -1,    /* the input is not a valid host/domain */
	URL_NOMEM = -2,
};

/* The host parser: input is the host as written in the URL (UTF-8),
 * is_opaque for non-special schemes. Appends the serialized host to out
 * and sets *kind. */
int url_host_parse(const char *in, size_t len, int is_opaque,
                   nk_buf *out, nk_url_host_kind *kind,
                   const char **reason, size_t *at);

/* UTS #46 ToASCII with the URL Standard's relaxed options, for a domain
 * that holds non-ASCII characters (valid UTF-8). Appends the ASCII domain
 * to out. */
int url_idna_to_ascii(const char *in, size_t len, nk_buf *out,
                      const char **reason);

/* Punycode (RFC 3492) of n code points, appended to out without "xn--". */
int url_puny_encode(const uint32_t *cp, size_t n, nk_buf *out);

/* Decodes a punycode label (without "xn--"); URL_FAIL on bad input. */
int url_puny_decode(const char *in, size_t len, struct u32buf *out);

#endif
