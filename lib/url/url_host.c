/* url_host: the URL Standard's host parser and serializer: domains (with
 * IDNA), IPv4 in all its historical forms, IPv6, and the opaque hosts of
 * non-special schemes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "url/url_int.h"

/* Forbidden host code points: U+0000, tab, LF, CR, space, # / : < > ? @
 * [ \ ] ^ |. */
static int
forbidden_host(unsigned char c)
{
	switch (c) {
	case 0: case '\t': case '\n': case '\r': case ' ': case '#': case '/':
	case ':': case '<': case '>': case '?': case '@': case '[': case '\\':
	case ']': case '^': case '|':
		return 1;
	}
	return 0;
}

/* Forbidden domain code points: those, C0 controls, % and DEL. */
static int
forbidden_domain(unsigned char c)
{
	return forbidden_host(c) || c < 0x20 || c == '%' || c == 0x7f;
}

static int
fail(const char **reason, size_t *at, const char *why, size_t pos)
{
	*reason = why;
	*at = pos;
	return URL_FAIL;
}

/* The IPv6 parser, on the text between the brackets. */
static int
ipv6_parse(const char *in, size_t len, uint16_t addr[8], const char **reason,
           size_t *at)
{
	size_t p = 0;
	int piece = 0, compress = -1;

	memset(addr, 0, 8 * sizeof *addr);
#define C (p < len ? (unsigned char)in[p] : 0)
#define FAIL(why, pos) return fail(reason, at, why, pos)
#define AT_END (p >= len)
	/* cppcheck reads AT_END with p still 0 as "len <= 0" on an unsigned. */
	/* cppcheck-suppress unsignedLessThanZero */
	if (!AT_END && C == ':') {
		if (p + 1 >= len || in[p + 1] != ':')
			FAIL("IPv6 address starts with a single ':'", p);
		p += 2;
		compress = ++piece;
	}
	while (!AT_END) {
		if (piece == 8)
			FAIL("IPv6 address has too many pieces", p);
		if (C == ':') {
			/* The piece before ended in ':', so "::" starts there. */
			if (compress >= 0)
				FAIL("IPv6 address has more than one '::'", p - 1);
			p++;
			compress = ++piece;
			continue;
		}
		unsigned value = 0, length = 0;
		while (length < 4 && !AT_END && url_hexval(C) >= 0) {
			value = value * 16 + (unsigned)url_hexval(C);
			p++;
			length++;
		}
		if (!AT_END && C == '.') {
			if (length == 0)
				FAIL("bad IPv4 part in IPv6 address", p);
			p -= length;
			if (piece > 6)
				FAIL("IPv6 address with IPv4 part has too many pieces", p);
			int seen = 0;
			while (!AT_END) {
				int v4 = -1;
				if (seen > 0) {
					if (C == '.' && seen < 4)
						p++;
					else
						FAIL("bad IPv4 part in IPv6 address", p);
				}
				if (AT_END || C < '0' || C > '9')
					FAIL("bad IPv4 part in IPv6 address", p);
				while (!AT_END && C >= '0' && C <= '9') {
					int num = C - '0';
					if (v4 < 0)
						v4 = num;
					else if (v4 == 0)
						FAIL("bad IPv4 part in IPv6 address", p);
					else
						v4 = v4 * 10 + num;
					if (v4 > 255)
						FAIL("IPv4 part of IPv6 address above 255", p);
					p++;
				}
				addr[piece] = (uint16_t)(addr[piece] * 0x100 + v4);
				seen++;
				if (seen == 2 || seen == 4)
					piece++;
			}
			if (seen != 4)
				FAIL("IPv4 part of IPv6 address has too few numbers", p);
			break;
		} else if (!AT_END && C == ':') {
			p++;
			if (AT_END)
				FAIL("IPv6 address ends with ':'", p - 1);
		} else if (!AT_END) {
			FAIL("bad character in IPv6 address", p);
		}
		addr[piece++] = (uint16_t)value;
	}
#undef C
#undef AT_END
#undef FAIL
	if (compress >= 0) {
		int swaps = piece - compress;
		piece = 7;
		while (piece != 0 && swaps > 0) {
			uint16_t t = addr[piece];
			addr[piece] = addr[compress + swaps - 1];
			addr[compress + swaps - 1] = t;
			piece--;
			swaps--;
		}
	} else if (piece != 8) {
		return fail(reason, at, "IPv6 address has too few pieces", len);
	}
	return URL_OK;
}

/* RFC 5952 form: lowercase, no leading zeros, the first longest run of
 * two or more zero pieces as "::". */
static int
ipv6_serialize(const uint16_t addr[8], nk_buf *out)
{
	int best = -1, best_len = 1, run = -1, run_len = 0;
	char piece[8];

	for (int i = 0; i < 8; i++) {
		if (addr[i] == 0) {
			if (run < 0)
				run = i;
			if (++run_len > best_len) {
				best = run;
				best_len = run_len;
			}
		} else {
			run = -1;
			run_len = 0;
		}
	}
	if (nk_buf_addc(out, '['))
		return URL_NOMEM;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			if (nk_buf_adds(out, i == 0 ? "::" : ":"))
				return URL_NOMEM;
			i += best_len - 1;
			continue;
		}
		snprintf(piece, sizeof piece, "%x", addr[i]);
		if (nk_buf_adds(out, piece) || (i != 7 && nk_buf_addc(out, ':')))
			return URL_NOMEM;
	}
	return nk_buf_addc(out, ']') ? URL_NOMEM : URL_OK;
}

/* The IPv4 number parser: decimal, 0x hex or 0-prefixed octal. Values
 * beyond 32 bits saturate (they only ever fail). Returns 0, or -1 for
 * something that is not a number. */
static int
ipv4_number(const char *s, size_t len, uint64_t *out)
{
	unsigned radix = 10;
	uint64_t v = 0;

	if (len == 0)
		return -1;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
		radix = 16;
	} else if (len >= 2 && s[0] == '0') {
		s++;
		len--;
		radix = 8;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned d;
		if (radix == 16 && url_hexval(c) >= 0)
			d = (unsigned)url_hexval(c);
		else if (c >= '0' && c <= (radix == 8 ? '7' : '9'))
			d = c - '0';
		else
			return -1;
		v = v * radix + d;
		if (v > 0xFFFFFFFFULL)
			v = 0x100000000ULL;
	}
	*out = v;
	return 0;
}

/* The ends-in-a-number checker. */
static int
ends_in_number(const char *s, size_t len)
{
	uint64_t v;

	if (len > 0 && s[len - 1] == '.')
		len--;
	size_t start = len;
	while (start > 0 && s[start - 1] != '.')
		start--;
	const char *last = s + start;
	size_t n = len - start;
	if (n == 0)
		return 0;
	size_t digits = 0;
	while (digits < n && last[digits] >= '0' && last[digits] <= '9')
		digits++;
	if (digits == n)
		return 1;
	return ipv4_number(last, n, &v) == 0;
}

static int
ipv4_parse(const char *s, size_t len, uint32_t *out, const char **reason,
           size_t *at)
{
	uint64_t num[4];
	size_t starts[4];
	int n = 0;

	if (len > 0 && s[len - 1] == '.' && len > 1)
		len--;
	for (size_t i = 0; i <= len;) {
		size_t j = i;
		while (j < len && s[j] != '.')
			j++;
		if (n == 4)
			return fail(reason, at, "IPv4 address has more than four "
			            "parts", i);
		if (ipv4_number(s + i, j - i, &num[n]) < 0)
			return fail(reason, at, "IPv4 address has a non-numeric "
			            "part", i);
		starts[n++] = i;
		i = j + 1;
	}
	for (int k = 0; k < n - 1; k++)
		if (num[k] > 255)
			return fail(reason, at, "IPv4 address part above 255",
			            starts[k]);
	if (num[n - 1] >= (1ULL << (8 * (5 - n))))
		return fail(reason, at, "IPv4 address part out of range",
		            starts[n - 1]);
	uint64_t v = num[n - 1];
	for (int k = 0; k < n - 1; k++)
		v += num[k] << (8 * (3 - k));
	*out = (uint32_t)v;
	return URL_OK;
}

static int
opaque_host(const char *in, size_t len, nk_buf *out,
            const char **reason, size_t *at)
{
	for (size_t i = 0; i < len; i++)
		if (forbidden_host((unsigned char)in[i]))
			return fail(reason, at, "forbidden character in host", i);
	/* The C0 control percent-encode set. */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c < 0x20 || c >= 0x7f) {
			char enc[4];
			snprintf(enc, sizeof enc, "%%%02X", c);
			if (nk_buf_add(out, enc, 3))
				return URL_NOMEM;
		} else if (nk_buf_addc(out, (char)c)) {
			return URL_NOMEM;
		}
	}
	return URL_OK;
}

int
url_host_parse(const char *in, size_t len, int is_opaque, nk_buf *out,
               nk_url_host_kind *kind, const char **reason, size_t *at)
{
	nk_buf dec = NK_BUF_INIT(URL_MAX_OUTPUT);
	nk_buf ascii = NK_BUF_INIT(URL_MAX_OUTPUT);
	int rc;

	if (len > 0 && in[0] == '[') {
		uint16_t addr[8];
		if (in[len - 1] != ']' || len < 2)
			return fail(reason, at, "unclosed IPv6 address", 0);
		rc = ipv6_parse(in + 1, len - 2, addr, reason, at);
		if (rc != URL_OK) {
			(*at)++;
			return rc;
		}
		*kind = NK_URL_HOST_IPV6;
		return ipv6_serialize(addr, out);
	}
	if (is_opaque) {
		*kind = len ? NK_URL_HOST_OPAQUE : NK_URL_HOST_EMPTY;
		return opaque_host(in, len, out, reason, at);
	}

	if (url_percent_decode(in, len, &dec)) {
		rc = URL_NOMEM;
		goto done;
	}
	int is_ascii = 1;
	for (size_t i = 0; i < dec.len; i++)
		if ((unsigned char)dec.p[i] >= 0x80)
			is_ascii = 0;
	if (is_ascii) {
		for (size_t i = 0; i < dec.len; i++) {
			char c = dec.p[i];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c + 32);
			if (url_addc(&ascii, c)) {
				rc = URL_NOMEM;
				goto done;
			}
		}
	} else {
		rc = url_idna_to_ascii(dec.p, dec.len, &ascii, reason);
		if (rc != URL_OK) {
			*at = 0;
			goto done;
		}
	}
	if (ascii.len == 0) {
		rc = fail(reason, at, "empty host", 0);
		goto done;
	}
	for (size_t i = 0; i < ascii.len; i++) {
		if (forbidden_domain((unsigned char)ascii.p[i])) {
			/* Point at the character as written when we can. */
			size_t pos = 0;
			if (is_ascii && dec.len == len)
				pos = i;
			rc = fail(reason, at, "forbidden character in host", pos);
			goto done;
		}
	}
	if (ends_in_number(ascii.p, ascii.len)) {
		uint32_t v4;
		char text[16];
		rc = ipv4_parse(ascii.p, ascii.len, &v4, reason, at);
		if (rc != URL_OK) {
			if (!(is_ascii && dec.len == len))
				*at = 0;
			goto done;
		}
		char *t = text, *end = text + sizeof text;
		for (int shift = 24; shift >= 0; shift -= 8) {
			t = nk_put_uint(t, end, (v4 >> shift) & 0xff);
			if (shift)
				t = nk_put_str(t, end, ".");
		}
		*kind = NK_URL_HOST_IPV4;
		rc = nk_buf_adds(out, text) ? URL_NOMEM : URL_OK;
		goto done;
	}
	*kind = NK_URL_HOST_DOMAIN;
	rc = nk_buf_add(out, ascii.p, ascii.len) ? URL_NOMEM : URL_OK;
done:
	nk_buf_free(&dec);
	nk_buf_free(&ascii);
	return rc;
}
