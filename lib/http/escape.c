/* escape: how the bytes of a request or a reply are shown in an error
 * message, so that a refused header or a malformed status line reads
 * back exactly, control bytes and all, on one line of a terminal: the
 * core's one escaping rule in its wire form (NK_TEXT_WIRE), cut with
 * "..." when it does not fit. */
#include <string.h>

#include "nk/text.h"
#include "http/http_int.h"

void
nk_http_escape_byte(char out[5], unsigned char c)
{
	/* a lone space in a message would be invisible */
	if (c == ' ')
		memcpy(out, "\\x20", 5);
	else
		nk_text_escape_to(out, 5, (const char *)&c, 1, NK_TEXT_WIRE);
}

void
nk_http_escape(char *out, size_t outsz, const char *s, size_t len)
{
	if (outsz < 4) {
		if (outsz)
			out[0] = '\0';
		return;
	}
	/* room kept for "..." whether or not it is needed, as before */
	size_t took = nk_text_escape_to(out, outsz - 3, s, len, NK_TEXT_WIRE);
	if (took < len)
		memcpy(out + strlen(out), "...", 4);
}
