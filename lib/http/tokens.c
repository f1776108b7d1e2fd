/* tokens: the lexical rules of RFC 9110 §5.6 that the request builder,
 * the response parser, the body framer and the decoder all read by:
 * which bytes make a token, how field names and tokens compare, and how
 * a comma-separated list is walked. Nothing here knows a request or a
 * response, so each of those files can use it without using the others. */
#include <string.h>

#include "http/http_int.h"

/* tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
 *         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA   (RFC 9110 §5.6.2) */
#define T1 1
const unsigned char nk_http_tchar[256] = {
	['!'] = T1, ['#'] = T1, ['$'] = T1, ['%'] = T1, ['&'] = T1,
	['\''] = T1, ['*'] = T1, ['+'] = T1, ['-'] = T1, ['.'] = T1,
	['^'] = T1, ['_'] = T1, ['`'] = T1, ['|'] = T1, ['~'] = T1,
	['0'] = T1, ['1'] = T1, ['2'] = T1, ['3'] = T1, ['4'] = T1,
	['5'] = T1, ['6'] = T1, ['7'] = T1, ['8'] = T1, ['9'] = T1,
	['A'] = T1, ['B'] = T1, ['C'] = T1, ['D'] = T1, ['E'] = T1,
	['F'] = T1, ['G'] = T1, ['H'] = T1, ['I'] = T1, ['J'] = T1,
	['K'] = T1, ['L'] = T1, ['M'] = T1, ['N'] = T1, ['O'] = T1,
	['P'] = T1, ['Q'] = T1, ['R'] = T1, ['S'] = T1, ['T'] = T1,
	['U'] = T1, ['V'] = T1, ['W'] = T1, ['X'] = T1, ['Y'] = T1,
	['Z'] = T1,
	['a'] = T1, ['b'] = T1, ['c'] = T1, ['d'] = T1, ['e'] = T1,
	['f'] = T1, ['g'] = T1, ['h'] = T1, ['i'] = T1, ['j'] = T1,
	['k'] = T1, ['l'] = T1, ['m'] = T1, ['n'] = T1, ['o'] = T1,
	['p'] = T1, ['q'] = T1, ['r'] = T1, ['s'] = T1, ['t'] = T1,
	['u'] = T1, ['v'] = T1, ['w'] = T1, ['x'] = T1, ['y'] = T1,
	['z'] = T1,
};
#undef T1

int
nk_http_is_token(const char *s, size_t len)
{
	if (!s || len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!nk_http_tchar[(unsigned char)s[i]])
			return 0;
	return 1;
}

size_t
nk_http_token_len(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && nk_http_tchar[(unsigned char)s[i]])
		i++;
	return i;
}

int
nk_http_eq(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	if (n != len)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char a = (unsigned char)s[i], b = (unsigned char)lit[i];
		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a + 32);
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b + 32);
		if (a != b)
			return 0;
	}
	return 1;
}

int
nk_http_list_next(const char **p, const char *end, const char **elem,
                  size_t *elem_len)
{
	const char *s = *p;
	for (;;) {
		while (s < end && (nk_http_ows(*s) || *s == ','))
			s++;
		if (s >= end) {
			*p = end;
			return 0;
		}
		const char *e = s;
		while (e < end && *e != ',' && *e != ';')
			e++;
		const char *t = e;
		while (t > s && nk_http_ows(t[-1]))
			t--;
		/* the parameters go with the element: skip them to the comma */
		while (e < end && *e != ',')
			e++;
		*p = e;
		if (t == s) {          /* ";x" with no name: an empty element */
			s = e;
			continue;
		}
		*elem = s;
		*elem_len = (size_t)(t - s);
		return 1;
	}
}
