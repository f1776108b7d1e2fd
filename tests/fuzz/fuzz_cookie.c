/* Fuzz target: Set-Cookie parsing and the jar (nk/cookie.h).
 *
 * Input: 1 byte of flags (bit 0: the request is https), the request host
 * and path each ending in '\n' (the host cut to the letters, digits, dots
 * and hyphens a URL parser hands out), then Set-Cookie values, one a line.
 *
 * Each value goes to nk_cookie_set; the Cookie header for the request
 * must then hold no control byte. At the end the jar's file, read into a
 * new jar, must give the same lines again (in any order: reading makes
 * the newest the oldest), and every cookie line of it must have 7 fields. */
#include <stdint.h>
#include <string.h>

#include "nk/cookie.h"
#include "fuzz.h"

static const char *
line(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	const char *s = (const char *)*p;
	*len = (size_t)((nl ? nl : end) - *p);
	*p = nl ? nl + 1 : end;
	return s;
}

static int
cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The cookie lines of a file (not its comments), sorted; count in *n. */
static char **
sorted_lines(char *text, size_t *n)
{
	size_t cap = 1;
	for (char *q = text; *q; q++)
		cap += *q == '\n';
	char **v = calloc(cap, sizeof *v);
	FUZZ_CHECK(v != NULL, "out of memory");
	*n = 0;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		if (l[0] == '#' && strncmp(l, "#HttpOnly_", 10) != 0)
			continue;
		size_t tabs = 0;
		for (char *q = l; *q; q++)
			tabs += *q == '\t';
		FUZZ_CHECK(tabs == 6, "a jar line with %zu tabs: %s", tabs, l);
		v[(*n)++] = l;
	}
	qsort(v, *n, sizeof *v, cmp_lines);
	return v;
}

static void
round_trip(const nk_cookie_jar *jar, int64_t now)
{
	char *a = nk_cookie_format(jar, now);
	FUZZ_CHECK(a != NULL, "format failed");
	nk_cookie_jar *back = nk_cookie_jar_new();
	FUZZ_CHECK(back != NULL, "out of memory");
	FUZZ_CHECK(nk_cookie_load_buf(back, a, strlen(a), now, NULL) == NK_OK,
	           "load failed");
	char *b = nk_cookie_format(back, now);
	FUZZ_CHECK(b != NULL, "format failed");
	size_t na, nb;
	char **la = sorted_lines(a, &na), **lb = sorted_lines(b, &nb);
	FUZZ_CHECK(na == nb, "%zu cookies written, %zu read back", na, nb);
	for (size_t i = 0; i < na; i++)
		FUZZ_CHECK(strcmp(la[i], lb[i]) == 0, "read back as %s, not %s",
		           lb[i], la[i]);
	free(la);
	free(lb);
	free(a);
	free(b);
	nk_cookie_jar_free(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *p = data + 1, *end = data + size;
	char host[64], path[256];
	size_t n, h = 0;
	const char *s = line(&p, end, &n);
	for (size_t i = 0; i < n && h < sizeof host - 1; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789.-", s[i]) && s[i])
			host[h++] = s[i];
	host[h] = '\0';
	s = line(&p, end, &n);
	snprintf(path, sizeof path, "%.*s", (int)n, s);
	if (strlen(path) != n)
		return 0;
	nk_cookie_req rq = { host, path, data[0] & 1, 1800000000 };
	nk_cookie_jar *jar = nk_cookie_jar_new();
	FUZZ_CHECK(jar != NULL, "out of memory");
	while (p < end) {
		s = line(&p, end, &n);
		nk_cookie_set(jar, &rq, s, n);
		char *hdr = nk_cookie_header(jar, &rq);
		for (const char *q = hdr; q && *q; q++)
			FUZZ_CHECK((unsigned char)*q >= 0x20 && *q != 0x7f,
			           "control byte 0x%02x in the Cookie header",
			           (unsigned char)*q);
		free(hdr);
	}
	round_trip(jar, rq.now);
	nk_cookie_jar_free(jar);
	return 0;
}
