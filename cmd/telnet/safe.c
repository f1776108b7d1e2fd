/* safe: the terminal-safe view of a server's bytes (rules in safe.h). */
#include <string.h>

#include "nk/text.h"
#include "safe.h"

/* Bytes the rule stops that are not ASCII controls: \xhh each. */
static size_t
hexbytes(const unsigned char *c, size_t n, char *o)
{
	/* Room: 4 bytes an escape and the NUL nk_text_escape_to ends with;
	 * SAFE_MAX leaves it. */
	nk_text_escape_to(o, 4 * n + 1, (const char *)c, n, 0);
	return strlen(o);
}

/* The CR held back, now that the next byte c decides: CR LF is a line
 * end; a CR where a line starts moves nothing; any other CR could
 * overwrite what is shown. */
static size_t
held_cr(struct safe *s, unsigned char c, char *o)
{
	if (!s->cr)
		return 0;
	s->cr = 0;
	if (c == '\n' || !s->midline)
		return 0;
	o[0] = '^';
	o[1] = 'M';
	return 2;
}

/* One ASCII byte (a held CR already decided). */
static size_t
ascii(struct safe *s, unsigned char c, char *o)
{
	if ((c == '\r' || c == '\b') && s->edits) {
		o[0] = (char)c;
		s->midline = c != '\r';
		return 1;
	}
	if (c == '\r') {
		s->cr = 1;
		return 0;
	}
	if (c == '\n') {
		o[0] = '\n';
		s->midline = 0;
		return 1;
	}
	s->midline = 1;
	if (nk_text_safe_len((const char *)&c, 1, NK_TEXT_TAB)) {
		o[0] = (char)c;
		return 1;
	}
	o[0] = '^';
	o[1] = (char)(c ^ 0x40);
	return 2;
}

/* Shows what of s->u can be decided: whole characters as they are,
 * stopped bytes escaped one by one; keeps a character still in progress. */
static size_t
drain(struct safe *s, char *o)
{
	unsigned flags = NK_TEXT_TAB | NK_TEXT_STREAM |
	                 (s->utf8 ? 0 : NK_TEXT_8BIT);
	size_t n = 0;

	while (s->un) {
		size_t k;
		if (s->u[0] < 0x80) {
			/* the byte that broke a character: ASCII's own rules */
			n += ascii(s, s->u[0], o + n);
			k = 1;
		} else {
			k = nk_text_safe_len((const char *)s->u, s->un, flags);
			if (k == NK_TEXT_MORE)
				break;
			s->midline = 1;
			if (k) {
				memcpy(o + n, s->u, k);
				n += k;
			} else {
				n += hexbytes(s->u, 1, o + n);
				k = 1;
			}
		}
		s->un -= k;
		memmove(s->u, s->u + k, s->un);
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
		if (!s->un) {
			n += held_cr(s, c, out + n);
			if (c < 0x80) {
				n += ascii(s, c, out + n);
				continue;
			}
		}
		s->u[s->un++] = c;
		n += drain(s, out + n);
	}
	return n;
}

size_t
safe_end(struct safe *s, char *out)
{
	size_t n = 0;
	if (s->raw)
		return 0;
	/* a character the stream never finished */
	if (s->un) {
		n += hexbytes(s->u, s->un, out);
		s->un = 0;
		s->midline = 1;
	}
	if (s->cr) {
		s->cr = 0;
		if (s->midline) {
			out[n++] = '^';
			out[n++] = 'M';
		}
	}
	return n;
}
