/* text: the escaping rules for outside text, shared by every tool. */
#include <stdio.h>
#include <string.h>

#include "text.h"

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if it is not one.
 * Overlong forms and surrogates are refused, as RFC 3629 says. */
static size_t
utf8_len(const unsigned char *p)
{
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0))
			return 0;
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/* The code point of the valid UTF-8 sequence of n bytes at p. */
static unsigned
utf8_cp(const unsigned char *p, size_t n)
{
	unsigned cp = p[0] & (n == 2 ? 0x1fu : n == 3 ? 0x0fu : 0x07u);
	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3fu);
	return cp;
}

/* Code points a terminal obeys or that reorder what follows them: C1
 * controls (U+0080..U+009F; 0x9B alone is CSI) and the bidirectional
 * marks, embeddings, overrides and isolates ("Trojan Source"). */
static int
cp_unsafe(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

void
text_json(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n;
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p >= 0x80 && (n = utf8_len(p)) > 0) {
				/* The same value, but inert on a terminal. */
				unsigned cp = utf8_cp(p, n);
				if (cp_unsafe(cp))
					fprintf(f, "\\u%04x", cp);
				else
					fwrite(p, 1, n, f);
				p += n;
				continue;
			}
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
		p++;
	}
	fputc('"', f);
}

/* Bytes at p (len left) that may reach a terminal as they are, or 0 when
 * p[0] must be escaped. The whole of the one rule. */
static size_t
term_ok(const unsigned char *p, size_t len)
{
	if ((p[0] >= 0x20 && p[0] < 0x7f) || p[0] == '\t')
		return 1;
	if (p[0] < 0x80)
		return 0;   /* C0 controls (ESC among them) and DEL */
	size_t need = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
	if (len < need)
		return 0;
	size_t n = utf8_len(p);
	return n && !cp_unsafe(utf8_cp(p, n)) ? n : 0;
}

void
text_term(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		size_t run = i, n;
		while (run < len && (n = term_ok(s + run, len - run)) > 0)
			run += n;
		if (run > i) {
			fwrite(s + i, 1, run - i, f);
			i = run;
			continue;
		}
		fprintf(f, "\\x%02x", s[i]);
		i++;
	}
}

void
text_safe(FILE *f, const char *s)
{
	text_term(f, s, strlen(s));
}

const char *
text_safe_buf(const char *s, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, n = strlen(s);
	if (!len)
		return buf;
	for (size_t i = 0; i < n;) {
		size_t k = term_ok(p + i, n - i);
		/* Whole characters and whole escapes only. */
		if (o + (k ? k : 4) >= len)
			break;
		if (k) {
			memcpy(buf + o, p + i, k);
			o += k;
			i += k;
		} else {
			snprintf(buf + o, len - o, "\\x%02x", p[i]);
			o += 4;
			i++;
		}
	}
	buf[o] = '\0';
	return buf;
}
