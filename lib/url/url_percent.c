/* url_percent: the URL Standard's percent-encode sets (which bytes each
 * part of a URL escapes) and percent-decoding. The encoder itself is
 * url_pe_add in url_int.h, inline for the parser's inner loop. */
#include "url/url_int.h"

/* In the query set, and so in the sets that hold it: special-query, path
 * and userinfo. */
#define PE_Q (PE_QUERY | PE_SPECIAL_QUERY | PE_PATH | PE_USERINFO)

const unsigned char url_pe_sets[128] = {
	[0x00 ... 0x1f] = PE_ALL,
	[0x7f] = PE_ALL,
	[' '] = PE_FRAGMENT | PE_Q,
	['"'] = PE_FRAGMENT | PE_Q,
	['<'] = PE_FRAGMENT | PE_Q,
	['>'] = PE_FRAGMENT | PE_Q,
	['#'] = PE_Q,
	['\''] = PE_SPECIAL_QUERY,
	['`'] = PE_FRAGMENT | PE_PATH | PE_USERINFO,
	['?'] = PE_PATH | PE_USERINFO,
	['^'] = PE_PATH | PE_USERINFO,
	['{'] = PE_PATH | PE_USERINFO,
	['}'] = PE_PATH | PE_USERINFO,
	['/'] = PE_USERINFO,
	[':'] = PE_USERINFO,
	[';'] = PE_USERINFO,
	['='] = PE_USERINFO,
	['@'] = PE_USERINFO,
	['['] = PE_USERINFO,
	['\\'] = PE_USERINFO,
	[']'] = PE_USERINFO,
	['|'] = PE_USERINFO,
};

int
url_pe_add_run(nk_buf *b, const char *s, size_t n, int set)
{
	for (size_t i = 0; i < n;) {
		/* The bytes that stay as they are go in one piece. */
		size_t j = i;
		while (j < n && (unsigned char)s[j] < 0x80 &&
		       !(url_pe_sets[(unsigned char)s[j]] & set))
			j++;
		if (j > i && url_add(b, s + i, j - i))
			return -1;
		if (j < n && url_pe_add(b, (unsigned char)s[j], set))
			return -1;
		i = j + 1;
	}
	return 0;
}

int
url_percent_decode(const char *in, size_t len, nk_buf *out)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		int hi, lo;
		if (c == '%' && i + 2 < len &&
		    (hi = url_hexval((unsigned char)in[i + 1])) >= 0 &&
		    (lo = url_hexval((unsigned char)in[i + 2])) >= 0) {
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		}
		if (url_addc(out, (char)c))
			return -1;
	}
	return 0;
}
