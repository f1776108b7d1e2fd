/* escape: how the bytes of a request or a reply are shown in an error
 * message, so that a refused header or a malformed status line reads
 * back exactly, control bytes and all, on one line of a terminal. */
#include <stdio.h>
#include <string.h>

#include "http/http_int.h"

/* A backslash is escaped too, so "\r" in a message was a CR on the wire
 * and "\\r" the two bytes. */
static void
escape_byte(char out[5], unsigned char c)
{
	switch (c) {
	case '\r': memcpy(out, "\\r", 3); return;
	case '\n': memcpy(out, "\\n", 3); return;
	case '\t': memcpy(out, "\\t", 3); return;
	case '\0': memcpy(out, "\\0", 3); return;
	case '\\': memcpy(out, "\\\\", 3); return;
	}
	if (c < 0x20 || c >= 0x7f)
		snprintf(out, 5, "\\x%02x", c);
	else {
		out[0] = (char)c;
		out[1] = '\0';
	}
}

void
nk_http_escape_byte(char out[5], unsigned char c)
{
	if (c == ' ')
		memcpy(out, "\\x20", 5);
	else
		escape_byte(out, c);
}

void
nk_http_escape(char *out, size_t outsz, const char *s, size_t len)
{
	size_t o = 0;
	char e[5];

	if (outsz == 0)
		return;
	for (size_t i = 0; i < len; i++) {
		escape_byte(e, (unsigned char)s[i]);
		size_t el = strlen(e);
		/* keep room for "..." and the NUL */
		if (o + el + 4 > outsz) {
			if (o + 4 <= outsz) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(out + o, e, el);
		o += el;
	}
	out[o] = '\0';
}
