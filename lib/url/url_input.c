/* url_input: what the basic URL parser reads, made from the caller's
 * bytes (the Standard's trimming and tab/newline removal, and U+FFFD for
 * invalid UTF-8), and the way back: an offset of that cleaned input as a
 * character position in what the caller wrote. */
#include "nk/text.h"
#include "url/url_int.h"

/* One unit of raw input at s[0..len): how many bytes it spans, and what the
 * cleaned input gets for it (nothing for tab and newline, U+FFFD for bad
 * UTF-8, else the bytes). */
static size_t
clean_unit(const unsigned char *s, size_t len, size_t *outlen, int *bad)
{
	uint32_t cp;
	*bad = 0;
	if (s[0] == '\t' || s[0] == '\n' || s[0] == '\r') {
		*outlen = 0;
		return 1;
	}
	size_t n = nk_utf8_next(s, len, &cp, bad);
	*outlen = *bad ? 3 : n;
	return n;
}

static void
trim(const unsigned char *s, size_t len, size_t *lead, size_t *end)
{
	size_t a = 0, b = len;
	while (a < b && s[a] <= 0x20)
		a++;
	while (b > a && s[b - 1] <= 0x20)
		b--;
	*lead = a;
	*end = b;
}

size_t
url_raw_position(const char *in, size_t len, size_t q)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t lead, end, i, at = 0, pos = 1;

	/* Replays the clean-up up to q. */
	trim(s, len, &lead, &end);
	for (i = lead; i < end;) {
		size_t olen;
		int bad;
		size_t n = clean_unit(s + i, end - i, &olen, &bad);
		if (at + olen > q)
			break;
		at += olen;
		i += n;
	}
	for (size_t k = 0; k < i && k < len; k++)
		if ((s[k] & 0xC0) != 0x80)
			pos++;
	return pos;
}

int
url_clean_input(const char *in, size_t len, nk_buf *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t lead, end;

	trim(s, len, &lead, &end);
	for (size_t i = lead; i < end;) {
		/* Printable ASCII, nearly every URL's every byte, goes in runs. */
		size_t run = i;
		while (run < end && s[run] >= 0x20 && s[run] < 0x80)
			run++;
		if (run > i) {
			if (url_add(out, s + i, run - i))
				return -1;
			i = run;
			continue;
		}
		size_t olen;
		int bad;
		size_t n = clean_unit(s + i, end - i, &olen, &bad);
		if (bad && url_add(out, "\xEF\xBF\xBD", 3))
			return -1;
		if (!bad && url_add(out, s + i, olen))
			return -1;
		i += n;
	}
	return 0;
}
