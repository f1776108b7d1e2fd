/* utf8: the UTF-8 decoder and encoder of include/nk/text.h. */
#include "nk/text.h"

size_t
nk_utf8_next(const unsigned char *s, size_t len, uint32_t *cp, int *bad)
{
	unsigned char c = s[0];
	size_t need;
	uint32_t v;
	/* The second byte's range narrows for E0, ED, F0 and F4: that is what
	 * keeps out overlong forms, surrogates and code points past U+10FFFF
	 * (Unicode's table 3-7). */
	unsigned char lo = 0x80, hi = 0xBF;

	if (bad)
		*bad = 0;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		need = 0;
		v = 0;
	}
	size_t i = 1;
	for (; need && i <= need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi)
			break;
		v = (v << 6) | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	if (!need || i <= need) {
		*cp = 0xFFFD;
		if (bad)
			*bad = 1;
		return i;
	}
	*cp = v;
	return need + 1;
}

size_t
nk_utf8_encode(uint32_t c, char u[4])
{
	if (c < 0x80) {
		u[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		u[0] = (char)(0xC0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		u[0] = (char)(0xE0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	u[0] = (char)(0xF0 | (c >> 18));
	u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	u[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	u[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

size_t
nk_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		int bad;
		size_t n = nk_utf8_next(u + i, len - i, &cp, &bad);
		if (bad)
			return i;
		i += n;
	}
	return len;
}
