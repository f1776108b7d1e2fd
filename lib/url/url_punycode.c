/* url_punycode: RFC 3492 Punycode, for the "xn--" labels of IDNA. */
#include <string.h>

#include "url/url_int.h"

enum {
	BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700,
	INITIAL_BIAS = 72, INITIAL_N = 0x80,
};

/* Both directions are quadratic in the label length (RFC 3492's own
 * algorithm), so a label is limited; DNS allows 63 bytes, so this only
 * refuses absurd input. */
#define PUNY_MAX_CP 4096

/* RFC 3492 section 6.1. */
static uint32_t
adapt(uint32_t delta, uint32_t numpoints, int first)
{
	uint32_t k = 0;
	delta = first ? delta / DAMP : delta / 2;
	delta += delta / numpoints;
	while (delta > ((BASE - TMIN) * TMAX) / 2) {
		delta /= BASE - TMIN;
		k += BASE;
	}
	return k + (BASE - TMIN + 1) * delta / (delta + SKEW);
}

static char
digit_char(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

static int
char_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0' + 26;
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	return -1;
}

static uint32_t
threshold(uint32_t k, uint32_t bias)
{
	if (k <= bias)
		return TMIN;
	if (k >= bias + TMAX)
		return TMAX;
	return k - bias;
}

int
url_puny_encode(const uint32_t *cp, size_t len, nk_buf *out)
{
	uint32_t n = INITIAL_N, bias = INITIAL_BIAS, h, b = 0;
	uint64_t delta = 0;

	if (len > PUNY_MAX_CP)
		return URL_FAIL;
	for (size_t j = 0; j < len; j++) {
		if (cp[j] < 0x80) {
			if (nk_buf_addc(out, (char)cp[j]))
				return URL_NOMEM;
			b++;
		}
	}
	h = b;
	if (b > 0 && nk_buf_addc(out, '-'))
		return URL_NOMEM;
	while (h < len) {
		uint32_t m = UINT32_MAX;
		for (size_t j = 0; j < len; j++)
			if (cp[j] >= n && cp[j] < m)
				m = cp[j];
		/* Code points are below 0x110000 and len is capped, so delta
		 * stays far inside 64 bits; RFC 3492 wants 32. */
		delta += (uint64_t)(m - n) * (h + 1);
		if (delta > UINT32_MAX)
			return URL_FAIL;
		n = m;
		for (size_t j = 0; j < len; j++) {
			if (cp[j] < n && ++delta > UINT32_MAX)
				return URL_FAIL;
			if (cp[j] != n)
				continue;
			uint32_t q = (uint32_t)delta;
			for (uint32_t k = BASE;; k += BASE) {
				uint32_t t = threshold(k, bias);
				if (q < t)
					break;
				if (nk_buf_addc(out, digit_char(t + (q - t) % (BASE - t))))
					return URL_NOMEM;
				q = (q - t) / (BASE - t);
			}
			if (nk_buf_addc(out, digit_char(q)))
				return URL_NOMEM;
			bias = adapt((uint32_t)delta, h + 1, h == b);
			delta = 0;
			h++;
		}
		delta++;
		n++;
	}
	return URL_OK;
}

int
url_puny_decode(const char *in, size_t len, struct u32buf *out)
{
	uint32_t n = INITIAL_N, bias = INITIAL_BIAS, i = 0;
	size_t start = 0, base_len = 0;

	for (size_t j = len; j > 0; j--) {
		if (in[j - 1] == '-') {
			base_len = j - 1;
			break;
		}
	}
	for (size_t j = 0; j < base_len; j++) {
		if ((unsigned char)in[j] >= 0x80)
			return URL_FAIL;
		if (u32_put(out, (unsigned char)in[j]))
			return URL_NOMEM;
	}
	/* The delimiter is consumed only when basic code points preceded it;
	 * a leading '-' is then read as a (bad) digit. */
	start = base_len > 0 ? base_len + 1 : 0;
	size_t first = out->len;
	for (size_t p = start; p < len;) {
		uint32_t oldi = i, w = 1;
		for (uint32_t k = BASE;; k += BASE) {
			if (p >= len)
				return URL_FAIL;
			int d = char_digit(in[p++]);
			if (d < 0)
				return URL_FAIL;
			if ((uint32_t)d > (UINT32_MAX - i) / w)
				return URL_FAIL;
			i += (uint32_t)d * w;
			uint32_t t = threshold(k, bias);
			if ((uint32_t)d < t)
				break;
			if (w > UINT32_MAX / (BASE - t))
				return URL_FAIL;
			w *= BASE - t;
		}
		size_t outlen = out->len - first + base_len;
		if (outlen + 1 > PUNY_MAX_CP)
			return URL_FAIL;
		bias = adapt(i - oldi, (uint32_t)outlen + 1, oldi == 0);
		if (i / (outlen + 1) > UINT32_MAX - n)
			return URL_FAIL;
		n += i / (uint32_t)(outlen + 1);
		i %= (uint32_t)(outlen + 1);
		if (n < 0x80 || n > 0x10FFFF || (n >= 0xD800 && n <= 0xDFFF))
			return URL_FAIL;
		if (u32_put(out, 0))
			return URL_NOMEM;
		uint32_t *at = out->p + (out->len - outlen - 1) + i;
		memmove(at + 1, at, (outlen - i) * sizeof *at);
		*at = n;
		i++;
	}
	return URL_OK;
}
