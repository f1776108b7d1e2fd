/* safe: the terminal-safe view of a server's bytes (rules in safe.h). */
#include <string.h>

#include "safe.h"

static const char hex[] = "0123456789abcdef";

static size_t
hexbyte(unsigned char c, char *o)
{
	o[0] = '\\';
	o[1] = 'x';
	o[2] = hex[c >> 4];
	o[3] = hex[c & 15];
	return 4;
}

/* The bytes of an unfinished or broken UTF-8 character, shown one by one. */
static size_t
flush_utf8(struct safe *s, char *o)
{
	size_t n = 0;
	for (size_t i = 0; i < s->un; i++)
		n += hexbyte(s->u[i], o + n);
	s->un = s->uneed = 0;
	if (n)
		s->midline = 1;
	return n;
}

/* How long a UTF-8 character starting with c is; 0 if c cannot start one. */
static size_t
utf8_len(unsigned char c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/* Is c a valid next byte after s->u[0..un)? The second byte's range
 * rules out overlong forms, surrogates and code points past U+10FFFF. */
static int
utf8_next_ok(const struct safe *s, unsigned char c)
{
	if (c < 0x80 || c > 0xbf)
		return 0;
	if (s->un != 1)
		return 1;
	switch (s->u[0]) {
	case 0xe0:
		return c >= 0xa0;
	case 0xed:
		return c <= 0x9f;
	case 0xf0:
		return c >= 0x90;
	case 0xf4:
		return c <= 0x8f;
	}
	return 1;
}

/* One byte that is not part of a pending UTF-8 character. */
static size_t
one(struct safe *s, unsigned char c, char *o)
{
	size_t n = 0;

	if (s->cr) {
		s->cr = 0;
		/* CR LF is a line end; a CR where a line starts moves
		 * nothing; any other CR could overwrite what is shown. */
		if (c != '\n' && s->midline) {
			o[n++] = '^';
			o[n++] = 'M';
		}
	}
	if ((c == '\r' || c == '\b') && s->edits) {
		o[n++] = (char)c;
		s->midline = c != '\r';
		return n;
	}
	if (c == '\r') {
		s->cr = 1;
		return n;
	}
	if (c == '\n') {
		o[n++] = '\n';
		s->midline = 0;
		return n;
	}
	s->midline = 1;
	if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
		o[n++] = (char)c;
	} else if (c < 0x20 || c == 0x7f) {
		o[n++] = '^';
		o[n++] = (char)(c ^ 0x40);
	} else if (!s->utf8) {
		if (c < 0xa0)
			n += hexbyte(c, o + n);
		else
			o[n++] = (char)c;
	} else if ((s->uneed = utf8_len(c)) != 0) {
		s->u[0] = c;
		s->un = 1;
	} else {
		n += hexbyte(c, o + n);
	}
	return n;
}

size_t
safe_text(struct safe *s, const unsigned char *in, size_t len, char *out)
{
	size_t n = 0;

	if (s->raw) {
		memcpy(out, in, len);
		return len;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = in[i];
		if (s->un) {
			if (utf8_next_ok(s, c)) {
				s->u[s->un++] = c;
				if (s->un < s->uneed)
					continue;
				/* U+0080..U+009F are C1 controls (CSI is
				 * U+009B): shown as bytes, not obeyed. */
				if (s->u[0] == 0xc2 && s->u[1] < 0xa0) {
					n += flush_utf8(s, out + n);
				} else {
					memcpy(out + n, s->u, s->un);
					n += s->un;
					s->un = s->uneed = 0;
				}
				continue;
			}
			n += flush_utf8(s, out + n);
		}
		n += one(s, c, out + n);
	}
	return n;
}

size_t
safe_end(struct safe *s, char *out)
{
	size_t n = 0;
	if (s->raw)
		return 0;
	n += flush_utf8(s, out);
	if (s->cr) {
		s->cr = 0;
		if (s->midline) {
			out[n++] = '^';
			out[n++] = 'M';
		}
	}
	return n;
}
