/* url_int: what the URL parser's files share inside libnk (url.c: the
 * state machine and getters; url_host.c: hosts; url_idna.c: domain to
 * ASCII; url_punycode.c; url_unidata.c: generated Unicode tables). */
#ifndef NK_URL_INT_H
#define NK_URL_INT_H

#include <stddef.h>
#include <stdint.h>
#include "nk/url.h"

/* Outputs grow at most to this many bytes; percent-encoding can triple
 * NK_URL_MAX_INPUT. */
#define URL_MAX_OUTPUT (4 * NK_URL_MAX_INPUT)

/* A growable byte buffer, always NUL-terminated once non-empty. Appends
 * fail (-1) when out of memory or past max bytes (0: URL_MAX_OUTPUT); p is
 * then kept. */
struct ubuf {
	char *p;
	size_t len, cap;
	size_t max;
};

int ubuf_put(struct ubuf *b, const void *s, size_t n);
int ubuf_putc(struct ubuf *b, char c);
int ubuf_puts(struct ubuf *b, const char *s);
void ubuf_free(struct ubuf *b);

/* The same for code points, for IDNA. */
struct u32buf {
	uint32_t *p;
	size_t len, cap;
};

int u32_put(struct u32buf *b, uint32_t c);
void u32_free(struct u32buf *b);

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
                   struct ubuf *out, nk_url_host_kind *kind,
                   const char **reason, size_t *at);

/* UTS #46 ToASCII with the URL Standard's relaxed options, for a domain
 * that holds non-ASCII characters (valid UTF-8). Appends the ASCII domain
 * to out. */
int url_idna_to_ascii(const char *in, size_t len, struct ubuf *out,
                      const char **reason);

/* Punycode (RFC 3492) of n code points, appended to out without "xn--". */
int url_puny_encode(const uint32_t *cp, size_t n, struct ubuf *out);

/* Decodes a punycode label (without "xn--"); URL_FAIL on bad input. */
int url_puny_decode(const char *in, size_t len, struct u32buf *out);

/* UTF-8 decoding of one character at s[0..len) (len > 0): sets *cp and
 * returns the bytes used; an invalid sequence gives U+FFFD and the length
 * of its maximal subpart, as the WHATWG decoder does. */
size_t url_utf8_next(const unsigned char *s, size_t len, uint32_t *cp);

/* Appends the UTF-8 form of cp. */
int url_utf8_put(struct ubuf *b, uint32_t cp);

/* Generated Unicode tables (url_unidata.c). */
struct url_uni_range {
	uint32_t lo, hi, v;
};
struct url_uni_triple {
	uint32_t x, y, z;
};
enum url_bidi {
	URL_BIDI_L, URL_BIDI_R, URL_BIDI_AL, URL_BIDI_EN, URL_BIDI_ES,
	URL_BIDI_ET, URL_BIDI_AN, URL_BIDI_CS, URL_BIDI_NSM, URL_BIDI_BN,
	URL_BIDI_ON, URL_BIDI_OTHER,
};
extern const char url_uni_version[];
extern const struct url_uni_range url_uni_ccc[], url_uni_marks[],
	url_uni_bidi[], url_uni_joining[];
extern const size_t url_uni_ccc_len, url_uni_marks_len, url_uni_bidi_len,
	url_uni_joining_len;
/* decomp: {code point, first, second or 0}, sorted by code point;
 * comp: {first, second, composite}, sorted by (first, second). */
extern const struct url_uni_triple url_uni_decomp[], url_uni_comp[];
extern const size_t url_uni_decomp_len, url_uni_comp_len;

#endif
