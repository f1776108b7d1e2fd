/* text: the tools' writers over libnk's escaping rule (nk/text.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "nk/text.h"
#include "text.h"

/* JSON's own short escapes, or NULL for a byte that has none. */
static const char *
json_short(char c)
{
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	default: return NULL;
	}
}

void
text_json(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	size_t len = strlen(s);
	fputc('"', f);
	for (size_t i = 0; i < len;) {
		const char *esc = json_short(s[i]);
		if (esc) {
			fputs(esc, f);
			i++;
			continue;
		}
		size_t n = nk_text_safe_len(s + i, len - i, 0);
		if (n) {
			fwrite(s + i, 1, n, f);
			i += n;
			continue;
		}
		/* The same value, but inert on a terminal: a control that
		 * is valid UTF-8 keeps its code point, a broken byte is
		 * read as Latin-1. */
		uint32_t cp;
		int bad;
		n = nk_utf8_next((const unsigned char *)s + i, len - i, &cp, &bad);
		if (bad) {
			cp = (unsigned char)s[i];
			n = 1;
		}
		fprintf(f, "\\u%04x", (unsigned)cp);
		i += n;
	}
	fputc('"', f);
}

void
text_json_error(FILE *f, nk_err e, const char *msg)
{
	if (!e) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"code\": %d, \"name\": ", (int)e);
	text_json(f, nk_err_name(e));
	fputs(", \"message\": ", f);
	text_json(f, msg);
	fputc('}', f);
}

void
text_put(FILE *f, const char *s, size_t len, unsigned flags)
{
	/* In pieces through a small buffer: nothing to allocate, nothing
	 * that can fail but the write. */
	while (len) {
		char buf[256];
		size_t used = nk_text_escape_to(buf, sizeof buf, s, len, flags);
		fputs(buf, f);
		s += used;
		len -= used;
	}
}

void
text_term(FILE *f, const char *s, size_t len)
{
	text_put(f, s, len, NK_TEXT_TAB);
}

void
text_safe(FILE *f, const char *s)
{
	text_term(f, s, strlen(s));
}

const char *
text_safe_buf(const char *s, char *buf, size_t len)
{
	nk_text_escape_to(buf, len, s, strlen(s), NK_TEXT_TAB);
	return buf;
}
