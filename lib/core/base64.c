/* base64: RFC 4648 base64 (the standard alphabet, '=' padding, no line
 * breaks), written once for every layer: net's proxy credentials sit
 * below tls and cannot ask OpenSSL, and one encoder keeps Basic, Digest's
 * cnonce, WebSocket keys and certificate pins byte for byte alike. */
#include <stddef.h>

#include "core/internal.h"

size_t
nk_base64(const void *in, size_t n, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *u = in;
	char *o = out;
	size_t i = 0;
	for (; i + 2 < n; i += 3) {
		*o++ = tab[u[i] >> 2];
		*o++ = tab[((u[i] & 3) << 4) | (u[i + 1] >> 4)];
		*o++ = tab[((u[i + 1] & 15) << 2) | (u[i + 2] >> 6)];
		*o++ = tab[u[i + 2] & 63];
	}
	if (i < n) {
		unsigned b1 = i + 1 < n ? u[i + 1] : 0;
		*o++ = tab[u[i] >> 2];
		*o++ = tab[((u[i] & 3) << 4) | (b1 >> 4)];
		*o++ = i + 1 < n ? tab[(b1 & 15) << 2] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return (size_t)(o - out);
}
