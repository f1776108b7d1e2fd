/* text: the terminal-safe escaping of include/nk/text.h. Every tool and
 * every library message that shows outside text goes through
 * nk_text_safe_len, so there is one answer to "may this reach a
 * terminal"; the writers here and in the tools differ only in how an
 * unsafe byte is spelled. */
#include <string.h>

#include "nk/text.h"

/* Code points a terminal obeys or that reorder what follows them: C1
 * controls (0x9B alone is CSI) and Unicode's Bidi_Control characters, the
 * marks, embeddings, overrides and isolates of "Trojan Source". */
static int
control_cp(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x61C || cp == 0x200E ||
	       cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

size_t
nk_text_safe_len(const char *s, size_t len, unsigned flags)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char c = u[0];

	if (flags & NK_TEXT_WIRE)
		return c >= 0x20 && c < 0x7F && c != '\\';
	if ((c >= 0x20 && c < 0x7F) || (c == '\t' && (flags & NK_TEXT_TAB)))
		return 1;
	if (c < 0x80)
		return 0;
	if (flags & NK_TEXT_8BIT)
		return c >= 0xA0;
	uint32_t cp;
	int bad;
	size_t n = nk_utf8_next(u, len, &cp, &bad);
	if (!bad)
		return control_cp(cp) ? 0 : n;
	/* Cut short by the end of what came so far, with a lead byte and
	 * nothing wrong yet: the next read may finish it. */
	if ((flags & NK_TEXT_STREAM) && n == len && c >= 0xC2 && c <= 0xF4)
		return NK_TEXT_MORE;
	return 0;
}

/* The next piece of s under the rule into out: a character as it is or
 * one byte as \xNN. Returns its length (1 to 4); *used is the bytes of s
 * it stands for. */
static size_t
piece(const char *s, size_t len, unsigned flags, char out[4], size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	/* The text ends at len: nothing is waited for. */
	size_t n = nk_text_safe_len(s, len, flags & ~NK_TEXT_STREAM);
	if (n) {
		memcpy(out, s, n);
		*used = n;
		return n;
	}
	unsigned char c = (unsigned char)s[0];
	out[0] = '\\';
	*used = 1;
	if (flags & NK_TEXT_WIRE) {
		/* C's names, so a message reads back as the bytes it shows */
		switch (c) {
		case '\\': out[1] = '\\'; return 2;
		case '\r': out[1] = 'r'; return 2;
		case '\n': out[1] = 'n'; return 2;
		case '\t': out[1] = 't'; return 2;
		case '\0': out[1] = '0'; return 2;
		}
	}
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 15];
	return 4;
}

int
nk_text_escape(nk_buf *out, const char *s, size_t len, unsigned flags)
{
	for (size_t i = 0; i < len;) {
		char p[4];
		size_t used, n = piece(s + i, len - i, flags, p, &used);
		if (nk_buf_add(out, p, n) < 0)
			return -1;
		i += used;
	}
	return out->err ? -1 : 0;
}

size_t
nk_text_escape_to(char *dst, size_t dstlen, const char *s, size_t len,
                  unsigned flags)
{
	size_t i = 0, o = 0;

	if (!dstlen)
		return 0;
	while (i < len) {
		char p[4];
		size_t used, n = piece(s + i, len - i, flags, p, &used);
		if (o + n >= dstlen)
			break;
		memcpy(dst + o, p, n);
		o += n;
		i += used;
	}
	dst[o] = '\0';
	return i;
}
